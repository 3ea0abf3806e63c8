import { tmpdir } from 'node:os';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CliIo } from '../../../src/cli/io.js';
import { runKeyspaceCommand } from '../../../src/cli/keyspace/command.js';
import type { KeyspaceReport } from '../../../src/cli/keyspace/report.js';
import { main } from '../../../src/cli/main.js';
import { freePort, startRedisServer, type RunningRedis } from '../../support/redis-server.js';

async function keyspace(args: readonly string[], terminal?: { columns: number }): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  // tmpdir holds no isolated-redis configuration: the namespaces come from the flags.
  const io: CliIo = {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    cwd: tmpdir(),
    env: {},
    ...(terminal ? { stderrIsTTY: true, stderrColumns: () => terminal.columns } : {}),
  };
  return { code: await runKeyspaceCommand(args, io), stdout, stderr };
}

/** Through `main`, as the CLI runs it: usage and connection errors become exit code 2. */
async function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), cwd: tmpdir(), env: {} };
  return { code: await main(args, io), stdout, stderr };
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
  let table: string;

  beforeAll(async () => {
    redis = new Redis(`${inject('redisUrl')}/14`);
    await redis.flushdb();
    await seed(redis);
    const run = await keyspace(['--url', `${inject('redisUrl')}/14`, '--namespace', 'mcp2', '--namespace', 'celery,journal', '--sample', '30', '--top', '2', '--count', '7', '--format', 'json']);
    expect(run.code).toBe(0);
    report = JSON.parse(run.stdout) as KeyspaceReport;
    table = (await keyspace(['--url', `${inject('redisUrl')}/14`, '--namespaces', 'mcp2,celery,journal'])).stdout;
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

  it('takes --namespace repeated or as a comma list, and --namespaces as its alias, alike', () => {
    expect(table).toMatch(/^mcp2 +30 +20 +30 /m);
    expect(table).toMatch(/^journal +0 +0 +0 /m);
  });

  it('names the biggest keys with their type and length', () => {
    const mcp2 = report.namespaces.find((entry) => entry.namespace === 'mcp2');
    expect(mcp2?.biggest.map((key) => key.type)).toEqual(['hash', 'string']);
    expect(mcp2?.biggest[0]).toMatchObject({ key: 'mcp2:payload:29', type: 'hash', length: 200 });
    expect(mcp2?.biggest[1]).toMatchObject({ type: 'string', length: 10 });
    const celery = report.namespaces.find((entry) => entry.namespace === 'celery');
    expect(celery?.biggest.map((key) => [key.type, key.length])).toEqual([
      ['list', 1],
      ['list', 1],
    ]);
    expect(table).toMatch(/Biggest keys of mcp2:\n +[\d.]+ KiB +hash +200 fields +mcp2:payload:29\n/);
  });

  it('measures an unbounded server against its system memory, and advises nothing on a server with room to spare', () => {
    expect(report.server).toMatchObject({ maxMemory: 0, memoryLimitSource: 'system', evictionPolicy: 'noeviction' });
    expect(report.server.memoryLimit).toBeGreaterThan(report.server.usedMemory);
    expect(report.server.memoryRatio).toBeLessThan(0.7);
    // mcp2 holds most of the memory, yet nothing calls for a move.
    expect(report.namespaces[0]?.estimatedBytes).toBeGreaterThan(report.namespaces[1]?.estimatedBytes ?? 0);
    expect(report.recommendations).toEqual([]);
    expect(report.thresholds).toEqual({ warn: 0.7, critical: 0.8 });
    expect(table).toMatch(/^Memory: (<1|\d+)% of the system's memory \(maxmemory is not set\), [\d.]+ [KMG]iB\. Advice from 70% \(plan a move\) and 80% \(move now\)/m);
    expect(table).toContain('Recommendations: none.');
  });

  it('counts the members of a family (c* for celery, str* for stray) together, as one row', async () => {
    const run = await keyspace(['--url', `${inject('redisUrl')}/14`, '--namespace', 'mcp2,c*,str*', '--format', 'json']);
    expect(run.code).toBe(0);
    const families = JSON.parse(run.stdout) as KeyspaceReport;
    expect(Object.fromEntries(Object.entries(summary(families)).map(([name, [keys]]) => [name, keys]))).toEqual({ mcp2: 30, 'c*': 12, 'str*': 4, '(none)': 0 });
    expect((await cli(['keyspace', '--url', `${inject('redisUrl')}/14`, '--namespace', 'tenant-*,ten*'])).code).toBe(2); // families that overlap
  });

  it('exits 1 with --fail-on-stray when keys are in no known namespace, still printing the report', async () => {
    const run = await cli(['keyspace', '--url', `${inject('redisUrl')}/14`, '--namespace', 'mcp2,celery', '--fail-on-stray']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Keys in no known namespace (4), for example:');
    expect(run.stderr).toContain('keyspace: 4 keys are in no known namespace (mcp2, celery); failing as --fail-on-stray asks');
    const clean = await cli(['keyspace', '--url', `${inject('redisUrl')}/14`, '--namespace', 'mcp2,celery,stray', '--fail-on-stray']);
    expect(clean.code).toBe(0);
    expect(await cli(['keyspace', '--url', `${inject('redisUrl')}/14`, '--namespace', 'mcp2,celery'])).toMatchObject({ code: 0 });
  });
});

describe('isolated-redis keyspace finds the biggest keys over the whole scan (own server)', () => {
  let server: RunningRedis;
  let redis: Redis;
  let big: string;
  let position: number;

  /** Where `key` comes among the mcp2 keys in SCAN order (the order the sample is taken in). */
  async function scanPosition(key: string): Promise<number> {
    const order: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
      cursor = next;
      order.push(...keys.filter((name) => name.startsWith('mcp2:')));
    } while (cursor !== '0');
    return order.indexOf(key);
  }

  beforeAll(async () => {
    server = await startRedisServer();
    redis = new Redis(server.url);
    const batch = redis.pipeline();
    for (let i = 0; i < 3000; i++) batch.set(`mcp2:small:${i}`, 'x'.repeat(20));
    for (let i = 0; i < 20; i++) batch.hset(`mcp2:hash:${i}`, 'a', '1', 'b', '2');
    await batch.exec();
    // Let the server finish growing its hash table, so that SCAN's order holds still.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const members = Array.from({ length: 12_000 }, (_, i) => [i, `member-${i}-${'m'.repeat(20)}`]).flat();
    // A name that SCAN returns after the first 1,000 mcp2 keys, the default sample.
    for (let attempt = 0; ; attempt++) {
      big = `mcp2:ranking:${attempt}`;
      await redis.zadd(big, ...members);
      position = await scanPosition(big);
      if (position > 1500) break;
      await redis.del(big);
    }
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  it('lists a big zset placed after the sample, with the default sample', async () => {
    expect(position).toBeGreaterThan(1000);
    const run = await keyspace(['--url', server.url, '--namespace', 'mcp2', '--format', 'json']);
    const report = JSON.parse(run.stdout) as KeyspaceReport;
    const mcp2 = report.namespaces[0];
    expect(mcp2).toMatchObject({ namespace: 'mcp2', keys: 3021, sampled: 1000 });
    expect(mcp2?.biggest[0]).toMatchObject({ key: big, type: 'zset', length: 12_000 });
    expect(mcp2?.biggest[0]?.bytes).toBeGreaterThan(500 * 1024);
    // The zset's measured bytes count in the estimate, not the sample's mean for it.
    expect(mcp2?.estimatedBytes).toBeGreaterThan(mcp2?.biggest[0]?.bytes ?? Infinity);
    const table = await keyspace(['--url', server.url, '--namespace', 'mcp2']);
    expect(table.stdout).toMatch(new RegExp(`Biggest keys of mcp2:\\n +[\\d.]+ [KM]iB +zset +12,000 members +${big}\\n`));
  });
});

describe('isolated-redis keyspace under memory pressure (own server)', () => {
  let server: RunningRedis;
  let redis: Redis;

  /** A maxmemory at which the memory the report measures is at `ratio` of it (as measured during a run, with the run's own connection). */
  async function setPressure(ratio: number): Promise<void> {
    await redis.config('SET', 'maxmemory', '0');
    const run = await keyspace(['--url', server.url, '--namespace', 'mcp2,celery,journal', '--format', 'json']);
    const used = (JSON.parse(run.stdout) as KeyspaceReport).server.usedMemory;
    await redis.config('SET', 'maxmemory', String(Math.ceil(used / ratio)));
  }

  beforeAll(async () => {
    server = await startRedisServer();
    redis = new Redis(server.url);
    await seed(redis);
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  it('moves the heaviest namespace to its own instance from 80% of maxmemory, by name', async () => {
    await setPressure(0.9);
    const run = await keyspace(['--url', server.url, '--namespace', 'mcp2,celery,journal', '--format', 'json']);
    const report = JSON.parse(run.stdout) as KeyspaceReport;
    expect(report.server.memoryLimitSource).toBe('maxmemory');
    expect(report.server.memoryRatio).toBeGreaterThanOrEqual(0.8);
    expect(report.recommendations).toEqual([
      expect.stringMatching(/^memory is at (8\d|9\d|1\d\d)% of maxmemory \(80% or more: move now\): move namespace "mcp2" \(~\d+% of the keyspace's memory\) to its own instance$/),
    ]);
  });

  it('plans the move between 70% and 80%, stating the thresholds', async () => {
    await setPressure(0.75);
    const run = await keyspace(['--url', server.url, '--namespace', 'mcp2,celery,journal']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Memory: 7\d% of maxmemory, [\d.]+ [KM]iB\. Advice from 70% \(plan a move\) and 80% \(move now\)/m);
    expect(run.stdout).toMatch(/ {2}- memory is at 7\d% of maxmemory \(70% or more, below 80%: plan the move\): move namespace "mcp2" \(~\d+% of the keyspace's memory\) to its own instance\n/);
    expect(run.stdout).toMatch(/^mcp2 +30 +20 +30 /m);
  });

  it('only reads: the server saw no write and no KEYS', async () => {
    await redis.config('RESETSTAT');
    await keyspace(['--url', server.url, '--namespace', 'mcp2,celery']);
    const commands = [...(await redis.info('commandstats')).matchAll(/^cmdstat_([^:]+):/gm)].map((match) => match[1]);
    const reads = ['scan', 'type', 'pttl', 'strlen', 'hlen', 'scard', 'zcard', 'llen', 'xlen', 'memory|usage', 'dbsize', 'info'];
    // `config` and `info` are also this test's own connection reading the stats.
    expect(commands.filter((name) => ![...reads, 'config|resetstat', 'client|setinfo'].includes(name as string))).toEqual([]);
    expect(commands).toEqual(expect.arrayContaining(['scan', 'type', 'strlen', 'hlen', 'llen', 'memory|usage', 'dbsize']));
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

  it('finds the keys of every slot, and the biggest key on whichever master holds it', async () => {
    const port = inject('redisClusterPorts')[0];
    const run = await keyspace(['--url', `redis://127.0.0.1:${port}`, '--cluster', '--namespaces', `mcp2${tag},celery${tag}`, '--sample', '0', '--format', 'json']);
    const report = JSON.parse(run.stdout) as KeyspaceReport;
    expect(Object.fromEntries(report.namespaces.map((entry) => [entry.namespace, [entry.keys, entry.withoutTtl]]))).toEqual({
      [`mcp2${tag}`]: [30, 20],
      [`celery${tag}`]: [12, 12],
    });
    expect(report.unknown.keys).toBeGreaterThanOrEqual(4);
    // Nothing sampled: the hash is found by its length and measured on its own master.
    expect(report.namespaces[0]?.biggest[0]).toMatchObject({ key: `mcp2${tag}:payload:29`, type: 'hash', length: 200 });
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

  it('tells its progress on stderr in plain lines when stderr is no terminal, and measures no more keys than --sample, saying so', async () => {
    const run = await keyspace(['--url', `${inject('redisUrl')}/15`, '--namespaces', 'journal,mcp2', '--sample', '50', '--format', 'json', '--fail-on-stray']);
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain('\r');
    expect(run.stderr).toMatch(/^(keyspace: [\d,]+\/12,000 keys \([\d.]+%\), [\d,]+ keys\/s, ETA \S+\n)*keyspace: 12,000 keys in [\d.]+s, [\d,]+ keys\/s\n$/);
    const report = JSON.parse(run.stdout) as KeyspaceReport;
    expect(summary(report)).toEqual({ journal: [12_000, 12_000, 50], mcp2: [0, 0, 0], '(none)': [0, 0, 0] });
    const table = await keyspace(['--url', `${inject('redisUrl')}/15`, '--namespaces', 'journal', '--sample', '50']);
    expect(table.stdout).toContain('Memory measured with MEMORY USAGE on up to 50 keys per namespace');
  });

  it('draws a live bar on a terminal: count, DBSIZE total, percentage, rate, one line redrawn with \\r', async () => {
    const run = await keyspace(['--url', `${inject('redisUrl')}/15`, '--namespace', 'journal', '--count', '500', '--format', 'json'], { columns: 100 });
    expect(run.stderr.startsWith('\rkeyspace [')).toBe(true);
    expect(run.stderr).toMatch(/\rkeyspace \[[#.]+\] [\d,]+\/12,000 keys {2}[\d.]+%/);
    expect(run.stderr.split('\n')).toHaveLength(2);
    expect(run.stderr).toMatch(/\rkeyspace: 12,000 keys in [\d.]+s, [\d,]+ keys\/s *\n$/);
    for (const frame of run.stderr.split('\r').slice(1)) expect(frame.trimEnd().length).toBeLessThan(100);
  });
});

describe('isolated-redis keyspace fails fast when it cannot connect', () => {
  let server: RunningRedis;

  beforeAll(async () => {
    server = await startRedisServer(['--requirepass', 'right-password']);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('exits 2 at once on a wrong password, with one line naming the URL, password masked', async () => {
    const url = `redis://:wrong-password@127.0.0.1:${server.port}`;
    const run = await cli(['keyspace', '--url', url, '--namespace', 'mcp2']);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: `isolated-redis keyspace: cannot connect to redis://:***@127.0.0.1:${server.port}: WRONGPASS invalid username-password pair or user is disabled.\n`,
    });
  });

  it('exits 2 at once when no password is given to a server that needs one', async () => {
    const run = await cli(['keyspace', '--url', server.url, '--namespace', 'mcp2']);
    expect(run).toMatchObject({ code: 2, stderr: expect.stringMatching(/^isolated-redis keyspace: cannot connect to redis:\/\/127\.0\.0\.1:\d+: NOAUTH Authentication required\.\n$/) });
  });

  it('exits 2 at once when nothing listens at the URL', async () => {
    const port = await freePort();
    const run = await cli(['keyspace', '--url', `redis://:secret@127.0.0.1:${port}`, '--namespace', 'mcp2']);
    expect(run).toEqual({ code: 2, stdout: '', stderr: `isolated-redis keyspace: cannot connect to redis://:***@127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}\n` });
    const cluster = await cli(['keyspace', '--url', `redis://127.0.0.1:${port}`, '--cluster', '--namespace', 'mcp2']);
    expect(cluster).toEqual({ code: 2, stdout: '', stderr: `isolated-redis keyspace: cannot connect to redis://127.0.0.1:${port}: None of startup nodes is available\n` });
  });

  it('exits 2 with one line, no stack, for a namespace the library refuses', async () => {
    const run = await cli(['keyspace', '--url', server.url, '--namespace', 'mcp2,a:b']);
    expect(run).toMatchObject({ code: 2, stdout: '', stderr: expect.stringMatching(/^isolated-redis keyspace: .*"a:b".*\n$/) });
    expect(run.stderr.split('\n')).toHaveLength(2);
  });

  it('exits 2 for a URL that is not redis://, rediss:// or unix://', async () => {
    expect(await cli(['keyspace', '--url', 'http://user:secret@host', '--namespace', 'mcp2'])).toMatchObject({
      code: 2,
      stderr: 'isolated-redis keyspace: --url "http://user:***@host" must start with redis://, rediss:// or unix://\nRun "isolated-redis keyspace --help" for its options.\n',
    });
  });
});
