/**
 * Where ioredis-mock reads commands differently from Redis, in ways the guard's rewriting would
 * trip over. Each fix keeps the command's meaning and only adapts its form to the mock.
 */

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
