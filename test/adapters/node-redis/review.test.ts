import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { createCluster as createNodeRedis6Cluster } from 'redis';
import * as redis6 from 'redis';
import * as redis5 from 'redis5';
import { BlockedCommandError, CrossNamespaceError, createIsolatedRedis, type Isolated } from '../../../src/index.js';
import { NODE_REDIS_VARIANTS, NODE_REDIS_VERSIONS } from '../../support/node-redis-versions.js';
import { startRedisServer, type RunningRedis } from '../../support/redis-server.js';
import { trackedNodeRedis, type NodeRedisTestClient as Client } from '../../support/node-redis-views.js';

/**
 * A reviewer's attacks on the node-redis adapter's connection isolation: two views (`journal`,
 * `celery`) over one raw client, pool or cluster. Each test is the regression test of a defect
 * found that way.
 */
const namespaces = ['journal', 'celery'];
type Cluster = ReturnType<typeof createNodeRedis6Cluster>;
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
    await closeAll();
  });

  it('a WATCH among the commands of multi() is refused before anything is queued (shared and owned views)', async () => {
    // Redis answers WATCH inside MULTI with an error, node-redis rejects exec(), and EXEC still committed `a` and `c`.
    const batch = journal.multi().set('a', '1').addCommand(['WATCH', 'b']).set('c', '1');
    await expect(batch.exec()).rejects.toBeInstanceOf(BlockedCommandError);
    const own = journal.duplicate();
    track(own);
    await own.connect();
    await expect(own.multi().set('a', '1').addCommand(['WATCH', 'b']).set('c', '1').exec()).rejects.toBeInstanceOf(BlockedCommandError);
    expect(await raw.exists(['journal:a', 'journal:c'])).toBe(0);
    // UNWATCH is queued like any command (EXEC ends every watch anyway): allowed.
    expect(await journal.multi().set('a', '1').addCommand(['UNWATCH']).exec()).toEqual(['OK', 'OK']);
    await own.close();
  });

  it("a view's emit(), listeners() and off() reach only its own listeners", async () => {
    const heard = { journal: [] as unknown[], celery: [] as unknown[] };
    const celeryListener = (key: unknown): void => void heard.celery.push(key === null ? null : String(key));
    const journalListener = (key: unknown): void => void heard.journal.push(key === null ? null : String(key));
    celery.on('invalidate', celeryListener);
    journal.on('invalidate', journalListener);
    const errorListener = (): void => undefined;
    celery.on('error', errorListener);
    try {
      // Before: journal.emit('invalidate', 'celery:secret') told celery's listener that "secret" changed.
      expect(() => journal.emit('invalidate', 'celery:secret')).toThrow(CrossNamespaceError);
      journal.emit('invalidate', 'secret');
      expect(heard).toEqual({ journal: ['secret'], celery: [] });
      // Before: listeners() handed out celery's wrapper, which delivers whatever it is called with.
      expect(journal.listeners('invalidate')).toEqual([journalListener]);
      expect(journal.rawListeners('invalidate')).toEqual([journalListener]);
      // Before: off() removed celery's listener from the client.
      const count = raw.listenerCount('error');
      journal.off('error', errorListener);
      journal.removeListener('invalidate', celeryListener);
      expect(raw.listenerCount('error')).toBe(count);
      celery.emit('invalidate', 'mine');
      expect(heard.celery).toEqual(['mine']);
    } finally {
      celery.removeAllListeners('invalidate');
      celery.removeAllListeners('error');
      journal.removeAllListeners('invalidate');
    }
  });

  it("after quit() or destroy() a watching view's next transaction fails rather than commit unguarded", async () => {
    for (const end of [(v: Isolated<Client>) => v.quit(), (v: Isolated<Client>) => v.destroy()]) {
      const mine = viewOf('journal', raw);
      await mine.set('balance', '10');
      await mine.watch('balance');
      await end(mine);
      await observer.set('journal:balance', '11');
      // Before: the MULTI ran on a new exclusive connection, with no watch, and committed.
      await expect(mine.multi().set('balance', '12').exec()).rejects.toThrow(/WATCH/);
      expect(await raw.get('journal:balance')).toBe('11');
      expect(await mine.multi().set('balance', '13').exec()).toEqual(['OK']);
      await mine.quit();
    }
  });

  if (RESP === 3) {
    it("a view of a pool reaches only its namespace's cached replies (clientSideCache)", async () => {
      const createClientPool = (major === 5 ? redis5.createClientPool : redis6.createClientPool) as unknown as (
        clientOptions: Record<string, unknown>,
        poolOptions: Record<string, unknown>,
      ) => ReturnType<typeof redis6.createClientPool>;
      const pool = createClientPool({ url: `${server.url}/${db}`, ...options }, { clientSideCache: { ttl: 0, maxEntries: 0 }, minimum: 1, maximum: 1 });
      pool.on('error', () => undefined);
      await pool.connect();
      try {
        const mine = createIsolatedRedis({ namespace: 'journal', namespaces, client: pool });
        const theirs = createIsolatedRedis({ namespace: 'celery', namespaces, client: pool });
        await theirs.set('secret', 'CELERY-SECRET');
        await mine.set('own', 'mine');
        expect(await theirs.get('secret')).toBe('CELERY-SECRET');
        expect(await mine.get('own')).toBe('mine');
        const cache = mine.clientSideCache as unknown as {
          keySetEntries(): Iterable<[string, Set<string>]>;
          set(cacheKey: string, entry: unknown, keys: string[]): void;
          invalidate(key: string | null): void;
        };
        // Before: the pool's own cache, with celery's entries.
        expect([...cache.keySetEntries()].map(([key]) => key)).toEqual(['journal:own']);
        expect(() => cache.set('x', {}, ['celery:secret'])).toThrow(BlockedCommandError);
        expect(() => cache.invalidate('celery:secret')).toThrow(CrossNamespaceError);
      } finally {
        await pool.close();
      }
    });
  }
});

describe.each(NODE_REDIS_VERSIONS)('$name, Redis Cluster', ({ createCluster, major }) => {
  let raw: Cluster;
  let journal: Isolated<Cluster>;
  // Other files flush the shared cluster: keys of this file's own, in one slot.
  const key = (name: string): string => `review-${name}{nr${major}}`;

  beforeAll(async () => {
    raw = createCluster({ rootNodes: inject('redisClusterPorts').map((port) => ({ url: `redis://127.0.0.1:${port}` })) }) as unknown as Cluster;
    raw.on('error', () => undefined);
    await raw.connect();
    journal = createIsolatedRedis({ namespace: 'journal', namespaces, client: raw });
  });
  afterAll(async () => {
    await journal.quit();
    await raw.close();
  });

  it('a WATCH among the commands of multi() is refused before anything is queued (shared and owned views)', async () => {
    const batch = journal.multi().set(key('a'), '1').addCommand(key('b'), false, ['WATCH', key('b')]).set(key('c'), '1');
    await expect(batch.exec()).rejects.toBeInstanceOf(BlockedCommandError);
    const own = journal.duplicate();
    await own.connect();
    await expect(own.multi().set(key('a'), '1').addCommand(key('b'), false, ['WATCH', key('b')]).exec()).rejects.toBeInstanceOf(BlockedCommandError);
    await own.close();
    expect(await raw.exists([`journal:${key('a')}`, `journal:${key('c')}`])).toBe(0);
  });
});
