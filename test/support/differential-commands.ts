import { createHash, randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { expect } from 'vitest';

/**
 * The differential command list every adapter runs: each command through an isolated client and
 * through a raw client of the same driver must give the same replies and leave the same keys,
 * with the prefix in front. Commands are written as argument vectors (`[name, ...args]`, names in
 * lower case) so that every driver can send them: ioredis through its typed methods, node-redis
 * through `sendCommand`, the mock through the methods it has.
 */

/** One command as `[name, ...args]`; names are lower case, as ioredis's typed methods are. */
export type Cmd = readonly [command: string, ...args: Array<string | number | Buffer>];

export const PREFIX = 'mcp2:';
export const NAMESPACES = ['mcp2', 'celery'];
const TAG = randomBytes(4).toString('hex');
/** The function library FUNCTION LOAD creates; each run deletes it between passes. */
export const LIBRARY = `diff_${TAG}`;
const FUNCTION = `${LIBRARY}_hget`;
const LIBRARY_CODE = `#!lua name=${LIBRARY}\nredis.register_function('${FUNCTION}', function(keys, args) return redis.call('HGET', keys[1], args[1]) end)`;
const EVAL_SCRIPT = "return {redis.call('INCRBY', KEYS[1], ARGV[1]), redis.call('GET', KEYS[2])}";
const SHA_SCRIPT = "return redis.call('LLEN', KEYS[1])";
const SHA = createHash('sha1').update(SHA_SCRIPT).digest('hex');
/** Blocking commands, which a MULTI runs without blocking (and which some drivers time differently). */
export const BLOCKING = new Set(['blmove', 'blpop', 'brpop', 'blmpop', 'bzmpop', 'bzpopmin', 'bzpopmax']);

/** The ACL rules of the differential test's restricted user, after `reset on >password`. */
export const ACL_RULES = ['~mcp2:*', '&mcp2:*', '+@all', '-@dangerous',
  ...['+keys', '+sort', '+sort_ro', '+memory', '+object', '+script', '+function', '+dump', '+restore', '+info']];

/**
 * The shared list. `k` names a key (or a SORT pattern): the identity for prefix mode and the raw
 * reference, `mcp2:` in front for strict mode. `dump` is a DUMP payload for RESTORE.
 */
export function commandList(k: (name: string) => string, dump: Buffer): Cmd[] {
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
    ['hset', k('hash'), 'a', '1', 'b', '2', 'c', '3'],
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
    ['lmpop', 1, k('l1'), 'RIGHT'],
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
    ['memory', 'USAGE', k('hash')],
    ['dump', k('s1')],
    ['restore', k('restored'), 0, dump],
    ['get', k('restored')],
    ['touch', k('s1'), k('restored'), k('nope')],
    ['unlink', k('restored'), k('nope')],
    // SORT with BY and GET patterns (`#`, `->field`) and STORE
    ['rpush', k('ids'), '3', '1', '2'],
    ['mset', k('w_1'), 30, k('w_2'), 10, k('w_3'), 20],
    ['hset', k('o_1'), 'name', 'one'],
    ['hset', k('o_2'), 'name', 'two'],
    ['hset', k('o_3'), 'name', 'three'],
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
    ['keys', k('set*')],
    ['scan', 0, 'MATCH', k('geo*'), 'COUNT', 1000],
  ];
}

/** SORT with a BY or GET pattern that reads keys: Redis 7 refuses it to a user without access to every key. */
export const readsSortPatterns = ([method, ...args]: readonly unknown[]): boolean =>
  (method === 'sort' || method === 'sort_ro') && args.some((arg, i) => (args[i - 1] === 'BY' && arg !== 'nosort') || args[i - 1] === 'GET');

const sortStrings = (reply: unknown): unknown => (Array.isArray(reply) ? reply.map(String).sort() : reply);

/** Replies Redis leaves in no particular order get sorted; TTLs and MEMORY USAGE only count as > 0. */
export function normalise([method, ...args]: readonly unknown[], reply: unknown): unknown {
  if (reply instanceof Error) return { error: reply.message };
  // `call('MEMORY', ...)` and `keysBuffer(...)` normalise like `memory(...)` and `keys(...)`.
  if (method === 'call') return normalise([String(args[0]).toLowerCase(), ...args.slice(1)], reply);
  switch (String(method).replace(/Buffer$/, '')) {
    case 'keys':
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
    case 'memory':
      return args[0] === 'USAGE' && typeof reply === 'number' && reply > 0 ? 'positive' : reply;
    default:
      return reply;
  }
}


/** A short, readable form of a command line for failure messages. */
export const label = (cmd: readonly unknown[]): string =>
  cmd.map((arg) => (Buffer.isBuffer(arg) ? '<buffer>' : typeof arg === 'object' ? JSON.stringify(arg) : String(arg).slice(0, 40))).join(' ');

/** Asserts that the reference run succeeded and that both runs gave the same replies, command by command. */
export function expectSameReplies(list: readonly (readonly unknown[])[], got: readonly unknown[], want: readonly unknown[]): void {
  const errors = want.flatMap((reply, i) => (typeof reply === 'object' && reply !== null && 'error' in reply ? [`${label(list[i] ?? [])}: ${JSON.stringify(reply)}`] : []));
  expect(errors, 'the raw reference run itself failed').toEqual([]);
  expect(got).toHaveLength(list.length);
  const differing = list.flatMap((cmd, i) => (isDeepStrictEqual(got[i], want[i]) ? [] : [{ command: `#${i} ${label(cmd)}`, got: got[i], want: want[i] }]));
  expect(differing, 'commands whose replies differ from the raw client').toEqual([]);
}

/**
 * Strict-mode refusals: [INFO commandstats name, the bad key, the command line around it]. Each
 * line is also sent once with the key in the namespace, to prove the counter is the right one.
 */
export const REFUSALS: ReadonlyArray<readonly [string, string, (key: string) => Cmd]> = [
    ['zunionstore', 'z', (x) => ['zunionstore', 'mcp2:d', 2, 'mcp2:a', x]],
    ['lmpop', 'celery:l', (x) => ['lmpop', 2, 'mcp2:l', x, 'LEFT']],
    ['georadius', 'celery:d', (x) => ['georadius', 'mcp2:g', 15, 37, 200, 'km', 'STORE', x]],
    ['sort', 'w_*', (x) => ['sort', 'mcp2:ids', 'BY', x]],
    ['xread', 's2', (x) => ['xread', 'STREAMS', 'mcp2:s', x, '0', '0']],
    ['sintercard', 'celery:a', (x) => ['sintercard', 2, x, 'mcp2:b']],
    ['copy', 'b', (x) => ['copy', 'mcp2:a', x]],
    ['object|encoding', 'celery:x', (x) => ['object', 'ENCODING', x]],
    ['memory|usage', 'x', (x) => ['memory', 'USAGE', x]],
    ['eval_ro', 'celery:k', (x) => ['eval_ro', 'return 1', 2, 'mcp2:k', x]],
    ['blmove', 'l', (x) => ['blmove', 'mcp2:a', x, 'LEFT', 'LEFT', 0.01]],
    ['pfmerge', 'h', (x) => ['pfmerge', 'mcp2:h', x]],
  ];


/**
 * Sends each strict-mode refusal line through `send` and proves with `calls` (INFO commandstats
 * calls of a command) that nothing reached the server; then sends the line with its key in the
 * namespace, to prove the counter was the right one.
 */
export async function expectRefusalsSendNothing(send: (cmd: Cmd) => Promise<unknown>, calls: (stat: string) => Promise<number>): Promise<void> {
  for (const [stat, bad, line] of REFUSALS) {
    const code = bad.startsWith('celery:') ? 'ERR_CROSS_NAMESPACE' : 'ERR_UNPREFIXED_KEY';
    const before = await calls(stat);
    await expect(send(line(bad)), label(line(bad))).rejects.toMatchObject({ code, key: bad });
    expect(await calls(stat), `${label(line(bad))} reached the server`).toBe(before);
    await send(line(PREFIX + bad.replace(/^celery:/, ''))).catch(() => undefined);
    expect(await calls(stat), label(line(bad))).toBeGreaterThan(before);
  }
}

/** The `calls` of one command (`get`, `object|encoding`) in an `INFO commandstats` reply; 0 when absent. */
export function commandCalls(commandstats: string, stat: string): number {
  return Number(new RegExp(`^cmdstat_${stat.replace('|', '\\|')}:calls=(\\d+)`, 'm').exec(commandstats)?.[1] ?? 0);
}
