import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { BlockedCommandError, CrossNamespaceError, SharedConnectionError, createIsolatedRedis, type Isolated } from '../../../src/index.js';
import { NODE_REDIS_VARIANTS } from '../../support/node-redis-versions.js';
import { startRedisServer, type RunningRedis } from '../../support/redis-server.js';
import { trackedNodeRedis, type NodeRedisTestClient as Client } from '../../support/node-redis-views.js';

/**
 * One connection, many namespaces: two views (`journal`, `celery`) over one raw node-redis
 * client never disturb or read each other through the connection they share.
 */
const namespaces = ['journal', 'celery'];
let server: RunningRedis;

beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server.stop();
});

describe.each(NODE_REDIS_VARIANTS.map((variant, i) => ({ ...variant, db: i + 1 })))('$label', ({ createClient, options, db, RESP, major }) => {
  const { client, viewOf, track, closeAll } = trackedNodeRedis(createClient, () => `${server.url}/${db}`, options, namespaces);
  let raw: Client;
  let observer: Client;
  let journal: Isolated<Client>;
  let celery: Isolated<Client>;
  /** Channels are server-wide, the databases are not: each variant its own channel names. */
  const channel = (name: string): string => `${name}-${major}-${RESP}`;

  beforeAll(async () => {
    raw = client();
    observer = client();
    await Promise.all([raw.connect(), observer.connect()]);
    journal = viewOf('journal', raw);
    celery = viewOf('celery', raw);
  });
  beforeEach(async () => {
    await raw.flushDb();
  });
  afterAll(async () => {
    // Views close the connections they opened; the raw clients are the test's to close.
    await closeAll();
  });

  describe('what is checked is what is sent', () => {
    it('an argument array changed after sendCommand() returns does not change the command', async () => {
      await raw.set('celery:secret', 'CELERY-SECRET');
      const line: string[] = ['ECHO', 'hi'];
      const echoed = journal.sendCommand(line);
      line[0] = 'GET';
      line[1] = 'celery:secret';
      expect(await echoed).toBe('hi');
      const ping: string[] = ['PING'];
      const ponged = journal.sendCommand(ping);
      ping[0] = 'RANDOMKEY';
      expect(await ponged).toBe('PONG');
    });

    it('a Buffer changed after the call does not change the command (strict mode, typed and raw)', async () => {
      const strict = viewOf('journal', raw, { mode: 'strict' });
      await raw.set('celery:ab', 'CELERY-SECRET');
      await raw.set('journal:k', 'mine');
      const typedKey = Buffer.from('journal:k');
      const typed = strict.get(typedKey);
      typedKey.write('celery:ab');
      const rawKey = Buffer.from('journal:k');
      const sent = strict.sendCommand(['GET', rawKey]);
      rawKey.write('celery:ab');
      expect([await typed, await sent]).toEqual(['mine', 'mine']);
    });

    it('multi().addCommand() with a number commits every command or none', async () => {
      expect(await journal.multi().set('a', '1').addCommand(['SET', 'b', 5 as unknown as string]).exec()).toEqual(['OK', 'OK']);
      expect([await raw.get('journal:a'), await raw.get('journal:b')]).toEqual(['1', '5']);
    });

    it('a MULTI that does not fit in commandsQueueMaxLength is refused whole, before anything is queued', async () => {
      const small = client({ commandsQueueMaxLength: 10 });
      await small.connect();
      const mine = viewOf('journal', small);
      const theirs = viewOf('celery', small);
      // MULTI, 10 commands, EXEC: node-redis itself would queue MULTI and 9 commands, then refuse the rest.
      const batch = mine.multi();
      for (const key of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']) batch.set(key, '1');
      await expect(batch.exec()).rejects.toThrow(/queue is full/);
      // Nothing reached the connection: it is not left inside a transaction that would take in celery's commands.
      expect(await theirs.set('x', '1')).toBe('OK');
      expect(await theirs.get('x')).toBe('1');
      expect(await raw.exists(['journal:a', 'journal:b', 'journal:c'])).toBe(0);
    });
  });

  describe('connection state of one view never reaches another', () => {
    it("subscribing on one view leaves the other's GET and PUBLISH working (the client's subscriber connection, not the shared one)", async () => {
      const heard: unknown[] = [];
      await journal.subscribe(channel('news'), (message, name) => heard.push([message, name]));
      expect(await celery.set('k', 'v')).toBe('OK');
      expect(await celery.get('k')).toBe('v');
      expect(await celery.publish(channel('news'), 'from celery')).toBe(0); // celery:news: nobody listens
      expect(await journal.publish(channel('news'), 'from journal')).toBe(1);
      await vi.waitFor(() => expect(heard).toEqual([['from journal', channel('news')]]));
      expect(raw.isPubSubActive).toBe(false);
      await journal.unsubscribe(channel('news'));
    });

    it('unsubscribe() with no channel ends only this view\'s subscriptions and resolves', async () => {
      await journal.subscribe(channel('a'), () => undefined);
      await journal.pSubscribe(channel('b*'), () => undefined);
      await celery.subscribe(channel('a'), () => undefined);
      await expect(journal.unsubscribe()).resolves.toBeUndefined();
      await expect(journal.pUnsubscribe()).resolves.toBeUndefined();
      expect(await observer.pubSubNumSub([`journal:${channel('a')}`, `celery:${channel('a')}`])).toEqual({
        [`journal:${channel('a')}`]: 0,
        [`celery:${channel('a')}`]: 1,
      });
      expect(await observer.pubSubNumPat()).toBe(0);
      await expect(celery.unsubscribe()).resolves.toBeUndefined();
    });

    it("a 2 s blPop on one view does not stall the other's GET", async () => {
      await celery.set('k', 'v');
      const popped = journal.blPop('empty', 2);
      const rawPopped = journal.sendCommand(['BLPOP', 'empty2', '2']);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const started = Date.now();
      expect(await celery.get('k')).toBe('v');
      expect(Date.now() - started).toBeLessThan(1000);
      expect([await popped, await rawPopped]).toEqual([null, null]);
    });

    it('quit(), close() and sendCommand([QUIT]) on one view close only what it opened', async () => {
      const connections = async (): Promise<number> => String(await observer.sendCommand(['CLIENT', 'LIST'])).trim().split('\n').length;
      const before = await connections();
      for (const close of [(v: Isolated<Client>) => v.quit(), (v: Isolated<Client>) => v.close(), (v: Isolated<Client>) => v.sendCommand(['QUIT'])]) {
        const mine = viewOf('journal', raw);
        await mine.blPop('nothing', 0.01); // opens the view's exclusive connection
        await mine.subscribe(channel('q'), () => undefined); // and the client's subscriber connection (no other view subscribes)
        expect(await connections()).toBe(before + 2);
        await close(mine);
        await vi.waitFor(async () => expect(await connections()).toBe(before));
        expect(raw.isOpen).toBe(true);
        expect(await celery.set('after', '1')).toBe('OK');
        expect(await celery.get('after')).toBe('1');
      }
    });

    it("another view's multi().exec() neither consumes nor fails a view's WATCH; the view's own transaction still aborts", async () => {
      await journal.set('balance', '10');
      await journal.watch('balance');
      expect(await celery.multi().set('x', '1').exec()).toEqual(['OK']);
      await raw.set('journal:balance', '11');
      await expect(journal.multi().set('balance', '12').exec()).rejects.toThrow(/watch/i);
      expect(await raw.get('journal:balance')).toBe('11');
      // Not watching any more: the next transaction commits.
      expect(await journal.multi().set('balance', '13').exec()).toEqual(['OK']);
      // A watched transaction with no change in between commits, whatever celery does meanwhile.
      await journal.watch('balance');
      await raw.set('celery:balance', 'x');
      expect(await celery.multi().get('balance').exec()).toEqual(['x']);
      expect(await journal.multi().set('balance', '14').exec()).toEqual(['OK']);
    });

    it("setDirtyWatch() on one view fails only that view's next transaction", async () => {
      journal.setDirtyWatch('topology changed');
      expect(await celery.multi().set('a', '1').exec()).toEqual(['OK']);
      await expect(journal.multi().set('a', '2').exec()).rejects.toThrow(/topology changed/);
      expect(await journal.multi().set('a', '3').exec()).toEqual(['OK']);
    });

    it('CLIENT TRACKING through a shared view is refused (typed and raw); a duplicate() connects and may track', async () => {
      const id = Number(await observer.sendCommand(['CLIENT', 'ID']));
      await expect(journal.clientTracking(true, { REDIRECT: id })).rejects.toBeInstanceOf(SharedConnectionError);
      await expect(journal.sendCommand(['CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(id)])).rejects.toMatchObject({ code: 'ERR_SHARED_CONNECTION' });
      await expect(journal.sendCommand(['WAIT', '0', '0'])).rejects.toBeInstanceOf(SharedConnectionError);
      await expect(journal.clientSetName('x')).rejects.toBeInstanceOf(SharedConnectionError);
      const rawId = Number(await raw.sendCommand(['CLIENT', 'ID']));
      const flags = /flags=(\S+)/.exec(String(await observer.sendCommand(['CLIENT', 'LIST', 'ID', String(rawId)])))?.[1];
      expect(flags).toBeDefined();
      expect(flags).not.toContain('t'); // the shared connection does not track
      const own = journal.duplicate();
      track(own);
      await own.connect();
      expect(await own.clientTracking(true, { REDIRECT: id, BCAST: true })).toBe('OK');
      expect(await own.sendCommand(['CLIENT', 'TRACKING', 'OFF'])).toBe('OK');
      await own.close();
      expect(own.isOpen).toBe(false);
    });

    it('a pool lends shared clients: quit() on a lent client and close() on a view of a pool passed in leave the pool open', async () => {
      if (typeof (raw as { createPool?: unknown }).createPool !== 'function') throw new Error('this node-redis has no createPool');
      const pool = raw.createPool({ minimum: 1, maximum: 1 });
      await pool.connect();
      const mine = createIsolatedRedis({ namespace: 'journal', namespaces, client: pool });
      await expect(mine.execute((c) => c.clientSetName('lent'))).rejects.toBeInstanceOf(SharedConnectionError);
      expect(await mine.execute(async (c) => [await c.blPop('nothing', 0.01), await c.quit()])).toEqual([null, 'OK']);
      await mine.close();
      expect(pool.isOpen).toBe(true);
      expect(await pool.ping()).toBe('PONG');
      await pool.close();
      // A pool the view made is the view's own: closing the view closes it.
      const made = journal.createPool({ minimum: 1, maximum: 1 });
      await made.connect();
      await made.close();
      expect(made.isOpen).toBe(false);
    });

    it('CLIENT LIST, GETNAME and INFO show only the namespace\'s connections', async () => {
      const mine = journal.duplicate();
      const theirs = celery.duplicate();
      track(mine, theirs);
      await Promise.all([mine.connect(), theirs.connect()]);
      await mine.clientSetName('worker');
      await theirs.clientSetName('worker');
      expect(await observer.clientList()).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'journal:worker' }), expect.objectContaining({ name: 'celery:worker' })]));
      const listed = await journal.clientList();
      expect(listed.map((entry) => entry.name)).toEqual(['worker']);
      expect(String(await journal.sendCommand(['CLIENT', 'LIST']))).not.toContain('celery');
      expect(await mine.clientGetName()).toBe('worker');
      expect(await journal.clientGetName()).toBeNull();
      expect((await mine.clientInfo()).name).toBe('worker');
      await expect(journal.clientInfo()).rejects.toBeInstanceOf(SharedConnectionError);
      await Promise.all([mine.close(), theirs.close()]);
    });
  });

  if (RESP === 3) {
    it("client-side caching: a view reaches only its namespace's cached replies", async () => {
      const cached = client({ clientSideCache: { ttl: 0, maxEntries: 0 } });
      await cached.connect();
      const mine = viewOf('journal', cached);
      const theirs = viewOf('celery', cached);
      await theirs.set('secret', 'CELERY-SECRET');
      await mine.set('own', 'mine');
      expect(await theirs.get('secret')).toBe('CELERY-SECRET');
      expect(await mine.get('own')).toBe('mine');
      const cache = mine.clientSideCache as unknown as {
        size(): number;
        entryEntries(): Iterable<[string, unknown]>;
        keySetEntries(): Iterable<[string, Set<string>]>;
        get(cacheKey: string): unknown;
        set(cacheKey: string, entry: unknown, keys: string[]): void;
        invalidate(key: string | null): void;
        stats(): unknown;
      };
      const real = cached.clientSideCache as unknown as { size(): number; keySetEntries(): Iterable<[string, Set<string>]> };
      expect(real.size()).toBe(2);
      expect(cache.size()).toBe(1);
      expect([...cache.keySetEntries()].map(([key]) => key)).toEqual(['journal:own']);
      const [theirCacheKey] = [...(new Map(real.keySetEntries()).get('celery:secret') ?? [])];
      expect(theirCacheKey).toBeDefined();
      expect(cache.get(theirCacheKey as string)).toBeUndefined();
      expect([...cache.entryEntries()].map(([key]) => key)).not.toContain(theirCacheKey);
      expect(() => cache.set(theirCacheKey as string, {}, ['celery:secret'])).toThrow(BlockedCommandError);
      expect(() => cache.invalidate('celery:secret')).toThrow(CrossNamespaceError);
      expect(() => cache.stats()).toThrow(SharedConnectionError);
      cache.invalidate(null);
      expect(real.size()).toBe(1);
      expect(await theirs.get('secret')).toBe('CELERY-SECRET');
      expect(await mine.get('own')).toBe('mine');
    });

    it('client-side caching: a key Buffer changed after the call does not file the entry under another key (strict mode)', async () => {
      const cached = client({ clientSideCache: { ttl: 0, maxEntries: 0 } });
      await cached.connect();
      const strict = viewOf('journal', cached, { mode: 'strict' });
      await raw.set('journal:k', 'v1');
      const key = Buffer.from('journal:k');
      const read = strict.get(key);
      key.write('celery:x');
      expect(await read).toBe('v1');
      const real = cached.clientSideCache as unknown as { keySetEntries(): Iterable<[string, Set<string>]> };
      expect([...real.keySetEntries()].map(([name]) => name)).toEqual(['journal:k']);
      // The server's invalidation of journal:k reaches the entry: no stale reply.
      await raw.set('journal:k', 'v2');
      await vi.waitFor(async () => expect(await strict.get('journal:k')).toBe('v2'));
    });
  }

  if (RESP === 3) {
    it("invalidate events (emitInvalidate) report only the view's own keys, un-prefixed", async () => {
      const tracked = client({ emitInvalidate: true });
      await tracked.connect();
      await tracked.sendCommand(['CLIENT', 'TRACKING', 'ON']); // the owner's choice, on its own connection
      const journalView = viewOf('journal', tracked);
      const celeryView = viewOf('celery', tracked);
      const heard: { journal: unknown[]; celery: unknown[]; once: unknown[] } = { journal: [], celery: [], once: [] };
      journalView.on('invalidate', (key: unknown) => heard.journal.push(key === null ? null : String(key)));
      journalView.once('invalidate', (key: unknown) => heard.once.push(key === null ? null : String(key)));
      celeryView.on('invalidate', (key: unknown) => heard.celery.push(key === null ? null : String(key)));
      await journalView.get('a');
      await celeryView.get('b');
      await observer.set('celery:b', '1'); // another connection changes celery's key first
      await vi.waitFor(() => expect(heard.celery).toEqual(['b']));
      await observer.set('journal:a', '1');
      await vi.waitFor(() => expect(heard.journal).toEqual(['a']));
      expect(heard.once).toEqual(['a']); // celery's key did not use up journal's once listener
      expect(heard.celery).toEqual(['b']);
      journalView.removeAllListeners('invalidate');
      expect(tracked.listenerCount('invalidate')).toBe(1); // celery's only
    });
  }
});
