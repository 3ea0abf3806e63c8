import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CrossNamespaceError, createIsolatedRedis, defineNamespaces, type Isolated } from '../../../src/index.js';
import { closeViewConnections } from '../../../src/adapters/own-connections.js';
import { NODE_REDIS_VARIANTS } from '../../support/node-redis-versions.js';
import { startRedisServer, type RunningRedis } from '../../support/redis-server.js';
import type { NodeRedisTestClient as Client } from '../../support/node-redis-views.js';

/**
 * Issue 14 on node-redis: views are cheap and leave nothing behind on the client they share, and
 * every view over one client, whatever its namespace, subscribes on one shared subscriber
 * connection, with messages and unsubscriptions of its own.
 */
const deployment = defineNamespaces({ namespaces: ['journal', 'celery'], families: ['tenant-*'] });

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Collects garbage until nothing more goes (WeakRefs are cleared between turns of the event loop). */
async function collect(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

type Listener = (message: string, channel: string) => void;

let server: RunningRedis;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server.stop();
});

describe.each(NODE_REDIS_VARIANTS.map((variant, i) => ({ ...variant, db: i + 1 })))('$label: cheap views', ({ createClient, options, db, RESP, major }) => {
  const clients: Client[] = [];
  /** A raw client of the variant, named `name` so that its connections and its duplicates' can be counted. */
  const client = (name: string, extra: Record<string, unknown> = {}): Client => {
    const c = createClient({ url: `${server.url}/${db}`, name, ...options, ...extra }) as Client;
    c.on('error', () => undefined);
    clients.push(c);
    return c;
  };
  const view = (namespace: string, over: Client, mode?: 'strict'): Isolated<Client> =>
    createIsolatedRedis({ namespace, namespaces: deployment, client: over, ...(mode ? { mode } : {}) });
  /** Channels are server-wide: each variant its own names. */
  const tag = `${major}-${RESP}`;
  let observer: Client;
  let serial = 0;
  /** A connected raw client with a name of its own. */
  const fresh = async (extra: Record<string, unknown> = {}): Promise<Client> => {
    const c = client(`cv-${tag}-${++serial}`, extra);
    await c.connect();
    return c;
  };
  /** The connections named like `c` (its own and its duplicates'), optionally of one type. */
  const connectionsOf = async (c: Client, type?: 'pubsub' | 'normal'): Promise<number> => {
    const name = String(c.options?.name);
    const list = String(await observer.sendCommand(['CLIENT', 'LIST', ...(type ? ['TYPE', type] : [])]));
    return list.split('\n').filter((line) => line.includes(` name=${name} `)).length;
  };

  beforeAll(async () => {
    observer = client('observer');
    await observer.connect();
  });
  afterAll(async () => {
    for (const c of clients) await closeViewConnections(c);
    await Promise.all(clients.filter((c) => c.isOpen).map((c) => c.close()));
  });

  it('a view that is dropped leaves nothing behind on the client: no own property, listener, subscription or timer, and is collected', async () => {
    const raw = await fresh();
    const ownBefore = Reflect.ownKeys(raw).length;
    const events = (): Record<string, number> => Object.fromEntries(raw.eventNames().map((event) => [String(event), raw.listenerCount(event)]));
    const eventsBefore = events();
    const timers = (): number => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
    const timersBefore = timers();
    const refs: Array<WeakRef<object>> = [];
    await (async () => {
      for (let i = 0; i < 200; i++) {
        const v = view(`tenant-${i}`, raw);
        refs.push(new WeakRef(v));
        expect(v.isolation.namespace).toBe(`tenant-${i}`);
        await v.set('k', String(i));
        expect(await v.withTypeMapping({}).get('k')).toBe(String(i));
        expect(await v.multi().get('k').exec()).toEqual([String(i)]);
        const onError = (): void => undefined;
        v.on('error', onError);
        v.off('error', onError);
        if (i % 10 === 0) {
          await v.subscribe('news', () => undefined);
          await v.pSubscribe('n*', () => undefined);
          await v.unsubscribe('news');
          await v.pUnsubscribe();
        }
        if (i % 50 === 0) {
          expect(await v.blPop('empty', 0.01)).toBeNull(); // opens the view's exclusive connection
          await v.quit();
        }
      }
    })();
    await collect();
    expect(refs.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
    expect(Reflect.ownKeys(raw)).toHaveLength(ownBefore);
    expect(events()).toEqual(eventsBefore);
    expect(raw.getPubSubListeners('CHANNELS' as never).size).toBe(0);
    expect(timers()).toBeLessThanOrEqual(timersBefore);
    // The subscriber closed with its last subscription, and each exclusive connection with its view.
    await vi.waitFor(async () => expect(await connectionsOf(raw)).toBe(1));
    expect(await raw.get('tenant-7:k')).toBe('7');
  });

  it('many views of several namespaces subscribe on one shared subscriber connection, each hearing only its own messages', async () => {
    const raw = await fresh();
    const heard = new Map<string, unknown[]>();
    const views: Array<{ id: string; namespace: string; v: Isolated<Client> }> = [];
    for (let n = 0; n < 10; n++) {
      for (let k = 0; k < 5; k++) {
        const namespace = `tenant-${n}`;
        const id = `${namespace}/${k}`;
        const v = view(namespace, raw);
        views.push({ id, namespace, v });
        heard.set(id, []);
        const listener = (kind: string): Listener => (message, channel) => heard.get(id)?.push([kind, message, channel]);
        await v.subscribe(`news-${tag}`, listener('message'));
        await v.pSubscribe(`n*-${tag}`, listener('pmessage'));
        await v.sSubscribe(`shard-${tag}`, listener('smessage'));
      }
    }
    expect(await connectionsOf(raw, 'pubsub')).toBe(1);
    expect(raw.isPubSubActive).toBe(false); // the client's own connection never subscribed
    expect(await observer.pubSubNumSub([`tenant-3:news-${tag}`])).toEqual({ [`tenant-3:news-${tag}`]: 1 });
    for (let n = 0; n < 10; n++) {
      const publisher = view(`tenant-${n}`, observer);
      await publisher.publish(`news-${tag}`, `for ${n}`);
      await publisher.sPublish(`shard-${tag}`, `sharded ${n}`);
    }
    await vi.waitFor(() => expect([...heard.values()].every((got) => got.length === 3)).toBe(true));
    for (const { id, namespace } of views) {
      const n = namespace.slice('tenant-'.length);
      expect(heard.get(id)).toEqual(
        expect.arrayContaining([
          ['message', `for ${n}`, `news-${tag}`],
          ['pmessage', `for ${n}`, `news-${tag}`],
          ['smessage', `sharded ${n}`, `shard-${tag}`],
        ]),
      );
    }
    await Promise.all(views.map(({ v }) => v.quit()));
    await vi.waitFor(async () => expect(await connectionsOf(raw, 'pubsub')).toBe(0));
  });

  it("unsubscribe(channel) without a listener, and unsubscribe() with none at all, end only the view's own listeners", async () => {
    const raw = await fresh();
    const [a, b, c] = [view('journal', raw), view('journal', raw), view('celery', raw)];
    const got: unknown[] = [];
    const shared: Listener = (message, channel) => got.push(['shared', message, channel]);
    await a.subscribe(`news-${tag}`, shared);
    await b.subscribe(`news-${tag}`, shared); // the same function: each view registers its own
    await b.subscribe(`news-${tag}`, (message) => got.push(['b', message]));
    await c.subscribe(`news-${tag}`, (message) => got.push(['c', message]));
    await a.pSubscribe(`n*-${tag}`, (message) => got.push(['a pattern', message]));
    await b.pSubscribe(`n*-${tag}`, (message) => got.push(['b pattern', message]));

    await a.unsubscribe(`news-${tag}`);
    await a.pUnsubscribe();
    expect(a.isPubSubActive).toBe(false);
    expect(b.isPubSubActive).toBe(true);
    expect([...b.getPubSubListeners('CHANNELS' as never).keys()]).toEqual([`news-${tag}`]);
    expect(a.getPubSubListeners('CHANNELS' as never).size).toBe(0);
    expect(await observer.pubSubNumSub([`journal:news-${tag}`, `celery:news-${tag}`])).toEqual({ [`journal:news-${tag}`]: 1, [`celery:news-${tag}`]: 1 });

    await view('journal', observer).publish(`news-${tag}`, 'j');
    await view('celery', observer).publish(`news-${tag}`, 'c');
    await vi.waitFor(() => expect(got).toHaveLength(4));
    expect(got).toEqual(expect.arrayContaining([['shared', 'j', `news-${tag}`], ['b', 'j'], ['b pattern', 'j'], ['c', 'c']]));

    // b's listener removed by function: c's and b's other listener stay.
    await b.unsubscribe(`news-${tag}`, shared);
    await b.unsubscribe();
    expect(await observer.pubSubNumSub([`journal:news-${tag}`, `celery:news-${tag}`])).toEqual({ [`journal:news-${tag}`]: 0, [`celery:news-${tag}`]: 1 });
    await Promise.all([a.quit(), b.quit(), c.quit()]);
  });

  it("a view's unsubscribe racing another view's subscription to the same channel leaves the other subscribed", async () => {
    const raw = await fresh();
    const [a, b] = [view('journal', raw), view('journal', raw)];
    const got: unknown[] = [];
    const listener: Listener = () => undefined;
    // Neither SUBSCRIBE is confirmed when b leaves: b's UNSUBSCRIBE must not end the channel for a.
    await Promise.all([a.subscribe(`race-${tag}`, (message) => got.push(message)), b.subscribe(`race-${tag}`, listener), b.unsubscribe(`race-${tag}`, listener)]);
    expect(await observer.pubSubNumSub([`journal:race-${tag}`])).toEqual({ [`journal:race-${tag}`]: 1 });
    await view('journal', observer).publish(`race-${tag}`, 'still');
    await vi.waitFor(() => expect(got).toEqual(['still']));
    await Promise.all([a.quit(), b.quit()]);
  });

  it("a listener that throws does not keep other namespaces' views from their messages; the error reaches the view's own error listeners", async () => {
    const raw = await fresh();
    const errors: unknown[] = [];
    const [thrower, other] = [view('journal', raw), view('celery', raw)];
    thrower.on('error', (error: unknown) => errors.push(error));
    const got: unknown[] = [];
    await thrower.subscribe(`boom-${tag}`, () => {
      throw new Error('listener failed');
    });
    await other.subscribe(`boom-${tag}`, (message) => got.push(message));
    // Both messages in one reply, read together by the subscriber.
    await observer.multi().publish(`journal:boom-${tag}`, 'x').publish(`celery:boom-${tag}`, 'for celery').exec();
    await vi.waitFor(() => expect(got).toEqual(['for celery']));
    await vi.waitFor(() => expect(errors).toEqual([expect.objectContaining({ message: 'listener failed' })]));
    await Promise.all([thrower.quit(), other.quit()]);
  });

  it('strict mode: views of one namespace given the same listener keep separate registrations', async () => {
    const raw = await fresh();
    const [a, b] = [view('journal', raw, 'strict'), view('journal', raw, 'strict')];
    const got: unknown[] = [];
    const listener: Listener = (message, channel) => got.push([message, channel]);
    await a.subscribe(`journal:strict-${tag}`, listener);
    await b.subscribe(`journal:strict-${tag}`, listener);
    await expect(a.subscribe(`celery:strict-${tag}`, listener)).rejects.toBeInstanceOf(CrossNamespaceError);
    await a.unsubscribe(`journal:strict-${tag}`, listener);
    await observer.publish(`journal:strict-${tag}`, 'kept');
    await vi.waitFor(() => expect(got).toEqual([['kept', `journal:strict-${tag}`]]));
    await Promise.all([a.quit(), b.quit()]);
  });

  it("closeViewConnections(client) closes the shared subscriber and the views' exclusive connections; views open them again when needed", async () => {
    const raw = await fresh();
    const [a, b] = [view('journal', raw), view('celery', raw)];
    await a.subscribe(`closing-${tag}`, () => undefined);
    expect(await b.blPop('empty', 0.01)).toBeNull();
    expect(await connectionsOf(raw)).toBe(3);
    await closeViewConnections(raw);
    await vi.waitFor(async () => expect(await connectionsOf(raw)).toBe(1));
    expect(a.isPubSubActive).toBe(false);
    expect(a.getPubSubListeners('CHANNELS' as never).size).toBe(0);
    const got: unknown[] = [];
    await a.subscribe(`closing-${tag}`, (message) => got.push(message));
    await view('journal', observer).publish(`closing-${tag}`, 'again');
    await vi.waitFor(() => expect(got).toEqual(['again']));
    expect(await b.blPop('empty', 0.01)).toBeNull();
    expect(raw.isOpen).toBe(true);
    await Promise.all([a.quit(), b.quit()]);
    await vi.waitFor(async () => expect(await connectionsOf(raw)).toBe(1));
  });

  it('closing the client closes what its views opened, dropped views included, and then the client holds no listener of theirs', async () => {
    const c = await fresh();
    const ends = c.listenerCount('end');
    let subscriber: Isolated<Client> | undefined = view('tenant-1', c);
    await subscriber.subscribe('events', () => undefined);
    await view('tenant-2', c).blPop('q', 0.01);
    subscriber = undefined; // dropped without unsubscribing or quitting
    expect(await connectionsOf(c)).toBe(3);
    expect(c.listenerCount('end')).toBe(ends + 1); // one for the client, however many views opened connections
    c.destroy();
    await vi.waitFor(async () => expect(await connectionsOf(c)).toBe(0));
    expect(c.listenerCount('end')).toBe(ends);
  });

  it('views over a pool are collected once dropped, and their lent clients keep working for other views', async () => {
    const raw = await fresh();
    const pool = raw.createPool({ minimum: 1, maximum: 2 } as never) as unknown as Client;
    await pool.connect();
    const refs: Array<WeakRef<object>> = [];
    await (async () => {
      for (let i = 0; i < 50; i++) {
        const v = view(`tenant-${i}`, pool);
        refs.push(new WeakRef(v));
        await v.set('p', String(i));
      }
    })();
    await collect();
    expect(refs.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
    expect(await view('tenant-9', pool).get('p')).toBe('9');
    await (pool as unknown as { close(): Promise<void> }).close();
  });

  // Client-side caching needs RESP3.
  if (RESP === 3) {
    it("the client-side cache facade of each of many views reaches only its namespace's entries", async () => {
      const cached = await fresh({ clientSideCache: { ttl: 0, maxEntries: 0 } });
      /** The facade a view's `clientSideCache` is (see the README). */
      type Facade = { size(): number; has(key: string): boolean; get(key: string): unknown; clear(): void; entryEntries(): IterableIterator<[string, unknown]> };
      const cacheOf = (v: Isolated<Client>): Facade => v.clientSideCache as unknown as Facade;
      const journals = [view('journal', cached), view('journal', cached)];
      const celery = view('celery', cached);
      await view('journal', observer).set('k', 'journal value');
      await view('celery', observer).set('k', 'celery value');
      expect(await journals[0]?.get('k')).toBe('journal value');
      expect(await celery.get('k')).toBe('celery value');
      // Views of one namespace share its entries; another namespace's are out of reach.
      expect(journals.map((v) => cacheOf(v).size())).toEqual([1, 1]);
      const [journalKey] = [...cacheOf(journals[1] as Isolated<Client>).entryEntries()].map(([key]) => key);
      expect(journalKey).toBeDefined();
      expect(cacheOf(celery).has(journalKey as string)).toBe(false);
      expect(cacheOf(celery).get(journalKey as string)).toBeUndefined();
      cacheOf(celery).clear();
      expect(cacheOf(journals[0] as Isolated<Client>).size()).toBe(1);
      expect(cacheOf(celery).size()).toBe(0);
    });
  }
});
