import type { RedisArg } from '../../core/index.js';

/**
 * Where ioredis-mock reads commands differently from Redis, in ways the guard's rewriting would
 * trip over. Each fix keeps the command's meaning and only adapts its form to the mock.
 */

/** Cursor position of each scan command: SCAN cursor ..., HSCAN key cursor ... */
const SCAN_CURSOR: Readonly<Record<string, number>> = { scan: 0, sscan: 1, hscan: 1, zscan: 1 };

/**
 * ioredis-mock reads scan options only as `MATCH p COUNT n` (in that order); the guard appends
 * `MATCH <prefix>*` after the options the code gave (`SCAN 0 COUNT 100 MATCH mcp2:*`). Redis takes
 * the options in any order, so moving MATCH first changes nothing but what the mock accepts.
 */
export function orderScanOptions(command: string, args: readonly RedisArg[]): readonly RedisArg[] {
  const cursor = SCAN_CURSOR[command.toLowerCase()];
  if (cursor === undefined) return args;
  const head = args.slice(0, cursor + 1);
  const match: RedisArg[] = [];
  const rest: RedisArg[] = [];
  for (let i = cursor + 1; i < args.length; i += 2) {
    const pair = args.slice(i, i + 2);
    (String(args[i]).toUpperCase() === 'MATCH' ? match : rest).push(...pair);
  }
  return match.length === 0 ? args : [...head, ...match, ...rest];
}

/** ioredis-mock's pipelines name EVAL by its emulator's name. */
const BATCH_ALIASES: Readonly<Record<string, string>> = { eval: 'evaluate' };

/** The name of `method` on a pipeline of the mock. */
export function batchMethodName(batch: Readonly<Record<string, unknown>>, method: string): string {
  return typeof batch[method] === 'function' ? method : (BATCH_ALIASES[method] ?? method);
}

/**
 * The keys ioredis-mock stores of its own: for each stream entry, a `stream:<stream>:<id>` key
 * that remembers whether XREAD has seen it. Redis has no such keys; a raw view hides them.
 * (The mock reports its streams' TYPE as `list`, so the stream is recognised by its name.)
 */
export function mockBookkeepingKeys(keys: readonly string[], allKeys: ReadonlySet<string>): Set<string> {
  const bookkeeping = new Set<string>();
  for (const key of keys) {
    if (!key.startsWith('stream:')) continue;
    const idStart = key.lastIndexOf(':');
    if (allKeys.has(key.slice('stream:'.length, idStart)) && /^\d+-\d+(-\d+)?$/.test(key.slice(idStart + 1))) bookkeeping.add(key);
  }
  return bookkeeping;
}
