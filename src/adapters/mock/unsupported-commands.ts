import type { RedisArg } from '../../core/index.js';

/**
 * Commands ioredis-mock 8.13 cannot run: it defines them as methods that throw "Unsupported
 * command" (its compat list, https://github.com/stipsan/ioredis-mock/blob/main/compat.md). The
 * mock adapter refuses them with {@link MockUnsupportedCommandError} once they have passed the
 * guard, so a test fails with a clear reason instead of the mock's TypeError. A command of the
 * table the mock has no method for at all (newer than the mock) is refused the same way.
 *
 * A test checks this list against the installed ioredis-mock, so it follows the mock's releases.
 *
 * @example
 * ```ts
 * MOCK_UNSUPPORTED_COMMANDS.has('sort'); // true: run SORT against a real server
 * ```
 */
export const MOCK_UNSUPPORTED_COMMANDS: ReadonlySet<string> = new Set([
  // blocking commands
  'blmove', 'blmpop', 'blpop', 'brpop', 'bzmpop', 'bzpopmax', 'bzpopmin',
  // strings, bitmaps, HyperLogLog
  'lcs', 'bitfield', 'bitfield_ro', 'bitop', 'bitpos', 'pfadd', 'pfcount', 'pfdebug', 'pfmerge', 'pfselftest',
  // hash field expiry
  'hexpire', 'hexpireat', 'hexpiretime', 'hgetdel', 'hgetex', 'hpersist', 'hpexpire', 'hpexpireat', 'hpexpiretime', 'hpttl', 'hsetex', 'httl',
  // sets and sorted sets
  'sintercard', 'zdiffstore', 'zinter', 'zintercard', 'zlexcount', 'zmpop', 'zrandmember', 'zrangestore', 'zremrangebylex', 'zunion',
  'zunionstore',
  // geo
  'geoadd', 'geodist', 'geohash', 'geopos', 'georadius', 'georadius_ro', 'georadiusbymember', 'georadiusbymember_ro', 'geosearch',
  'geosearchstore',
  // stream consumer groups and trimming
  'xack', 'xackdel', 'xautoclaim', 'xclaim', 'xdel', 'xdelex', 'xgroup', 'xinfo', 'xpending', 'xreadgroup', 'xsetid', 'xtrim',
  // keys
  'copy', 'dump', 'restore', 'restore-asking', 'migrate', 'move', 'sort', 'sort_ro', 'touch',
  // scripting and functions (EVAL and EVALSHA run)
  'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro', 'function', 'script',
  // sharded pub/sub
  'spublish', 'ssubscribe', 'sunsubscribe',
  // server and connection
  'acl', 'client', 'debug', 'hello', 'latency', 'memory', 'module', 'monitor', 'psync', 'reset', 'select', 'shutdown', 'slowlog',
  'swapdb', 'sync', 'wait', 'waitaof',
]);

const keywordIn = (args: readonly RedisArg[], keywords: readonly string[]): string | undefined =>
  args.map((arg) => String(arg).toUpperCase()).find((arg) => keywords.includes(arg));

/**
 * Options ioredis-mock 8.13 does not implement in commands it otherwise runs (it answers them with
 * a misleading "ERR syntax error" or "Uknown option"): for each command, the option keyword in
 * the arguments (as the code wrote them), if any. Refused like an unsupported command.
 *
 * @example
 * ```ts
 * MOCK_UNSUPPORTED_OPTIONS.zinterstore?.(['d', '2', 'a', 'b', 'AGGREGATE', 'MAX']); // 'AGGREGATE'
 * ```
 */
export const MOCK_UNSUPPORTED_OPTIONS: Readonly<Record<string, (args: readonly RedisArg[]) => string | undefined>> = {
  zinterstore: (args) => keywordIn(args.slice(2 + Number(args[1])), ['WEIGHTS', 'AGGREGATE']),
  scan: (args) => keywordIn(args.slice(1).filter((_, i) => i % 2 === 0), ['TYPE']),
};
