import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { createCluster as createNodeRedis6Cluster } from 'redis';
import { BlockedCommandError, CrossNamespaceError, createIsolatedRedis, type Isolated } from '../../../src/index.js';
import { NODE_REDIS_VERSIONS } from '../../support/node-redis-versions.js';
import { startRedisCluster, type RunningCluster } from '../../support/redis-server.js';

const namespaces = ['mcp2', 'celery', 'journal'];
/** A node-redis cluster as the tests use it (both versions share this surface). */
type Cluster = ReturnType<typeof createNodeRedis6Cluster>;

// A cluster of this file's own: other files flush the shared one.
let redisCluster: RunningCluster;
beforeAll(async () => {
  redisCluster = await startRedisCluster();
}, 60_000);
afterAll(async () => {
  await redisCluster.stop();
});

describe.each(NODE_REDIS_VERSIONS)('$name, Redis Cluster (3 masters)', ({ createCluster, major }) => {
  const open: Cluster[] = [];
  const cluster = (extra: Record<string, unknown> = {}): Cluster => {
    const c = createCluster({ rootNodes: redisCluster.nodes.map((node) => ({ url: node.url })), ...extra }) as unknown as Cluster;
    c.on('error', () => undefined);
    open.push(c);
    return c;
  };
  let raw: Cluster;
  let journal: Isolated<Cluster>;

  /** Every key on every master, read with raw node clients. */
  const keysOnEveryMaster = async (): Promise<string[]> => {
    const keys: string[] = [];
    for (const master of raw.masters) keys.push(...(await (await raw.nodeClient(master)).keys('*')));
    return keys.sort();
  };

  beforeAll(async () => {
    raw = cluster();
    await raw.connect();
    journal = createIsolatedRedis({ namespace: 'journal', namespaces, client: raw });
  });
  beforeEach(async () => {
    for (const master of raw.masters) await (await raw.nodeClient(master)).flushAll();
  });
  afterAll(async () => {
    await Promise.all(open.filter((c) => c.isOpen).map((c) => c.close()));
  });

  it('routes prefixed keys to the master that owns their slot', async () => {
    const names = Array.from({ length: 40 }, (_, i) => `key:${i}`);
    for (const name of names) await journal.set(name, name);
    for (const name of names) expect(await journal.get(name)).toBe(name);
    expect(await keysOnEveryMaster()).toEqual(names.map((name) => `journal:${name}`).sort());
    const perMaster = await Promise.all(raw.masters.map(async (master) => (await raw.nodeClient(master)).dbSize()));
    expect(perMaster.filter((count) => count > 0)).toHaveLength(3);
  });

  it('prefixes sendCommand and its routing key, and un-prefixes the reply', async () => {
    await journal.sendCommand('q', false, ['RPUSH', 'q', 'job']);
    expect(await journal.sendCommand('q', false, ['BLPOP', 'q', '1'])).toEqual(['q', 'job']);
    expect(await keysOnEveryMaster()).toEqual([]);
    await journal.sendCommand('k', false, ['SET', 'k', 'v']);
    expect(await raw.get('journal:k')).toBe('v');
    await expect(journal.sendCommand('celery:k', false, ['GET', 'celery:k'])).rejects.toBeInstanceOf(CrossNamespaceError);
  });

  it('refuses raw commands that would change a shared node connection: MULTI, EXEC, DISCARD, (un)subscribe', async () => {
    const celery = createIsolatedRedis({ namespace: 'celery', namespaces, client: raw });
    for (const frame of [['MULTI'], ['EXEC'], ['DISCARD'], ['SUBSCRIBE', 'x'], ['PSUBSCRIBE', 'x*'], ['SSUBSCRIBE', 'x'], ['SUNSUBSCRIBE', 'x']]) {
      await expect(journal.sendCommand('k', false, frame)).rejects.toBeInstanceOf(BlockedCommandError);
      await expect(journal.multi().set('k', '1').sendCommand(frame).execAsPipeline()).rejects.toBeInstanceOf(BlockedCommandError);
    }
    // Had MULTI reached the node that owns k, celery's next command there would only be QUEUED.
    expect(await celery.sendCommand('k', false, ['SET', 'k', '1'])).toBe('OK');
    expect(await raw.get('celery:k')).toBe('1');
    expect(await raw.exists('journal:k')).toBe(0);
  });

  it('runs multi-key commands on hash-tagged keys, in MULTI and as a pipeline', async () => {
    await journal.mSet({ '{user1}:a': '1', '{user1}:b': '2' });
    expect(await journal.mGet(['{user1}:a', '{user1}:b'])).toEqual(['1', '2']);
    await journal.sAdd('{user1}:s1', ['x', 'y']);
    await journal.sAdd('{user1}:s2', ['y']);
    expect(await journal.sInterStore('{user1}:out', ['{user1}:s1', '{user1}:s2'])).toBe(1);
    expect(await journal.multi().incr('{user1}:n').incr('{user1}:n').exec()).toEqual([1, 2]);
    expect(await journal.multi().get('{user1}:a').rPush('{user1}:q', 'x').blPop('{user1}:q', 1).execAsPipeline()).toEqual([
      '1',
      1,
      { key: '{user1}:q', element: 'x' },
    ]);
    await expect(journal.multi().set('{user1}:c', '1').get('celery:{user1}:a').exec()).rejects.toBeInstanceOf(CrossNamespaceError);
    await expect(journal.multi().set('{user1}:c', '1').flushAll().exec()).rejects.toBeInstanceOf(BlockedCommandError);
    expect(await raw.exists('journal:{user1}:c')).toBe(0);
  });

  it('spreads multi-shard and all-shard commands exactly as the raw client does with the prefixed keys', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `m:${i}`);
    for (const name of names) await journal.set(name, name);
    const settle = (promise: Promise<unknown>): Promise<unknown> => promise.then((value) => ({ value }), (error: Error) => ({ error: error.message }));
    const isolated = await settle(journal.mGet(names));
    const reference = await settle(raw.mGet(names.map((name) => `journal:${name}`)));
    expect(isolated).toEqual(reference);
    // node-redis 6 splits MGET per slot and sends KEYS to every master; node-redis 5 does not.
    if (major === 6) expect(isolated).toEqual({ value: names });
    // KEYS: every master's keys on node-redis 6; one random master's on node-redis 5.
    const keys = ((await journal.keys('*')) as string[]).sort();
    if (major === 6) expect(keys).toEqual([...names].sort());
    else expect(names).toEqual(expect.arrayContaining(keys));
  });

  it('gives isolated views of its node clients, so a SCAN per master sees only the namespace', async () => {
    const celery = createIsolatedRedis({ namespace: 'celery', namespaces, client: raw });
    for (let i = 0; i < 20; i++) await journal.set(`s:${i}`, '1');
    await celery.set('s:0', 'other');
    const seen: string[] = [];
    for (const master of journal.masters) {
      const node = await journal.nodeClient(master);
      expect((node as unknown as Isolated<object>).isolation.namespace).toBe('journal');
      for await (const page of node.scanIterator({ COUNT: 5 })) seen.push(...page);
    }
    expect(seen.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `s:${i}`).sort());
    if (major === 6) {
      const forKey = await journal.getNodeClientForKey('s:1');
      expect(await forKey.get('s:1')).toBe('1');
      // node-redis 6 also scans the whole cluster with one cursor.
      const clusterWide: string[] = [];
      let cursor = '0';
      do {
        const reply = await journal.scan(cursor, { COUNT: 5 });
        clusterWide.push(...reply.keys);
        cursor = String(reply.cursor);
      } while (cursor !== '0');
      expect(clusterWide.sort()).toEqual(seen);
    }
  });

  it('hands out its node clients only as isolated views: masters, replicas, slots, nodeByAddress, getRandomNode(), getMasters(), getSlotMaster()', async () => {
    const isolatedClient = (client: unknown): boolean => (client as { isolation?: { namespace: string } } | undefined)?.isolation?.namespace === 'journal';
    await journal.set('somewhere', '1');
    for (const master of journal.masters) expect(isolatedClient(await journal.nodeClient(master))).toBe(true);
    expect(journal.masters.every((master) => master.client === undefined || isolatedClient(master.client))).toBe(true);
    expect(isolatedClient(journal.slots[0]?.master.client)).toBe(true);
    expect([...journal.nodeByAddress.values()].every((node) => node.client === undefined || isolatedClient(node.client))).toBe(true);
    expect(isolatedClient(journal.getRandomNode().client)).toBe(true);
    // These two read the view's own masters and slots, whose nodes are already isolated.
    expect(journal.getMasters().every((master) => master.client === undefined || isolatedClient(master.client))).toBe(true);
    expect(isolatedClient(journal.getSlotMaster(0).client)).toBe(true);
    expect(isolatedClient(await journal.nodeClient(journal.getSlotMaster(0)))).toBe(true);
    await expect((journal.masters[0]?.client as unknown as { set(k: string, v: string): Promise<unknown> }).set('celery:x', '1')).rejects.toBeInstanceOf(CrossNamespaceError);
    expect(raw.masters[0]?.client).not.toHaveProperty('isolation'); // the cluster's own nodes stay raw
  });

  it('hands out its pub/sub node client only as an isolated view: no subscribing to another namespace through pubSubNode', async () => {
    const celery = createIsolatedRedis({ namespace: 'celery', namespaces, client: raw });
    await journal.subscribe('own', () => undefined);
    const pubSubClient = journal.pubSubNode?.client as unknown as Isolated<Cluster> | undefined;
    expect(pubSubClient?.isolation.namespace).toBe('journal');
    const stolen: unknown[] = [];
    await expect(pubSubClient?.subscribe('celery:secret', (message) => stolen.push(message))).rejects.toBeInstanceOf(CrossNamespaceError);
    expect(await raw.pubSubNumSub(['celery:secret'])).toEqual({ 'celery:secret': 0 });
    await celery.publish('secret', 'for celery only');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stolen).toEqual([]);
    expect(raw.pubSubNode?.client).not.toHaveProperty('isolation'); // the cluster's own node stays raw
    await journal.unsubscribe('own');
  });

  it('confines pub/sub and sharded pub/sub; listeners get un-prefixed channels', async () => {
    const got: unknown[] = [];
    await journal.subscribe('news', (message, channel) => got.push(['message', message, channel]));
    await journal.sSubscribe('shard', (message, channel) => got.push(['smessage', message, channel]));
    await journal.publish('news', 'hello');
    await journal.sPublish('shard', 'sharded');
    await vi.waitFor(() => expect(got).toHaveLength(2));
    expect(got).toEqual(expect.arrayContaining([['message', 'hello', 'news'], ['smessage', 'sharded', 'shard']]));
    await journal.unsubscribe();
    await journal.sUnsubscribe('shard');
    await expect((journal.sUnsubscribe as (this: unknown) => Promise<void>).call(journal)).rejects.toMatchObject({ code: 'ERR_MALFORMED_COMMAND' });
  });

  it("many views of several namespaces subscribe through the cluster's own pub/sub connections; unsubscribe(channel) ends only the view's listeners", async () => {
    const channel = `many-${major}`;
    const views = ['journal', 'journal', 'celery', 'mcp2'].map((namespace) => ({ namespace, v: createIsolatedRedis({ namespace, namespaces, client: raw }), got: [] as unknown[] }));
    const pubSubConnections = async (): Promise<number> => {
      let count = 0;
      for (const master of raw.masters) count += String(await (await raw.nodeClient(master)).sendCommand(['CLIENT', 'LIST', 'TYPE', 'pubsub'])).trim().split('\n').filter(Boolean).length;
      return count;
    };
    const subscribe = async ({ v, got }: (typeof views)[number]): Promise<void> => {
      await v.subscribe(channel, (message, name) => got.push(['message', message, name]));
      await v.sSubscribe(channel, (message, name) => got.push(['smessage', message, name]));
    };
    for (const each of views.slice(0, 3)) await subscribe(each);
    const connections = await pubSubConnections();
    // The cluster's pub/sub node and shard connections, whatever the number of views.
    await subscribe(views[3] as (typeof views)[number]);
    const extra = ['journal', 'celery'].map((namespace) => createIsolatedRedis({ namespace, namespaces, client: raw }));
    for (const v of extra) await v.subscribe(channel, () => undefined);
    expect(await pubSubConnections()).toBeLessThanOrEqual(connections + 1); // mcp2's shard channel may live on another shard
    await Promise.all(extra.map((v) => v.quit()));
    await views[0]?.v.unsubscribe(channel);
    await views[0]?.v.sUnsubscribe(channel);
    for (const namespace of ['journal', 'celery', 'mcp2']) {
      const publisher = createIsolatedRedis({ namespace, namespaces, client: raw });
      await publisher.publish(channel, `to ${namespace}`);
      await publisher.sPublish(channel, `sharded to ${namespace}`);
    }
    await vi.waitFor(() => expect(views.slice(1).every(({ got }) => got.length === 2)).toBe(true));
    expect(views[0]?.got).toEqual([]);
    for (const { namespace, got } of views.slice(1)) {
      expect(got).toEqual(expect.arrayContaining([['message', `to ${namespace}`, channel], ['smessage', `sharded to ${namespace}`, channel]]));
    }
    await Promise.all(views.map(({ v }) => v.quit()));
    expect(await raw.pubSubNumSub([`journal:${channel}`, `celery:${channel}`])).toEqual({ [`journal:${channel}`]: 0, [`celery:${channel}`]: 0 });
  });

  it('a cluster view that is dropped is collected, and leaves no listener on the cluster', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const events = (): Record<string, number> => Object.fromEntries(raw.eventNames().map((event) => [String(event), raw.listenerCount(event)]));
    const before = events();
    const refs: Array<WeakRef<object>> = [];
    await (async () => {
      for (let i = 0; i < 50; i++) {
        const v = createIsolatedRedis({ namespace: 'journal', namespaces, client: raw });
        refs.push(new WeakRef(v));
        await v.set(`dropped:${i}`, '1');
        const namespaceOf = (client: unknown): string | undefined => (client as { isolation?: { namespace: string } } | undefined)?.isolation?.namespace;
        expect(v.masters.every((master) => master.client === undefined || namespaceOf(master.client) === 'journal')).toBe(true);
        if (i % 10 === 0) {
          await v.subscribe('dropped', () => undefined);
          await v.unsubscribe('dropped');
        }
      }
    })();
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(refs.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
    expect(events()).toEqual(before);
  });

  it('keeps isolation through duplicate() and hashTag: true', async () => {
    const copy = journal.duplicate();
    await copy.connect();
    open.push(copy as unknown as Cluster);
    await copy.set('dup', '1');
    expect(copy.isolation.namespace).toBe('journal');
    const tagged = createIsolatedRedis({ namespace: 'journal', namespaces, hashTag: true, client: raw });
    await tagged.mSet({ a: '1', b: '2', c: '3' });
    expect(await tagged.mGet(['a', 'b', 'c'])).toEqual(['1', '2', '3']);
    expect(await keysOnEveryMaster()).toEqual(['journal:dup', '{journal}:a', '{journal}:b', '{journal}:c']);
    await expect(journal.flushAll()).rejects.toBeInstanceOf(BlockedCommandError);
  });
});
