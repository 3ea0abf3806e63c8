import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Cluster } from 'ioredis';
import type { createCluster as createNodeRedis6Cluster } from 'redis';
import { CrossNamespaceError, SharedConnectionError, createIsolatedRedis, type CommandEvent, type Isolated } from '../../src/index.js';
import { IOREDIS_VERSIONS } from '../support/ioredis-versions.js';
import { NODE_REDIS_VERSIONS } from '../support/node-redis-versions.js';
import { redisCommand, startRedisCluster, type RunningCluster } from '../support/redis-server.js';
import { callsOf, expectPrefixedOnce, keepRunning, waitForReplication } from './helpers.js';

const namespaces = ['a', 'b'];
type NodeRedisCluster = ReturnType<typeof createNodeRedis6Cluster>;

// Three masters with a replica each, of this file's own (failovers change who is master).
let cluster: RunningCluster;
beforeAll(async () => {
  cluster = await startRedisCluster(3, { replicas: 1 });
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

const mastersAndReplicas = async (): Promise<{ masters: number[]; replicas: number[] }> => {
  const masters = await cluster.masters();
  return { masters: masters.map((master) => master.port), replicas: masters.flatMap((master) => master.replicas) };
};
const sumOf = async (ports: readonly number[], command: string): Promise<number> => (await Promise.all(ports.map((port) => callsOf(port, command)))).reduce((x, y) => x + y, 0);
const allKeys = async (): Promise<string[]> => {
  const { masters } = await mastersAndReplicas();
  return (await Promise.all(masters.map(async (port) => (await redisCommand(port, 'KEYS', '*')) as string[]))).flat().sort();
};
const flushMasters = async (): Promise<void> => {
  for (const port of (await mastersAndReplicas()).masters) await redisCommand(port, 'FLUSHALL');
};
/** A hash tag (`{t3}`) whose slot the master on `port` serves: keys of every namespace with it live there. */
const tagServedBy = async (port: number): Promise<string> => {
  for (let i = 0; ; i++) if ((await cluster.slotOwner(await cluster.keySlot(`t${i}`))) === port) return `{t${i}}`;
};

/**
 * The failover of the master serving `key` while views of two namespaces write: every command
 * settles, each success is reported once, nothing is applied more often than asked, every key
 * has its prefix once, and the writes after the failover land on the promoted replica.
 */
async function failoverUnderLoad(incr: (namespace: 'a' | 'b', key: string) => Promise<unknown>, events: CommandEvent[], masterPort: number, perAttempt = false): Promise<void> {
  const key = `${await tagServedBy(masterPort)}:n`;
  const loadA = keepRunning(() => incr('a', key), 1);
  const loadB = keepRunning(() => incr('b', key), 1);
  const { to } = await cluster.failover(masterPort);
  const [resultsA, resultsB] = [await loadA.stop(), await loadB.stop()];
  const fulfilledA = resultsA.filter((result) => result.status === 'fulfilled').length;
  expect(fulfilledA).toBeGreaterThan(0);
  expect(events.filter((event) => event.command === 'incr' && event.ok)).toHaveLength(fulfilledA);
  // node-redis 5 runs a cluster's commands on node views, which report each attempt: a MOVED
  // the driver followed shows as a failed attempt before the successful one.
  const failed = events.filter((event) => event.command === 'incr' && !event.ok).length;
  if (perAttempt) expect(failed).toBeGreaterThanOrEqual(resultsA.length - fulfilledA);
  else expect(failed).toBe(resultsA.length - fulfilledA);
  expectPrefixedOnce(await allKeys(), namespaces);
  expect(Number(await redisCommand(to, 'GET', `a:${key}`))).toBeLessThanOrEqual(resultsA.length);
  const before = Number(await redisCommand(to, 'GET', `b:${key}`));
  expect(before).toBeLessThanOrEqual(resultsB.length);
  await incr('b', key);
  expect(Number(await redisCommand(to, 'GET', `b:${key}`))).toBe(before + 1);
}

describe.each(IOREDIS_VERSIONS)("$name, Cluster with replicas (scaleReads: 'slave')", ({ Cluster: ClusterClass }) => {
  let raw: Cluster;
  let a: Isolated<Cluster>;
  let b: Isolated<Cluster>;
  beforeAll(async () => {
    const { masters } = await mastersAndReplicas();
    raw = new ClusterClass(
      masters.map((port) => ({ host: '127.0.0.1', port })),
      { scaleReads: 'slave' },
    );
    raw.on('error', () => undefined);
    a = createIsolatedRedis({ namespace: 'a', namespaces, client: raw });
    b = createIsolatedRedis({ namespace: 'b', namespaces, client: raw });
  });
  beforeEach(flushMasters);
  afterAll(async () => {
    await Promise.all([a.quit(), b.quit()].map((done) => done.catch(() => undefined)));
    raw.disconnect();
  });

  it('reads from the replicas, confined', async () => {
    for (let i = 0; i < 10; i++) await a.set(`k${i}`, `a${i}`);
    await b.set('k0', 'b0');
    const { masters, replicas } = await mastersAndReplicas();
    for (const port of masters) await waitForReplication(port);
    const [replicaGets, masterGets] = [await sumOf(replicas, 'get'), await sumOf(masters, 'get')];
    for (let i = 0; i < 10; i++) expect(await a.get(`k${i}`)).toBe(`a${i}`);
    expect(await b.get('k0')).toBe('b0');
    expect(await a.mget('{t}1', '{t}2')).toEqual([null, null]);
    await expect(a.get('b:k0')).rejects.toBeInstanceOf(CrossNamespaceError);
    expect(await sumOf(replicas, 'get')).toBe(replicaGets + 11);
    expect(await sumOf(masters, 'get')).toBe(masterGets);
    expect(await allKeys()).toEqual([...Array.from({ length: 10 }, (_, i) => `a:k${i}`), 'b:k0'].sort());
  });

  it('refuses READONLY and READWRITE on the shared connections; a duplicate of its own may send them', async () => {
    await expect(a.call('READONLY')).rejects.toBeInstanceOf(SharedConnectionError);
    await expect(a.call('READWRITE')).rejects.toBeInstanceOf(SharedConnectionError);
    await expect(a.pipeline().get('k').call('READWRITE').exec()).rejects.toBeInstanceOf(SharedConnectionError);
    // The replicas still serve b's reads: nothing switched their connections back.
    await a.set('k', 'v');
    const { masters } = await mastersAndReplicas();
    for (const port of masters) await waitForReplication(port);
    expect(await a.get('k')).toBe('v');
    const own = a.duplicate();
    try {
      expect(await own.call('READONLY')).toBe('OK');
    } finally {
      own.disconnect();
    }
  });

  it('fails a master over under load: every command settles, the prefix once', async () => {
    const events: CommandEvent[] = [];
    a.isolation.events.on('command', (event) => events.push(event));
    const { masters } = await mastersAndReplicas();
    await failoverUnderLoad((namespace, key) => (namespace === 'a' ? a : b).incr(key), events, masters[0] as number);
  }, 30_000);
});

describe.each(NODE_REDIS_VERSIONS)('$name, cluster with replicas (useReplicas)', ({ createCluster, major }) => {
  let raw: NodeRedisCluster;
  let a: Isolated<NodeRedisCluster>;
  let b: Isolated<NodeRedisCluster>;
  beforeAll(async () => {
    const { masters } = await mastersAndReplicas();
    raw = createCluster({ rootNodes: masters.map((port) => ({ url: `redis://127.0.0.1:${port}` })), useReplicas: true }) as unknown as NodeRedisCluster;
    raw.on('error', () => undefined);
    await raw.connect();
    a = createIsolatedRedis({ namespace: 'a', namespaces, client: raw });
    b = createIsolatedRedis({ namespace: 'b', namespaces, client: raw });
  });
  beforeEach(flushMasters);
  afterAll(async () => {
    await Promise.all([a.close(), b.close()].map((done) => done.catch(() => undefined)));
    await raw.close().catch(() => undefined);
  });

  it('spreads reads over the replicas, confined', async () => {
    await a.set('k', 'from a');
    await b.set('k', 'from b');
    const { masters, replicas } = await mastersAndReplicas();
    for (const port of masters) await waitForReplication(port);
    const replicaGets = await sumOf(replicas, 'get');
    for (let i = 0; i < 10; i++) {
      expect(await a.get('k')).toBe('from a');
      expect(await b.get('k')).toBe('from b');
    }
    await expect(a.get('b:k')).rejects.toBeInstanceOf(CrossNamespaceError);
    expect(await sumOf(replicas, 'get')).toBeGreaterThan(replicaGets);
    // The replica node clients the cluster exposes are views too.
    for (const replica of a.replicas) {
      const node = await a.nodeClient(replica);
      await expect(node.get('b:k')).rejects.toBeInstanceOf(CrossNamespaceError);
      await expect(node.sendCommand(['READWRITE'])).rejects.toBeInstanceOf(SharedConnectionError);
    }
    expect(await allKeys()).toEqual(['a:k', 'b:k']);
  });

  it('refuses READONLY and READWRITE on the shared node connections', async () => {
    await expect(a.sendCommand(undefined, true, ['READONLY'])).rejects.toBeInstanceOf(SharedConnectionError);
    await expect(a.sendCommand(undefined, false, ['READWRITE'])).rejects.toBeInstanceOf(SharedConnectionError);
    await expect(a.multi().get('k').sendCommand(['READWRITE']).execAsPipeline()).rejects.toBeInstanceOf(SharedConnectionError);
  });

  it('fails a master over under load: every command settles, the prefix once', async () => {
    const events: CommandEvent[] = [];
    a.isolation.events.on('command', (event) => events.push(event));
    const { masters } = await mastersAndReplicas();
    await failoverUnderLoad((namespace, key) => (namespace === 'a' ? a : b).incr(key), events, masters[1] as number, major === 5);
  }, 30_000);
});
