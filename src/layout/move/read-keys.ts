import type { Redis } from 'ioredis';

/** A key's size, and for a big key its type, read before its value is (so that a big key is never read whole). */
export interface KeyInfo {
  /** TYPE for a big key; `''` for a small one (its snapshot tells). */
  readonly type: string;
  /** MEMORY USAGE: exact for strings, an estimate from samples for big collections. */
  readonly bytes: number;
}

/** A key's expiry and value, read together in one transaction (they never disagree). */
export interface KeySnapshot {
  readonly type: string;
  /** Unix time in ms at which the key expires (PEXPIRETIME), -1 for none. */
  readonly expireAt: number;
  /** DUMP of the value; absent when not asked for (a big key). */
  readonly dump: Buffer | undefined;
}

type Replies = Array<[Error | null, unknown]>;

/** The values of a pipeline's replies; the first failed command's error is thrown. */
export function values(replies: Replies | null): unknown[] {
  if (replies === null) throw new Error('the transaction was aborted');
  return replies.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

/**
 * MEMORY USAGE of each key in one round trip, and TYPE of those of `bigKeyBytes` or more in
 * another; `null` for a key that is gone.
 */
export async function inspectKeys(client: Redis, keys: readonly Buffer[], bigKeyBytes: number): Promise<Array<KeyInfo | null>> {
  if (keys.length === 0) return [];
  const sizes = client.pipeline();
  for (const key of keys) sizes.call('MEMORY', 'USAGE', key);
  const bytes = values(await sizes.exec()).map((usage) => (usage === null ? null : Number(usage)));
  const big = keys.filter((_, i) => (bytes[i] ?? 0) >= bigKeyBytes);
  const types = new Map<Buffer, string>();
  if (big.length > 0) {
    const typing = client.pipeline();
    for (const key of big) typing.type(key);
    values(await typing.exec()).forEach((type, i) => types.set(big[i] as Buffer, String(type)));
  }
  return keys.map((key, i) => {
    const size = bytes[i];
    const type = types.get(key) ?? '';
    return size === null || size === undefined || type === 'none' ? null : { type, bytes: size };
  });
}

/**
 * TYPE, PEXPIRETIME and (where `withDump[i]`) DUMP of each key, all in one MULTI/EXEC: one
 * consistent view of the batch, in which no key's value and expiry can disagree. `null` for a
 * key that is gone.
 */
export async function snapshotKeys(client: Redis, keys: readonly Buffer[], withDump: (i: number) => boolean): Promise<Array<KeySnapshot | null>> {
  if (keys.length === 0) return [];
  const multi = client.multi();
  keys.forEach((key, i) => {
    multi.type(key).call('PEXPIRETIME', key);
    if (withDump(i)) multi.dumpBuffer(key);
  });
  const replies = values(await multi.exec());
  let at = 0;
  return keys.map((_, i) => {
    const type = String(replies[at++]);
    const expireAt = Number(replies[at++]);
    const dump = withDump(i) ? (replies[at++] as Buffer | null) : undefined;
    if (type === 'none' || expireAt === -2 || dump === null) return null;
    return { type, expireAt, dump };
  });
}

/**
 * Two DUMPs hold the same value: equal bytes, or equal payloads under different RDB versions
 * (a DUMP ends with 2 bytes of RDB version and 8 of CRC64). Different encodings of one value
 * (a listpack and a hash table) differ here: the content digest tells those apart.
 */
export function sameDump(a: Buffer, b: Buffer): boolean {
  if (a.equals(b)) return true;
  return a.length === b.length && a.length > 10 && a.subarray(0, -10).equals(b.subarray(0, -10));
}
