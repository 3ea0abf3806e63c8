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
