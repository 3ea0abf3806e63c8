import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { CrossNamespaceError, createIsolatedRedis, type Isolated } from '../../../src/index.js';
import { IOREDIS_VERSIONS } from '../../support/ioredis-versions.js';

const namespaces = ['mcp2', 'celery'];

describe.each(IOREDIS_VERSIONS)('$name, Redis Cluster (3 masters)', ({ Cluster }) => {
  type Client = InstanceType<typeof Cluster>;
  const open: Client[] = [];
  const cluster = (options: Record<string, unknown> = {}): Client => {
    const c = new Cluster(inject('redisClusterPorts').map((port) => ({ host: '127.0.0.1', port })), options);
    open.push(c);
    return c;
  };
  let raw: Client;
  let mcp2: Isolated<Client>;

  beforeAll(async () => {
    raw = cluster();
    mcp2 = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: raw });
    await raw.ping();
  });
  beforeEach(async () => {
    await Promise.all(raw.nodes('master').map((node) => node.flushdb()));
  });
  afterAll(() => open.forEach((c) => c.disconnect()));

  const keysOnEveryMaster = async (): Promise<string[]> =>
    (await Promise.all(raw.nodes('master').map((node) => node.keys('*')))).flat().sort();

  it('routes prefixed keys to the node that owns their slot', async () => {
    const names = Array.from({ length: 40 }, (_, i) => `key:${i}`);
    for (const name of names) await mcp2.set(name, name);
    for (const name of names) expect(await mcp2.get(name)).toBe(name);
    expect(await keysOnEveryMaster()).toEqual(names.map((name) => `mcp2:${name}`).sort());
    // The keys are spread over the masters, as their prefixed names hash.
    const perNode = await Promise.all(raw.nodes('master').map((node) => node.dbsize()));
    expect(perNode.filter((count) => count > 0).length).toBe(3);
  });

  it('runs multi-key commands on keys that share a hash tag, and refuses others\' keys', async () => {
    await mcp2.mset({ '{user1}:a': '1', '{user1}:b': '2' });
    expect(await mcp2.mget('{user1}:a', '{user1}:b')).toEqual(['1', '2']);
    await mcp2.sadd('{user1}:s1', 'x', 'y');
    await mcp2.sadd('{user1}:s2', 'y');
    expect(await mcp2.sinterstore('{user1}:out', '{user1}:s1', '{user1}:s2')).toBe(1);
    expect(await mcp2.pipeline().get('{user1}:a').get('{user1}:b').exec()).toEqual([[null, '1'], [null, '2']]);
    expect(await mcp2.multi().incr('{user1}:n').incr('{user1}:n').exec()).toEqual([[null, 1], [null, 2]]);
    await expect(mcp2.get('celery:x')).rejects.toBeInstanceOf(CrossNamespaceError);
  });

  it('with hashTag: true puts the whole namespace in one slot, so any multi-key command works', async () => {
    const tagged = createIsolatedRedis({ namespace: 'mcp2', namespaces, hashTag: true, client: raw });
    await tagged.mset({ a: '1', b: '2', c: '3' });
    expect(await tagged.mget('a', 'b', 'c')).toEqual(['1', '2', '3']);
    expect((await keysOnEveryMaster()).sort()).toEqual(['{mcp2}:a', '{mcp2}:b', '{mcp2}:c']);
  });

  it('answers CLUSTER KEYSLOT for the key as stored, and hashTag: true for the namespace slot', async () => {
    expect(await mcp2.cluster('KEYSLOT', 'user:1')).toBe(await raw.cluster('KEYSLOT', 'mcp2:user:1'));
    expect(await mcp2.cluster('KEYSLOT', 'user:1')).not.toBe(await raw.cluster('KEYSLOT', 'user:1'));
    const tagged = createIsolatedRedis({ namespace: 'mcp2', namespaces, hashTag: true, client: raw });
    expect(await tagged.cluster('KEYSLOT', 'user:1')).toBe(await raw.cluster('KEYSLOT', 'mcp2'));
  });

  it('retries MOVED redirections without prefixing twice', async () => {
    await mcp2.set('moved', 'v');
    const slot = Number(await raw.cluster('KEYSLOT', 'mcp2:moved'));
    const slots = (raw as unknown as { slots: string[][] }).slots;
    const owner = slots[slot] as string[];
    const wrong = Object.keys((raw as unknown as { connectionPool: { nodes: { master: Record<string, unknown> } } }).connectionPool.nodes.master).find(
      (key) => key !== owner[0],
    ) as string;
    // Point the slot at the wrong master: the next command gets -MOVED and is sent again.
    slots[slot] = [wrong];
    expect(await mcp2.get('moved')).toBe('v');
    await mcp2.set('moved', 'again');
    expect(await keysOnEveryMaster()).toEqual(['mcp2:moved']);
  });

  it('auto-pipelines across slots, grouping by the prefixed keys', async () => {
    const piped = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: cluster({ enableAutoPipelining: true }) });
    const names = Array.from({ length: 60 }, (_, i) => `auto:${i}`);
    await Promise.all(names.map((name) => piped.set(name, name)));
    expect(await Promise.all(names.map((name) => piped.get(name)))).toEqual(names);
    const mixed = await Promise.allSettled([piped.get('auto:1'), piped.get('celery:x'), piped.get('auto:2')]);
    expect(mixed.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await keysOnEveryMaster()).length).toBe(60);
    // A batch ioredis fails as a whole (keys of one command in different slots) rejects, never hangs.
    await expect(piped.mget('auto:1', 'auto:2', 'auto:3')).rejects.toThrow(/slot/);
  });

  it('duplicate() gives an isolated Cluster client of the same namespace', async () => {
    const copy = mcp2.duplicate();
    open.push(copy as unknown as Client);
    await copy.set('dup', '1');
    expect(copy.isolation.namespace).toBe('mcp2');
    expect(await keysOnEveryMaster()).toEqual(['mcp2:dup']);
  });

  it('gives isolated views of its nodes, so a SCAN per master sees only the namespace', async () => {
    const celery = createIsolatedRedis({ namespace: 'celery', namespaces, client: raw });
    for (let i = 0; i < 20; i++) await mcp2.set(`s:${i}`, '1');
    await celery.set('s:0', 'other');
    const seen: string[] = [];
    for (const node of mcp2.nodes('master')) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'COUNT', 100);
        seen.push(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
    expect(seen.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `s:${i}`).sort());
  });
});
