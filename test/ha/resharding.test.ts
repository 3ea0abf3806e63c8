import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { createCluster as createNodeRedis6Cluster } from 'redis';
import { createIsolatedRedis } from '../../src/index.js';
import { IOREDIS_VERSIONS } from '../support/ioredis-versions.js';
import { NODE_REDIS_VERSIONS } from '../support/node-redis-versions.js';
import { infoFields, redisCommand, startRedisCluster, type RunningCluster } from '../support/redis-server.js';
import { expectPrefixedOnce, keepRunning } from './helpers.js';

const namespaces = ['a', 'b'];
type NodeRedisCluster = ReturnType<typeof createNodeRedis6Cluster>;

// Three masters of this file's own (slots move between them).
let cluster: RunningCluster;
beforeAll(async () => {
  cluster = await startRedisCluster(3);
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

const masterPorts = async (): Promise<number[]> => (await cluster.masters()).map((master) => master.port);
const allKeys = async (): Promise<string[]> => (await Promise.all((await masterPorts()).map(async (port) => (await redisCommand(port, 'KEYS', '*')) as string[]))).flat().sort();
/** How many ASK and MOVED error replies the masters sent so far (INFO errorstats). */
const redirections = async (): Promise<{ ask: number; moved: number }> => {
  let ask = 0;
  let moved = 0;
  for (const port of await masterPorts()) {
    const stats = infoFields(await redisCommand(port, 'INFO', 'errorstats'));
    ask += Number(/count=(\d+)/.exec(stats.get('errorstat_ASK') ?? '')?.[1] ?? 0);
    moved += Number(/count=(\d+)/.exec(stats.get('errorstat_MOVED') ?? '')?.[1] ?? 0);
  }
  return { ask, moved };
};

interface Views {
  incr(namespace: 'a' | 'b', key: string): Promise<unknown>;
  get(namespace: 'a' | 'b', key: string): Promise<string | null>;
}

/**
 * Moves the slot of the hash tag `{moving}` to another master while views of two namespaces
 * increment counters in it (keys that move, keys created after the move began) and read them:
 * the drivers follow ASK during the migration and MOVED after it. Every command settles and
 * succeeds, each key is on the target with its prefix once, and each counter holds exactly the
 * number of increments acknowledged: none lost, none applied twice.
 */
async function migrateUnderLoad(views: Views): Promise<void> {
  const slot = await cluster.keySlot('moving');
  const from = await cluster.slotOwner(slot);
  const to = (await masterPorts()).find((port) => port !== from) as number;
  const keys = Array.from({ length: 8 }, (_, i) => `{moving}:k${i}`);
  for (const key of keys) for (const namespace of ['a', 'b'] as const) await views.incr(namespace, key);
  const acknowledged = new Map<string, number>(keys.flatMap((key) => [[`a:${key}`, 1] as const, [`b:${key}`, 1] as const]));
  const before = await redirections();

  const load = keepRunning(async (lane, i) => {
    const namespace = lane === 0 ? 'a' : 'b';
    // Keys that existed before the migration, and one new key per round: created on the target through ASK.
    const key = i % 3 === 2 ? `{moving}:new${i}` : (keys[i % keys.length] as string);
    await views.incr(namespace, key);
    acknowledged.set(`${namespace}:${key}`, (acknowledged.get(`${namespace}:${key}`) ?? 0) + 1);
    return views.get(namespace, key);
  });
  const migration = await cluster.startSlotMigration(slot, to);
  await migration.moveKeys(6);
  await new Promise((resolve) => setTimeout(resolve, 200));
  await migration.finish();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const results = await load.stop();

  expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
  const after = await redirections();
  expect(after.ask).toBeGreaterThan(before.ask);
  expect(after.moved).toBeGreaterThan(before.moved);
  const stored = await allKeys();
  expectPrefixedOnce(stored, namespaces);
  expect(stored.sort()).toEqual([...acknowledged.keys()].sort());
  expect((await redisCommand(to, 'KEYS', '*{moving}*')) as string[]).toHaveLength(acknowledged.size);
  for (const [key, count] of acknowledged) expect(Number(await redisCommand(to, 'GET', key))).toBe(count);
}

describe.each(IOREDIS_VERSIONS)('$name, a slot moving under a Cluster view', ({ Cluster: ClusterClass }) => {
  beforeEach(async () => {
    for (const port of await masterPorts()) await redisCommand(port, 'FLUSHALL');
  });

  it('follows ASK and MOVED with the prefix once, nothing lost or applied twice', async () => {
    const raw = new ClusterClass((await masterPorts()).map((port) => ({ host: '127.0.0.1', port })));
    raw.on('error', () => undefined);
    const a = createIsolatedRedis({ namespace: 'a', namespaces, client: raw });
    const b = createIsolatedRedis({ namespace: 'b', namespaces, client: raw });
    try {
      await migrateUnderLoad({
        incr: (namespace, key) => (namespace === 'a' ? a : b).incr(key),
        get: (namespace, key) => (namespace === 'a' ? a : b).get(key),
      });
    } finally {
      raw.disconnect();
    }
  }, 30_000);
});

describe.each(NODE_REDIS_VERSIONS)('$name, a slot moving under a cluster view', ({ createCluster }) => {
  beforeEach(async () => {
    for (const port of await masterPorts()) await redisCommand(port, 'FLUSHALL');
  });

  it('follows ASK and MOVED with the prefix once, nothing lost or applied twice', async () => {
    const raw = createCluster({ rootNodes: (await masterPorts()).map((port) => ({ url: `redis://127.0.0.1:${port}` })) }) as unknown as NodeRedisCluster;
    raw.on('error', () => undefined);
    await raw.connect();
    const a = createIsolatedRedis({ namespace: 'a', namespaces, client: raw });
    const b = createIsolatedRedis({ namespace: 'b', namespaces, client: raw });
    try {
      await migrateUnderLoad({
        incr: (namespace, key) => (namespace === 'a' ? a : b).incr(key),
        get: (namespace, key) => (namespace === 'a' ? a : b).get(key),
      });
    } finally {
      await raw.close();
    }
  }, 30_000);

  it('runs a blocking command of a key in a migrating slot on the view\'s own connection, ASKING first there (chaos finding, fixed)', async () => {
    const raw = createCluster({ rootNodes: (await masterPorts()).map((port) => ({ url: `redis://127.0.0.1:${port}` })) }) as unknown as NodeRedisCluster;
    raw.on('error', () => undefined);
    await raw.connect();
    const a = createIsolatedRedis({ namespace: 'a', namespaces, client: raw });
    const slot = await cluster.keySlot('blocking');
    const from = await cluster.slotOwner(slot);
    const to = (await masterPorts()).find((port) => port !== from) as number;
    const migration = await cluster.startSlotMigration(slot, to);
    try {
      // The key does not exist on the source: the source answers ASK, the target serves it.
      expect(await a.blPop('{blocking}:q', 0.1)).toBeNull();
      await a.rPush('{blocking}:q', 'job');
      expect(await a.blPop('{blocking}:q', 1)).toEqual({ key: '{blocking}:q', element: 'job' });
    } finally {
      await migration.finish();
      await raw.close();
    }
    expect(await allKeys()).toEqual([]);
  }, 30_000);
});
