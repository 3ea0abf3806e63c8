import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RESP_TYPES, type createSentinel as createSentinel6 } from 'redis';
import { CrossNamespaceError, SharedConnectionError, createIsolatedRedis, type CommandEvent, type Isolated, type PressureSampleEvent } from '../../src/index.js';
import { NODE_REDIS_VERSIONS } from '../support/node-redis-versions.js';
import { infoFields, redisCommand, waitUntil } from '../support/redis-server.js';
import { startSentinelGroup, type SentinelGroup } from '../support/sentinel.js';
import { callsOf, expectPrefixedOnce, keepRunning, keysOn, publishUntil } from './helpers.js';

const namespaces = ['a', 'b'];
type Sentinel = ReturnType<typeof createSentinel6>;

// A master, a replica and three Sentinels of this file's own.
let group: SentinelGroup;
beforeAll(async () => {
  group = await startSentinelGroup({ replicas: 1, sentinels: 3 });
}, 60_000);
afterAll(async () => {
  await group?.stop();
});

describe.each(NODE_REDIS_VERSIONS)('$name, Sentinel (createSentinel)', ({ createSentinel, major }) => {
  const open: Sentinel[] = [];
  const views: Array<{ close(): Promise<unknown> }> = [];
  const sentinel = async (extra: Record<string, unknown> = {}): Promise<Sentinel> => {
    const made = createSentinel({ name: group.name, sentinelRootNodes: [...group.sentinelNodes], ...extra }) as unknown as Sentinel;
    made.on('error', () => undefined);
    open.push(made);
    await made.connect();
    return made;
  };
  const viewOf = (namespace: string, client: Sentinel, extra: Record<string, unknown> = {}): Isolated<Sentinel> => {
    const view = createIsolatedRedis({ namespace, namespaces, client, ...extra });
    views.push(view);
    return view;
  };
  let raw: Sentinel;
  let a: Isolated<Sentinel>;
  let b: Isolated<Sentinel>;

  beforeAll(async () => {
    raw = await sentinel();
    a = viewOf('a', raw);
    b = viewOf('b', raw);
  });
  beforeEach(async () => {
    await redisCommand((await group.master()).port, 'FLUSHALL');
  });
  afterAll(async () => {
    await Promise.all(views.map((view) => view.close().catch(() => undefined)));
    await Promise.all(open.map((client) => client.close().catch(() => undefined)));
  });

  it('confines typed, raw, MULTI and pipelined commands to the namespace, on the master', async () => {
    await a.set('k', 'from a');
    await b.set('k', 'from b');
    expect(await a.sendCommand(false, ['GET', 'k'])).toBe('from a');
    expect(await a.multi().set('m', '1').incr('m').get('k').exec()).toEqual(['OK', 2, 'from a']);
    expect(await b.multi().rPush('l', ['x', 'y']).lRange('l', 0, -1).execAsPipeline()).toEqual([2, ['x', 'y']]);
    expect(await a.sendCommand(false, ['EVAL', "return redis.call('GET', KEYS[1])", '1', 'k'])).toBe('from a');
    expect(await keysOn((await group.master()).port)).toEqual(['a:k', 'a:m', 'b:k', 'b:l']);

    const rejected: unknown[] = [];
    a.isolation.events.on('rejected', (event) => rejected.push(event.code));
    await expect(a.get('b:k')).rejects.toBeInstanceOf(CrossNamespaceError);
    await expect(a.multi().set('x', '1').get('b:k').exec()).rejects.toBeInstanceOf(CrossNamespaceError);
    expect(rejected).toEqual(['ERR_CROSS_NAMESPACE', 'ERR_CROSS_NAMESPACE']);
    expect(await raw.exists('a:x')).toBe(0);
    // The raw Sentinel gained nothing from its views.
    expect(Object.getOwnPropertyNames(raw)).not.toContain('isolation');
  });

  it('derives views with other command options without touching the shared Sentinel', async () => {
    await a.set('k', 'v');
    const buffers = a.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
    expect(await buffers.get('k')).toEqual(Buffer.from('v'));
    await expect(buffers.get('b:k')).rejects.toBeInstanceOf(CrossNamespaceError);
    // node-redis 5 would have written the type mapping into the Sentinel itself, for every namespace.
    expect(await a.get('k')).toBe('v');
    expect(await raw.get('a:k')).toBe('v');
    if (major === 6) {
      await b.set('other', '1');
      const scanned: string[] = [];
      for await (const keys of a.scanIterator()) scanned.push(...keys);
      expect(scanned).toEqual(['k']);
    }
  });

  it('runs blocking commands on connections of the view, and refuses session commands', async () => {
    await expect(a.sendCommand(false, ['CLIENT', 'SETNAME', 'mine'])).rejects.toBeInstanceOf(SharedConnectionError);
    await expect(a.sendCommand(false, ['READONLY'])).rejects.toBeInstanceOf(SharedConnectionError);
    const master = await group.master();
    const popped = a.blPop('q', 5);
    await waitUntil('the BLPOP to block', async () => (infoFields(await redisCommand(master.port, 'INFO', 'clients')).get('blocked_clients') === '1' ? true : undefined));
    // The master's shared connection is not held by the BLPOP: b's commands go through meanwhile.
    expect(await b.set('k', 'v')).toBe('OK');
    expect(await b.get('k')).toBe('v');
    await redisCommand(master.port, 'RPUSH', 'a:q', 'job');
    expect(await popped).toEqual({ key: 'q', element: 'job' });
  });

  it('hands out views of its leases: use(fn) and acquire(), WATCH on them', async () => {
    const master = await group.master();
    // While a lease is held, the Sentinel's other commands wait for it (one master client): the
    // other writer is a connection of its own.
    const seen = await a.use(async (lease) => {
      expect(lease.isolation?.namespace).toBe('a');
      await lease.set('leased', '1');
      await expect(lease.get('b:k')).rejects.toBeInstanceOf(CrossNamespaceError);
      await lease.watch('leased');
      await redisCommand(master.port, 'SET', 'a:leased', 'changed');
      await expect(lease.multi().set('leased', '2').exec()).rejects.toThrow(/watch/i);
      return lease.get('leased');
    });
    expect(seen).toBe('changed');

    const lease = await b.acquire();
    try {
      expect(lease.isolation?.namespace).toBe('b');
      expect(await lease.multi().set('t', '1').incr('t').exec()).toEqual(['OK', 2]);
      await lease.watch('t');
      expect(await lease.multi().incr('t').exec()).toEqual([3]);
      await expect(lease.sendCommand(false, ['CLIENT', 'SETNAME', 'x'])).rejects.toBeInstanceOf(SharedConnectionError);
    } finally {
      lease.release();
    }
    expect(await keysOn(master.port)).toEqual(['a:leased', 'b:t']);
  });

  it('confines the reads it routes to a replica (replicaPoolSize)', async () => {
    const withReplicas = await sentinel({ replicaPoolSize: 1 });
    const reader = viewOf('a', withReplicas);
    const master = await group.master();
    const [replica] = await group.replicas();
    await reader.set('r', 'value');
    await waitUntil('the write to reach the replica', async () => ((await redisCommand(replica?.port as number, 'GET', 'a:r')) === 'value' ? true : undefined));
    await redisCommand(replica?.port as number, 'SET', 'b:r', 'other').catch(() => undefined); // a replica refuses writes: nothing to see
    const [replicaGets, masterGets] = [await callsOf(replica?.port as number, 'get'), await callsOf(master.port, 'get')];
    expect(await reader.get('r')).toBe('value');
    expect(await reader.keys('*')).toEqual(['r']);
    await expect(reader.get('b:r')).rejects.toBeInstanceOf(CrossNamespaceError);
    expect(await callsOf(replica?.port as number, 'get')).toBe(replicaGets + 1);
    expect(await callsOf(master.port, 'get')).toBe(masterGets);
  });

  it('keeps commands, subscriptions and the pressure monitor confined through a failover', async () => {
    const monitored = viewOf('a', raw, { pressure: { intervalMs: 200 } });
    const samples: PressureSampleEvent[] = [];
    monitored.isolation.events.on('sample', (event) => samples.push(event));
    // The servers' maxmemory tells which one a sample came from.
    for (const [i, server] of group.servers.entries()) await redisCommand(server.port, 'CONFIG', 'SET', 'maxmemory', `${(i + 1) * 100}mb`);

    const heard: Record<string, unknown[]> = { a: [], b: [] };
    await a.subscribe('ch', (message, channel) => heard.a?.push([message, channel]));
    await b.subscribe('ch', (message, channel) => heard.b?.push([message, channel]));
    const events: CommandEvent[] = [];
    a.isolation.events.on('command', (event) => events.push(event));

    const loadA = keepRunning(() => a.incr('n'), 1);
    const loadB = keepRunning(() => b.incr('n'), 1);
    const { to } = await group.failover();
    // A few commands on the new master before the load stops.
    await waitUntil('writes on the new master', async () => ((await redisCommand(to, 'EXISTS', 'a:n', 'b:n')) === 2 ? true : undefined));
    const [resultsA, resultsB] = [await loadA.stop(), await loadB.stop()];

    // Every promise settled; every INCR of a's that resolved was reported once, as one successful attempt.
    const fulfilledA = resultsA.filter((result) => result.status === 'fulfilled').length;
    expect(fulfilledA).toBeGreaterThan(0);
    expect(events.filter((event) => event.command === 'incr' && event.ok)).toHaveLength(fulfilledA);
    const keys = await keysOn(to);
    expectPrefixedOnce(keys, namespaces);
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

  if (major === 6) {
    it('duplicates into a Sentinel of the view, its node connections named in the namespace', async () => {
      const own = a.duplicate({ nodeClientOptions: { name: 'worker' } });
      await own.connect();
      try {
        await own.set('dup', '1');
        expect(await raw.get('a:dup')).toBe('1');
        const list = String(await redisCommand((await group.master()).port, 'CLIENT', 'LIST'));
        expect(list).toMatch(/ name=a:worker /);
      } finally {
        await own.close();
      }
    });

    // Last in the file: the killed server is not brought back.
    it('keeps commands and subscriptions confined when the master is killed (automatic failover)', async () => {
      const heard: string[][] = [];
      await a.subscribe('ch', (message, channel) => heard.push([message, channel]));
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
      expectPrefixedOnce(await keysOn(promoted.port), namespaces);
      expect(Number(await redisCommand(promoted.port, 'GET', 'a:n'))).toBeLessThanOrEqual(resultsA.length);
      expect(Number(await redisCommand(promoted.port, 'GET', 'b:n'))).toBeLessThanOrEqual(resultsB.length);
      await publishUntil(() => redisCommand(promoted.port, 'PUBLISH', 'a:ch', 'after'), () => heard.length > 0, 'a message on the new master');
      for (const message of heard) expect(message).toEqual(['after', 'ch']);
    }, 30_000);
  }
});
