import { createHash, randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createIsolatedRedis } from '../../../src/index.js';
import { IOREDIS_VERSIONS } from '../../support/ioredis-versions.js';

/**
 * Differential test of the ioredis adapter: one long command list, run through an isolated
 * client and through a raw client of the same ioredis version, must give the same replies
 * command by command, and leave the same keys behind, with `mcp2:` in front. Databases 11
 * (isolated), 12 (raw reference) and 13 (COPY ... DB 13) are this file's own.
 */

/** One command as `[method, ...args]` of ioredis's typed API (`call` for the rest). */
type Cmd = readonly [method: string, ...args: unknown[]];
type Method = (...args: unknown[]) => unknown;
type How = 'sequential' | 'pipeline' | 'multi';

const PREFIX = 'mcp2:';
const namespaces = ['mcp2', 'celery'];
const TAG = randomBytes(4).toString('hex');
const LIBRARY = `diff_${TAG}`;
const FUNCTION = `${LIBRARY}_hget`;
const LIBRARY_CODE = `#!lua name=${LIBRARY}\nredis.register_function('${FUNCTION}', function(keys, args) return redis.call('HGET', keys[1], args[1]) end)`;
const EVAL_SCRIPT = "return {redis.call('INCRBY', KEYS[1], ARGV[1]), redis.call('GET', KEYS[2])}";
const SHA_SCRIPT = "return redis.call('LLEN', KEYS[1])";
const SHA = createHash('sha1').update(SHA_SCRIPT).digest('hex');
const BLOCKING = new Set(['blmove', 'blpop', 'brpop', 'blmpop', 'bzmpop', 'bzpopmin', 'bzpopmax']);

/**
 * The shared list. `k` names a key (or a SORT pattern): the identity for prefix mode and the raw
 * reference, `mcp2:` in front for strict mode. `dump` is a DUMP payload for RESTORE.
 */
function commandList(k: (name: string) => string, dump: Buffer): Cmd[] {
  return [
    // strings
    ['set', k('s1'), 'hello'],
    ['set', k('s1'), 'world', 'GET'],
    ['set', k('tmp'), 'v', 'EX', 100],
    ['ttl', k('tmp')],
    ['getdel', k('tmp')],
    ['exists', k('tmp')],
    ['set', k('s2'), 'x'],
    ['getex', k('s2'), 'EX', 100],
    ['persist', k('s2')],
    ['ttl', k('s2')],
    ['append', k('s1'), '!'],
    ['set', k('f'), '1.5'],
    ['incrbyfloat', k('f'), '0.25'],
    ['incr', k('n')],
    ['mset', k('m1'), 'ohmytext', k('m2'), 'mynewtext'],
    ['mget', k('m1'), k('m2'), k('missing')],
    ['msetnx', k('m3'), 'a', k('m1'), 'b'],
    ['msetnx', k('m3'), 'a', k('m4'), 'b'],
    ['setrange', k('m5'), 3, 'xyz'],
    ['getrange', k('m1'), 0, 3],
    ['strlen', k('m5')],
    ['lcs', k('m1'), k('m2')],
    ['lcs', k('m1'), k('m2'), 'LEN'],
    ['lcs', k('m1'), k('m2'), 'IDX', 'MINMATCHLEN', 2, 'WITHMATCHLEN'],
    // bitmaps
    ['setbit', k('b1'), 7, 1],
    ['setbit', k('b2'), 6, 1],
    ['bitcount', k('b1')],
    ['bitop', 'OR', k('b3'), k('b1'), k('b2')],
    ['bitpos', k('b3'), 1],
    ['get', k('b3')],
    ['bitfield', k('b4'), 'SET', 'u8', 0, 200, 'INCRBY', 'u8', 0, 100, 'GET', 'u4', 0],
    ['bitfield_ro', k('b4'), 'GET', 'u8', 0],
    // HyperLogLog
    ['pfadd', k('hll1'), 'a', 'b', 'c'],
    ['pfadd', k('hll2'), 'c', 'd'],
    ['pfcount', k('hll1'), k('hll2')],
    ['pfmerge', k('hll3'), k('hll1'), k('hll2')],
    ['pfcount', k('hll3')],
    // hashes
    ['hset', k('hash'), { a: '1', b: '2', c: '3' }],
    ['hgetall', k('hash')],
    ['hincrby', k('hash'), 'a', 10],
    ['hmget', k('hash'), 'a', 'zz'],
    ['hrandfield', k('hash'), 3],
    ['hscan', k('hash'), 0],
    ['hscan', k('hash'), 0, 'MATCH', 'a*'],
    // lists, blocking pops with short timeouts
    ['lpush', k('l1'), 'c', 'b', 'a'],
    ['rpush', k('l1'), 'd', 'b', 'e', 'f'],
    ['lpos', k('l1'), 'b', 'RANK', 2],
    ['lpos', k('l1'), 'b', 'COUNT', 0],
    ['rpoplpush', k('l1'), k('l2')],
    ['lmove', k('l1'), k('l2'), 'LEFT', 'RIGHT'],
    ['blmove', k('l2'), k('l3'), 'RIGHT', 'LEFT', 0.01],
    ['blpop', k('empty'), k('l1'), 0.01],
    ['brpop', k('l2'), 0.01],
    ['blpop', k('empty'), 0.01],
    ['lmpop', 2, k('empty'), k('l1'), 'LEFT', 'COUNT', 2],
    ['blmpop', 0.01, 2, k('empty'), k('l3'), 'RIGHT'],
    ['blmpop', 0.01, 1, k('empty'), 'LEFT'],
    ['lmpopBuffer', 1, k('l1'), 'RIGHT'],
    ['lrange', k('l1'), 0, -1],
    // sets
    ['sadd', k('set1'), 'a', 'b', 'c', 'd'],
    ['sadd', k('set2'), 'c', 'd', 'e'],
    ['sinterstore', k('set3'), k('set1'), k('set2')],
    ['sunionstore', k('set4'), k('set1'), k('set2')],
    ['sdiffstore', k('set5'), k('set1'), k('set2')],
    ['smove', k('set1'), k('set2'), 'a'],
    ['sintercard', 2, k('set1'), k('set2')],
    ['smismember', k('set2'), 'a', 'b', 'z'],
    ['smembers', k('set4')],
    ['sinter', k('set1'), k('set2')],
    ['sunion', k('set3'), k('set5')],
    ['srandmember', k('set4'), 10],
    ['spop', k('set5'), 5],
    // sorted sets
    ['zadd', k('z1'), 1, 'a', 2, 'b', 3, 'c'],
    ['zadd', k('z2'), 10, 'b', 20, 'c', 30, 'd'],
    ['zunionstore', k('z3'), 2, k('z1'), k('z2'), 'WEIGHTS', 1, 2],
    ['zinterstore', k('z4'), 2, k('z1'), k('z2'), 'AGGREGATE', 'MAX'],
    ['zdiffstore', k('z5'), 2, k('z1'), k('z2')],
    ['zunion', 2, k('z1'), k('z2'), 'WITHSCORES'],
    ['zinter', 2, k('z1'), k('z2'), 'WITHSCORES'],
    ['zrangestore', k('z6'), k('z3'), 0, 2],
    ['zrange', k('z3'), 0, -1, 'WITHSCORES'],
    ['zmpop', 2, k('empty'), k('z6'), 'MIN'],
    ['bzmpop', 0.01, 2, k('empty'), k('z6'), 'MAX', 'COUNT', 5],
    ['bzpopmin', k('empty'), k('z5'), 0.01],
    ['bzpopmax', k('z4'), 0.01],
    ['bzpopmin', k('empty'), 0.01],
    ['zintercard', 2, k('z1'), k('z2'), 'LIMIT', 1],
    // geo
    ['geoadd', k('geo'), 13.361389, 38.115556, 'Palermo', 15.087269, 37.502669, 'Catania'],
    ['geodist', k('geo'), 'Palermo', 'Catania', 'km'],
    ['geosearchstore', k('geo2'), k('geo'), 'FROMLONLAT', 15, 37, 'BYRADIUS', 200, 'km', 'ASC'],
    ['georadius', k('geo'), 15, 37, 200, 'km', 'STORE', k('geo3')],
    ['georadius', k('geo'), 15, 37, 200, 'km', 'STOREDIST', k('geo4')],
    ['zrange', k('geo4'), 0, -1, 'WITHSCORES'],
    // streams, explicit IDs
    ['xadd', k('st'), '1-1', 'f', 'v1'],
    ['xadd', k('st'), '1-2', 'f', 'v2'],
    ['xadd', k('st2'), '2-1', 'g', 'w'],
    ['xrange', k('st'), '-', '+'],
    ['xread', 'COUNT', 1, 'STREAMS', k('st'), k('st2'), '0', '0'],
    ['xgroup', 'CREATE', k('st3'), 'grp', '$', 'MKSTREAM'],
    ['xgroup', 'CREATE', k('st'), 'grp', '0'],
    ['xreadgroup', 'GROUP', 'grp', 'c1', 'COUNT', 10, 'STREAMS', k('st'), '>'],
    ['xack', k('st'), 'grp', '1-1'],
    ['xpending', k('st'), 'grp'],
    ['xclaim', k('st'), 'grp', 'c2', 0, '1-2'],
    ['xautoclaim', k('st'), 'grp', 'c3', 0, '0-0'],
    ['xinfo', 'STREAM', k('st')],
    ['xtrim', k('st'), 'MAXLEN', 1],
    ['xlen', k('st')],
    // generic
    ['exists', k('s1'), k('s2'), k('nope'), k('s1')],
    ['rename', k('s2'), k('s2r')],
    ['renamenx', k('s2r'), k('s1')],
    ['copy', k('s1'), k('s1c')],
    ['copy', k('hash'), k('hashcopy'), 'DB', 13, 'REPLACE'],
    ['type', k('z1')],
    ['type', k('st')],
    ['expire', k('s1c'), 100],
    ['ttl', k('s1c')],
    ['persist', k('s1c')],
    ['object', 'ENCODING', k('l1')],
    ['object', 'ENCODING', k('hash')],
    ['call', 'MEMORY', 'USAGE', k('hash')],
    ['dumpBuffer', k('s1')],
    ['restore', k('restored'), 0, dump],
    ['get', k('restored')],
    ['touch', k('s1'), k('restored'), k('nope')],
    ['unlink', k('restored'), k('nope')],
    // SORT with BY and GET patterns (`#`, `->field`) and STORE
    ['rpush', k('ids'), '3', '1', '2'],
    ['mset', k('w_1'), 30, k('w_2'), 10, k('w_3'), 20],
    ['hset', k('o_1'), { name: 'one' }],
    ['hset', k('o_2'), { name: 'two' }],
    ['hset', k('o_3'), { name: 'three' }],
    ['sort', k('ids')],
    ['sort', k('ids'), 'LIMIT', 0, 2, 'ALPHA', 'DESC', 'STORE', k('sorted0')],
    ['sort', k('ids'), 'BY', k('w_*'), 'GET', '#', 'GET', k('o_*->name')],
    ['sort', k('ids'), 'BY', 'nosort', 'GET', k('w_*'), 'STORE', k('sorted')],
    ['lrange', k('sorted'), 0, -1],
    ['sort_ro', k('ids'), 'BY', k('w_*'), 'DESC', 'GET', k('o_*->name')],
    ['sort_ro', k('ids'), 'DESC'],
    // scripting
    ['eval', EVAL_SCRIPT, 2, k('n'), k('s1'), 5],
    ['script', 'LOAD', SHA_SCRIPT],
    ['evalsha', SHA, 1, k('l1')],
    ['function', 'LOAD', LIBRARY_CODE],
    ['fcall', FUNCTION, 1, k('hash'), 'a'],
    // KEYS and SCAN (the full iteration is checked after the run)
    ['keys', k('*')],
    ['keys', k('z?')],
    ['keysBuffer', k('set*')],
    ['scan', 0, 'MATCH', k('geo*'), 'COUNT', 1000],
  ];
}

/** SORT with a BY or GET pattern that reads keys: Redis 7 refuses it to a user without access to every key. */
const readsSortPatterns = ([method, ...args]: Cmd): boolean =>
  (method === 'sort' || method === 'sort_ro') && args.some((arg, i) => (args[i - 1] === 'BY' && arg !== 'nosort') || args[i - 1] === 'GET');

const sortStrings = (reply: unknown): unknown => (Array.isArray(reply) ? reply.map(String).sort() : reply);

/** Replies Redis leaves in no particular order get sorted; TTLs and MEMORY USAGE only count as > 0. */
function normalise([method, ...args]: Cmd, reply: unknown): unknown {
  if (reply instanceof Error) return { error: reply.message };
  switch (method) {
    case 'keys':
    case 'keysBuffer':
    case 'smembers':
    case 'sinter':
    case 'sunion':
    case 'srandmember':
    case 'spop':
    case 'hrandfield':
      return sortStrings(reply);
    case 'scan': {
      const [cursor, keys] = reply as [string, string[]];
      return [cursor, sortStrings(keys)];
    }
    case 'ttl':
      return typeof reply === 'number' && reply > 0 ? 'positive' : reply;
    case 'call':
      return args[0] === 'MEMORY' && typeof reply === 'number' && reply > 0 ? 'positive' : reply;
    default:
      return reply;
  }
}

const invoke = (target: object, [method, ...args]: Cmd): unknown => {
  const fn = (target as Record<string, Method | undefined>)[method];
  if (typeof fn !== 'function') throw new Error(`no method ${method}`);
  return fn.apply(target, args);
};

const label = (cmd: Cmd): string =>
  cmd.map((arg) => (Buffer.isBuffer(arg) ? '<buffer>' : typeof arg === 'object' ? JSON.stringify(arg) : String(arg).slice(0, 40))).join(' ');

/** Runs the list one command at a time, in one pipeline or in one MULTI; normalised replies. */
async function run(client: object, list: readonly Cmd[], how: How): Promise<unknown[]> {
  if (how === 'sequential') {
    const out: unknown[] = [];
    for (const cmd of list) out.push(normalise(cmd, await Promise.resolve(invoke(client, cmd)).catch((error: unknown) => error)));
    return out;
  }
  const batch = invoke(client, [how]) as { exec(): Promise<[Error | null, unknown][] | null> };
  for (const cmd of list) invoke(batch, cmd);
  const replies = await batch.exec();
  return (replies ?? []).map(([error, reply], i) => normalise(list[i] as Cmd, error ?? reply));
}

function expectSameReplies(list: readonly Cmd[], got: readonly unknown[], want: readonly unknown[]): void {
  const errors = want.flatMap((reply, i) => (typeof reply === 'object' && reply !== null && 'error' in reply ? [`${label(list[i] as Cmd)}: ${JSON.stringify(reply)}`] : []));
  expect(errors, 'the raw reference run itself failed').toEqual([]);
  expect(got).toHaveLength(list.length);
  const differing = list.flatMap((cmd, i) => (isDeepStrictEqual(got[i], want[i]) ? [] : [{ command: `#${i} ${label(cmd)}`, got: got[i], want: want[i] }]));
  expect(differing, 'commands whose replies differ from the raw client').toEqual([]);
}

interface Variant {
  readonly label: string;
  readonly Redis: (typeof IOREDIS_VERSIONS)[number]['Redis'];
  readonly options: Record<string, unknown>;
}
const VARIANTS: Variant[] = IOREDIS_VERSIONS.flatMap(({ name, Redis }) =>
  name === 'ioredis 6'
    ? [
        { label: 'ioredis 6, protocol 2', Redis, options: { protocol: 2 } },
        { label: 'ioredis 6, RESP3 (default)', Redis, options: {} },
      ]
    : [{ label: name, Redis, options: {} }],
);

describe.each(VARIANTS)('$label: isolated client vs raw client', ({ Redis, options }) => {
  type Client = InstanceType<typeof Redis>;
  const opened: Client[] = [];
  const user = `isolated-diff-${randomBytes(6).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  let admin: Client; // raw, database 11: flushes it, reads INFO, owns the ACL user and the function library
  let raw: Client; // raw, database 12: the reference
  let copies: Client; // raw, database 13: where COPY ... DB 13 lands
  let dump: Buffer;

  const connect = async (db: number, extra: Record<string, unknown> = {}): Promise<Client> => {
    const client = new Redis(inject('redisUrl'), { ...options, ...extra, db, lazyConnect: true });
    opened.push(client);
    await client.connect();
    return client;
  };
  const dropLibrary = (): Promise<unknown> => admin.function('DELETE', LIBRARY).catch((error: Error) => error);
  const fresh = async (): Promise<void> => {
    await Promise.all([admin.flushdb(), raw.flushdb(), copies.flushdb(), dropLibrary()]);
  };
  /** Runs `list` on the raw reference, then on `isolated`, and compares the replies. */
  const differential = async (isolated: object, list: readonly Cmd[], how: How): Promise<void> => {
    await fresh();
    const want = await run(raw, list, how);
    await dropLibrary();
    expectSameReplies(list, await run(isolated, list, how), want);
  };
  const calls = async (stat: string): Promise<number> => {
    const stats = await admin.info('commandstats');
    return Number(new RegExp(`^cmdstat_${stat.replace('|', '\\|')}:calls=(\\d+)`, 'm').exec(stats)?.[1] ?? 0);
  };

  beforeAll(async () => {
    [admin, raw, copies] = await Promise.all([connect(11), connect(12), connect(13)]);
    await copies.set('dump-source', 'restored value');
    dump = await copies.dumpBuffer('dump-source');
    await admin.call('ACL', 'SETUSER', user, 'reset', 'on', `>${password}`, '~mcp2:*', '&mcp2:*', '+@all', '-@dangerous',
      ...['+keys', '+sort', '+sort_ro', '+memory', '+object', '+script', '+function', '+dump', '+restore', '+info']);
  });

  afterAll(async () => {
    await admin.call('ACL', 'DELUSER', user);
    await fresh();
    for (const client of opened) client.disconnect();
  });

  it('prefix mode: the same replies as the raw client, command by command, and the same keys with mcp2: in front', async () => {
    const list = commandList((name) => name, dump);
    const client = await connect(11);
    const mcp2 = createIsolatedRedis({ namespace: 'mcp2', namespaces, client });
    await differential(mcp2, list, 'sequential');

    const rawKeys = (await raw.keys('*')).sort();
    expect(rawKeys.length).toBeGreaterThan(30);
    expect((await admin.keys('*')).sort()).toEqual(rawKeys.map((key) => PREFIX + key).sort());
    const rawTypes = await Promise.all(rawKeys.map((key) => raw.type(key)));
    expect(await Promise.all(rawKeys.map((key) => admin.type(PREFIX + key)))).toEqual(rawTypes);
    expect((await copies.keys('*')).sort()).toEqual(['hashcopy', 'mcp2:hashcopy']);

    // A full SCAN iteration through the view, a few keys per call, un-prefixed.
    const scanned: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await mcp2.scan(cursor, 'COUNT', 7);
      scanned.push(...keys);
      cursor = next;
    } while (cursor !== '0');
    expect([...new Set(scanned)].sort()).toEqual(rawKeys);
  });

  it('ACL user limited to ~mcp2:* &mcp2:*: the list passes sequentially, in one pipeline and in one MULTI', async () => {
    const client = await connect(11, { username: user, password });
    await expect(client.get('unprefixed')).rejects.toThrow(/NOPERM/);
    await expect(client.publish('news', 'x')).rejects.toThrow(/NOPERM/);
    const mcp2 = createIsolatedRedis({ namespace: 'mcp2', namespaces, client });
    const list = commandList((name) => name, dump).filter((cmd) => !readsSortPatterns(cmd));

    await differential(mcp2, list, 'sequential');
    expect((await admin.keys('*')).every((key) => key.startsWith(PREFIX))).toBe(true);
    await differential(mcp2, list, 'pipeline');
    await differential(mcp2, list.filter(([method]) => !BLOCKING.has(method)), 'multi');
    expect((await admin.keys('*')).sort()).toEqual((await raw.keys('*')).map((key) => PREFIX + key).sort());
  });

  it('strict mode: the list with every key written mcp2:... gives the raw replies', async () => {
    const list = commandList((name) => PREFIX + name, dump);
    const client = await connect(11);
    const strict = createIsolatedRedis({ namespace: 'mcp2', namespaces, client, mode: 'strict' });
    await differential(strict, list, 'sequential');
    expect((await admin.keys('*')).sort()).toEqual((await raw.keys('*')).sort());
  });

  // [INFO commandstats name, the bad key, the command line around it]
  const REFUSALS: ReadonlyArray<readonly [string, string, (key: string) => Cmd]> = [
    ['zunionstore', 'z', (x) => ['zunionstore', 'mcp2:d', 2, 'mcp2:a', x]],
    ['lmpop', 'celery:l', (x) => ['lmpop', 2, 'mcp2:l', x, 'LEFT']],
    ['georadius', 'celery:d', (x) => ['georadius', 'mcp2:g', 15, 37, 200, 'km', 'STORE', x]],
    ['sort', 'w_*', (x) => ['sort', 'mcp2:ids', 'BY', x]],
    ['xread', 's2', (x) => ['xread', 'STREAMS', 'mcp2:s', x, '0', '0']],
    ['sintercard', 'celery:a', (x) => ['sintercard', 2, x, 'mcp2:b']],
    ['copy', 'b', (x) => ['copy', 'mcp2:a', x]],
    ['object|encoding', 'celery:x', (x) => ['object', 'ENCODING', x]],
    ['memory|usage', 'x', (x) => ['call', 'MEMORY', 'USAGE', x]],
    ['eval_ro', 'celery:k', (x) => ['eval_ro', 'return 1', 2, 'mcp2:k', x]],
    ['blmove', 'l', (x) => ['blmove', 'mcp2:a', x, 'LEFT', 'LEFT', 0.01]],
    ['pfmerge', 'h', (x) => ['pfmerge', 'mcp2:h', x]],
  ];

  it('strict mode: a bare or foreign key is refused with its code, and nothing reaches the server', async () => {
    const client = await connect(11);
    const strict = createIsolatedRedis({ namespace: 'mcp2', namespaces, client, mode: 'strict' });
    for (const [stat, bad, line] of REFUSALS) {
      const code = bad.startsWith('celery:') ? 'ERR_CROSS_NAMESPACE' : 'ERR_UNPREFIXED_KEY';
      const before = await calls(stat);
      await expect(invoke(strict, line(bad)), label(line(bad))).rejects.toMatchObject({ code, key: bad });
      expect(await calls(stat), `${label(line(bad))} reached the server`).toBe(before);
      // The same line with the key in the namespace is sent: the counter above is the right one.
      await Promise.resolve(invoke(strict, line(PREFIX + bad.replace(/^celery:/, '')))).catch(() => undefined);
      expect(await calls(stat), label(line(bad))).toBeGreaterThan(before);
    }
  });
});
