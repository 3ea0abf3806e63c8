import type { Redis } from 'ioredis';
import { escapeGlob } from '../../core/index.js';

/** One SCAN reply: the namespace's keys it held, and the share of the keyspace walked so far. */
export interface ScanBatch {
  readonly keys: Buffer[];
  /** 0..1 read from the cursor, `undefined` where the cursor does not tell. */
  readonly walked: number | undefined;
}

/**
 * SCAN of every key starting with `prefix` (MATCH on the glob-escaped prefix, never KEYS), one
 * batch per reply, empty batches skipped. Keys are checked against the prefix's bytes again:
 * nothing outside the namespace is ever handed on.
 */
export async function* scanNamespace(client: Redis, prefix: string, count: number, signal?: AbortSignal): AsyncGenerator<ScanBatch> {
  const match = `${escapeGlob(prefix)}*`;
  const prefixBytes = Buffer.from(prefix);
  const walked = scanPosition();
  let cursor = '0';
  do {
    if (signal?.aborted) return;
    const [next, found] = await client.scanBuffer(cursor, 'MATCH', match, 'COUNT', count);
    cursor = String(next);
    const keys = found.filter((key) => key.subarray(0, prefixBytes.length).equals(prefixBytes));
    if (keys.length > 0 || cursor === '0') yield { keys, walked: walked(cursor) };
  } while (cursor !== '0');
}

/**
 * The share of the keyspace a SCAN has walked, read from its cursor. Redis walks its hash table
 * in reverse-binary order: the cursor's bits reversed, over 64 bits, count up from 0 to 2^64 as
 * the walk goes, whatever the table's size, so their value divided by 2^64 is the share of
 * buckets visited. A cursor that goes backwards in that reading (a server whose cursors also
 * encode something else, such as a slot) turns the reading off for the rest of the walk.
 */
export function scanPosition(): (cursor: string) => number | undefined {
  let last = 0;
  let readable = true;
  return (cursor) => {
    if (!readable) return undefined;
    if (cursor === '0') return 1;
    let value = BigInt(cursor);
    let reversed = 0n;
    for (let bit = 0; bit < 64; bit++) {
      reversed = (reversed << 1n) | (value & 1n);
      value >>= 1n;
    }
    const share = Number(reversed) / 2 ** 64;
    if (share < last) readable = false;
    last = share;
    return readable ? share : undefined;
  };
}
