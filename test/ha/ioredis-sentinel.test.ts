import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { CrossNamespaceError, SharedConnectionError, createIsolatedRedis, type CommandEvent, type Isolated, type PressureSampleEvent } from '../../src/index.js';
import { IOREDIS_VERSIONS } from '../support/ioredis-versions.js';
import { redisCommand, waitUntil } from '../support/redis-server.js';
import { startSentinelGroup, type SentinelGroup } from '../support/sentinel.js';
import { callsOf, expectPrefixedOnce, keepRunning, keysOn, publishUntil } from './helpers.js';

const namespaces = ['a', 'b'];

// A master, a replica and three Sentinels of this file's own.
let group: SentinelGroup;
beforeAll(async () => {
  group = await startSentinelGroup({ replicas: 1, sentinels: 3 });
}, 60_000);
afterAll(async () => {
  await group?.stop();
});

describe.each(IOREDIS_VERSIONS)('$name, Sentinel (sentinels + name)', ({ name, Redis: RedisClass }) => {
  const open: Redis[] = [];
  const views: Array<{ quit(): Promise<unknown> }> = [];
  const client = (extra: Record<string, unknown> = {}): Redis => {
    const made = new RedisClass({ sentinels: [...group.sentinelNodes], name: group.name, ...extra });
    made.on('error', () => undefined);
    open.push(made);
    return made;
  };
  const viewOf = (namespace: string, over: Redis, extra: Record<string, unknown> = {}): Isolated<Redis> => {
    const view = createIsolatedRedis({ namespace, namespaces, client: over, ...extra });
    views.push(view);
    return view;
  };
  let raw: Redis;
  let a: Isolated<Redis>;
  let b: Isolated<Redis>;

  beforeAll(() => {
    raw = client();
    a = viewOf('a', raw);
    b = viewOf('b', raw);
  });
  beforeEach(async () => {
    await redisCommand((await group.master()).port, 'FLUSHALL');
  });
  afterAll(async () => {
    await Promise.all(views.map((view) => view.quit().catch(() => undefined)));
    for (const made of open) made.disconnect();
  });

  it('confines commands, pipelines and transactions to the namespace, on the master', async () => {
    await a.set('k', 'from a');
    await b.set('k', 'from b');
    expect(await a.pipeline().get('k').incr('n').exec()).toEqual([
      [null, 'from a'],
      [null, 1],
    ]);
    expect(await b.multi().rpush('l', 'x', 'y').lrange('l', 0, -1).exec()).toEqual([
      [null, 2],
      [null, ['x', 'y']],
    ]);
    expect(await a.eval("return redis.call('GET', KEYS[1])", 1, 'k')).toBe('from a');
    expect(await keysOn((await group.master()).port)).toEqual(['a:k', 'a:n', 'b:k', 'b:l']);
    await expect(a.get('b:k')).rejects.toBeInstanceOf(CrossNamespaceError);
    await expect(a.call('READONLY')).rejects.toBeInstanceOf(SharedConnectionError);
    // A blocking command waits on a connection of the view's own (a duplicate: found through the Sentinels too).
    const popped = a.blpop('q', 5);
    expect(await b.get('k')).toBe('from b');
    await redisCommand((await group.master()).port, 'RPUSH', 'a:q', 'job');
    expect(await popped).toEqual(['q', 'job']);
  });

  it("confines the reads of a replica client (role: 'slave')", async () => {
    const master = await group.master();
    const [replica] = await group.replicas();
    await a.set('r', 'value');
    await waitUntil('the write to reach the replica', async () => ((await redisCommand(replica?.port as number, 'GET', 'a:r')) === 'value' ? true : undefined));
    const replicaClient = client({ role: 'slave' });
    const reader = viewOf('a', replicaClient);
    const other = viewOf('b', replicaClient);
    const [replicaGets, masterGets] = [await callsOf(replica?.port as number, 'get'), await callsOf(master.port, 'get')];
    expect(await reader.get('r')).toBe('value');
    expect(await other.get('r')).toBeNull();
    expect(await reader.keys('*')).toEqual(['r']);
    await expect(reader.get('b:r')).rejects.toBeInstanceOf(CrossNamespaceError);
    expect(await callsOf(replica?.port as number, 'get')).toBe(replicaGets + 2);
    expect(await callsOf(master.port, 'get')).toBe(masterGets);
    // A replica refuses writes: the error comes back, nothing is written anywhere.
    await expect(reader.set('w', '1')).rejects.toThrow(/READONLY/);
    expect(await keysOn(master.port)).toEqual(['a:r']);
  });

  it('keeps commands, subscriptions and the pressure monitor confined through a failover', async () => {
    const monitored = viewOf('a', raw, { pressure: { intervalMs: 200 } });
    const samples: PressureSampleEvent[] = [];
    monitored.isolation.events.on('sample', (event) => samples.push(event));
    // The servers' maxmemory tells which one a sample came from.
    for (const [i, server] of group.servers.entries()) await redisCommand(server.port, 'CONFIG', 'SET', 'maxmemory', `${(i + 1) * 100}mb`);

    const heard: Record<string, unknown[]> = { a: [], b: [] };
    a.on('message', (channel: string, message: string) => heard.a?.push([message, channel]));
    b.on('message', (channel: string, message: string) => heard.b?.push([message, channel]));
    await a.subscribe('ch');
    await b.subscribe('ch');
    const events: CommandEvent[] = [];
    a.isolation.events.on('command', (event) => events.push(event));

    const loadA = keepRunning(() => a.incr('n'), 1);
    const loadB = keepRunning(() => b.incr('n'), 1);
    const { to } = await group.failover();
    await waitUntil('writes on the new master', async () => ((await redisCommand(to, 'EXISTS', 'a:n', 'b:n')) === 2 ? true : undefined));
    const [resultsA, resultsB] = [await loadA.stop(), await loadB.stop()];

    // Every promise settled; every INCR of a's that resolved was reported once, as a success.
    const fulfilledA = resultsA.filter((result) => result.status === 'fulfilled').length;
    expect(fulfilledA).toBeGreaterThan(0);
    expect(events.filter((event) => event.command === 'incr' && event.ok)).toHaveLength(fulfilledA);
    expect(events.filter((event) => event.command === 'incr' && !event.ok)).toHaveLength(resultsA.length - fulfilledA);
    expectPrefixedOnce(await keysOn(to), namespaces);
    // Nothing applied more often than it was asked.
    expect(Number(await redisCommand(to, 'GET', 'a:n'))).toBeLessThanOrEqual(resultsA.length);
    expect(Number(await redisCommand(to, 'GET', 'b:n'))).toBeLessThanOrEqual(resultsB.length);

    await publishUntil(() => redisCommand(to, 'PUBLISH', 'a:ch', 'after'), () => heard.a?.length !== 0, 'a message on the new master');
    await publishUntil(() => redisCommand(to, 'PUBLISH', 'b:ch', 'after'), () => heard.b?.length !== 0, 'b message on the new master');
    for (const message of [...(heard.a ?? []), ...(heard.b ?? [])]) expect(message).toEqual(['after', 'ch']);

    await waitUntil('a pressure sample of the new master', async () =>
      samples.some((sample) => sample.figures.maxMemory === (group.servers.findIndex((server) => server.port === to) + 1) * 100 * 1024 * 1024) ? true : undefined,
    );
    await a.unsubscribe('ch');
    await b.unsubscribe('ch');
  }, 30_000);

  // Last in the file (the last version's block): the killed server is not brought back.
  if (name !== IOREDIS_VERSIONS[IOREDIS_VERSIONS.length - 1]?.name) return;
  it(
    'keeps commands and subscriptions confined when the master is killed (automatic failover)',
    async () => {
      const heard: string[][] = [];
      a.on('message', (channel: string, message: string) => heard.push([message, channel]));
      await a.subscribe('ch');
      const events: CommandEvent[] = [];
      a.isolation.events.on('command', (event) => events.push(event));
      const killed = await group.master();
      const loadA = keepRunning(() => a.incr('n'), 1);
      const loadB = keepRunning(() => b.incr('n'), 1);
      await killed.kill();
      const promoted = await waitUntil('the Sentinels to promote the replica', async () => {
        const master = await group.master();
        return master === killed ? undefined : master;
      });
      await waitUntil('writes on the new master', async () => ((await redisCommand(promoted.port, 'EXISTS', 'a:n', 'b:n')) === 2 ? true : undefined));
      const [resultsA, resultsB] = [await loadA.stop(), await loadB.stop()];

      const fulfilledA = resultsA.filter((result) => result.status === 'fulfilled').length;
      expect(events.filter((event) => event.command === 'incr' && event.ok)).toHaveLength(fulfilledA);
      expect(events.filter((event) => event.command === 'incr' && !event.ok)).toHaveLength(resultsA.length - fulfilledA);
      expectPrefixedOnce(await keysOn(promoted.port), namespaces);
      expect(Number(await redisCommand(promoted.port, 'GET', 'a:n'))).toBeLessThanOrEqual(resultsA.length);
      expect(Number(await redisCommand(promoted.port, 'GET', 'b:n'))).toBeLessThanOrEqual(resultsB.length);
      await publishUntil(() => redisCommand(promoted.port, 'PUBLISH', 'a:ch', 'after'), () => heard.length > 0, 'a message on the new master');
      for (const message of heard) expect(message).toEqual(['after', 'ch']);
    },
    30_000,
  );
});
