import { tmpdir } from 'node:os';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CliIo } from '../../../src/cli/io.js';
import { runKeyspaceCommand } from '../../../src/cli/keyspace/command.js';
import type { KeyspaceReport } from '../../../src/cli/keyspace/report.js';
import { startRedisServer, type RunningRedis } from '../../support/redis-server.js';

async function keyspace(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  // tmpdir holds no isolated-redis configuration: the namespaces come from the flags.
  const io: CliIo = { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), cwd: tmpdir(), env: {} };
  return { code: await runKeyspaceCommand(args, io), stdout, stderr };
}

const summary = (report: KeyspaceReport) =>
  Object.fromEntries([...report.namespaces, report.unknown].map((entry) => [entry.namespace ?? '(none)', [entry.keys, entry.withoutTtl, entry.sampled]]));

/** 30 mcp2 keys (10 of them expiring, one big hash), 12 celery keys, 4 keys in no namespace. */
async function seed(redis: Redis | Cluster, tag = ''): Promise<void> {
  const writes: Promise<unknown>[] = [];
  for (let i = 0; i < 29; i++) {
    const key = `mcp2${tag}:payload:${i}`;
    writes.push(i < 10 ? redis.set(key, 'x'.repeat(10), 'EX', 600) : redis.set(key, 'x'.repeat(10)));
  }
  writes.push(redis.hset(`mcp2${tag}:payload:29`, Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`field${i}`, 'v'.repeat(50)]))));
  for (let i = 0; i < 12; i++) writes.push(redis.rpush(`celery${tag}:queue:${i}`, 'job'));
  for (let i = 0; i < 4; i++) writes.push(redis.set(`stray${tag}:${i}`, 'y'));
  await Promise.all(writes);
}

describe('isolated-redis keyspace on a standalone server (database 14)', () => {
  let redis: Redis;
  let report: KeyspaceReport;

  beforeAll(async () => {
    redis = new Redis(`${inject('redisUrl')}/14`);
    await redis.flushdb();
    await seed(redis);
    const run = await keyspace(['--url', `${inject('redisUrl')}/14`, '--namespaces', 'mcp2,celery,journal', '--sample', '30', '--top', '2', '--count', '7', '--format', 'json']);
    expect(run.code).toBe(0);
    report = JSON.parse(run.stdout) as KeyspaceReport;
  });
  afterAll(async () => {
    await redis?.flushdb();
    redis?.disconnect();
  });

  it('counts keys, keys without TTL and sampled keys per namespace, and the keys in none', () => {
    expect(summary(report)).toEqual({ mcp2: [30, 20, 30], celery: [12, 12, 12], journal: [0, 0, 0], '(none)': [4, 4, 4] });
    expect(report.sampleSize).toBe(30);
    expect(report.unknown.examples.sort()).toEqual(['stray:0', 'stray:1', 'stray:2', 'stray:3']);
  });

  it('names the biggest sampled keys with their type', () => {
    const mcp2 = report.namespaces.find((entry) => entry.namespace === 'mcp2');
    expect(mcp2?.biggest.map((key) => key.type)).toEqual(['hash', 'string']);
    expect(mcp2?.biggest[0]?.key).toBe('mcp2:payload:29');
    const celery = report.namespaces.find((entry) => entry.namespace === 'celery');
    expect(celery?.biggest.map((key) => key.type)).toEqual(['list', 'list']);
  });

  it('reports an unbounded server without a memory ratio', () => {
    expect(report.server).toMatchObject({ maxMemory: 0, memoryRatio: null, evictionPolicy: 'noeviction' });
  });
});

describe('isolated-redis keyspace under memory pressure (own server)', () => {
  let server: RunningRedis;
  let redis: Redis;

  beforeAll(async () => {
    server = await startRedisServer();
    redis = new Redis(server.url);
    await seed(redis);
    const used = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);
    await redis.config('SET', 'maxmemory', String(Math.ceil(used / 0.8)));
    await redis.config('RESETSTAT');
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  it('recommends moving the heaviest namespace to its own instance, by name', async () => {
    const run = await keyspace(['--url', server.url, '--namespaces', 'mcp2,celery,journal']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/memory is at (7[1-9]|8\d)% of maxmemory \(above 70%\): move namespace "mcp2" \(~\d+% of the keyspace's memory\) to its own instance/);
    expect(run.stdout).toContain('namespace "mcp2" dominates memory');
    expect(run.stdout).toMatch(/^mcp2 +30 +20 +30 /m);
  });

  it('only reads: the server saw no write and no KEYS', async () => {
    await keyspace(['--url', server.url, '--namespaces', 'mcp2,celery']);
    const commands = [...(await redis.info('commandstats')).matchAll(/^cmdstat_([^:]+):/gm)].map((match) => match[1]);
    // `info` and `config` are this test's own connection reading the stats.
    expect(commands.filter((name) => !['scan', 'pttl', 'memory|usage', 'type', 'info', 'config|resetstat', 'client|setinfo'].includes(name as string))).toEqual([]);
    expect(commands).toContain('scan');
  });
});

describe('isolated-redis keyspace on a Redis Cluster (every master scanned)', () => {
  let cluster: Cluster;
  const tag = `-ks${process.pid}`;

  beforeAll(async () => {
    cluster = new Cluster(inject('redisClusterPorts').map((port) => ({ host: '127.0.0.1', port })));
    await seed(cluster, tag);
  });
  afterAll(async () => {
    for (const node of cluster.nodes('master')) {
      const keys: string[] = [];
      for (const pattern of [`mcp2${tag}:*`, `celery${tag}:*`, `stray${tag}:*`]) {
        let cursor = '0';
        do {
          const [next, found] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 100);
          cursor = next;
          keys.push(...found);
        } while (cursor !== '0');
      }
      for (const key of keys) await node.del(key);
    }
    cluster.disconnect();
  });

  it('finds the keys of every slot', async () => {
    const port = inject('redisClusterPorts')[0];
    const run = await keyspace(['--url', `redis://127.0.0.1:${port}`, '--cluster', '--namespaces', `mcp2${tag},celery${tag}`, '--format', 'json']);
    const report = JSON.parse(run.stdout) as KeyspaceReport;
    expect(Object.fromEntries(report.namespaces.map((entry) => [entry.namespace, [entry.keys, entry.withoutTtl]]))).toEqual({
      [`mcp2${tag}`]: [30, 20],
      [`celery${tag}`]: [12, 12],
    });
    expect(report.unknown.keys).toBeGreaterThanOrEqual(4);
  });
});

describe('isolated-redis keyspace on a large keyspace (database 15)', () => {
  let redis: Redis;

  beforeAll(async () => {
    redis = new Redis(`${inject('redisUrl')}/15`);
    await redis.flushdb();
    const batch = redis.pipeline();
    for (let i = 0; i < 12_000; i++) batch.set(`journal:entry:${i}`, 'e');
    await batch.exec();
  });
  afterAll(async () => {
    await redis?.flushdb();
    redis?.disconnect();
  });

  it('tells its progress on stderr, and measures no more keys than --sample, saying so', async () => {
    const run = await keyspace(['--url', `${inject('redisUrl')}/15`, '--namespaces', 'journal,mcp2', '--sample', '50', '--format', 'json']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^keyspace: \d{5} keys scanned\.\.\.\n$/);
    const report = JSON.parse(run.stdout) as KeyspaceReport;
    expect(summary(report)).toEqual({ journal: [12_000, 12_000, 50], mcp2: [0, 0, 0], '(none)': [0, 0, 0] });
    const table = await keyspace(['--url', `${inject('redisUrl')}/15`, '--namespaces', 'journal', '--sample', '50']);
    expect(table.stdout).toContain('Memory measured with MEMORY USAGE on up to 50 keys per namespace');
  });
});
