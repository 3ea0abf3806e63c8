/**
 * One of a namespace's biggest keys: its MEMORY USAGE, TYPE and, where a cheap command tells
 * it, its length (bytes of a string, fields of a hash, members of a set or zset, items of a
 * list, entries of a stream).
 *
 * @example
 * ```ts
 * const key: BigKey = { key: 'mcp2:ranking', bytes: 579_584, type: 'zset', length: 12_000 };
 * ```
 */
export interface BigKey {
  key: string;
  bytes: number;
  type?: string;
  length?: number;
}

/**
 * The key statistics of one namespace (or of the keys in none).
 *
 * @example
 * ```ts
 * const stats: NamespaceStats = { ...emptyStats('mcp2'), keys: 120, withoutTtl: 20, sampled: 100, sampledBytes: 9600 };
 * ```
 */
export interface NamespaceStats {
  /** The namespace, or `null` for keys that carry no known namespace's prefix. */
  readonly namespace: string | null;
  keys: number;
  /** Keys with no expiry (PTTL -1). */
  withoutTtl: number;
  /** How many of the keys MEMORY USAGE measured as the sample (the first ones SCAN returned, up to the sample size). */
  sampled: number;
  /** Their total size in bytes. */
  sampledBytes: number;
  /** Keys outside the sample that MEMORY USAGE measured as candidates for the biggest keys. */
  measured: number;
  /** Their total size in bytes. */
  measuredBytes: number;
  /** The biggest keys, biggest first: found over every key by their length, measured with MEMORY USAGE. */
  biggest: BigKey[];
  /** Up to five key names (kept for keys in no namespace, as examples). */
  examples: string[];
}

/**
 * Bytes a namespace holds, estimated: the measured bytes of the sample and of the biggest
 * keys, plus the sample's mean size for each key measured neither way.
 *
 * @example
 * ```ts
 * estimatedBytes({ ...emptyStats('mcp2'), keys: 100, sampled: 10, sampledBytes: 800 }); // 8000
 * ```
 */
export function estimatedBytes(stats: NamespaceStats): number {
  const mean = stats.sampled === 0 ? 0 : stats.sampledBytes / stats.sampled;
  const unmeasured = Math.max(0, stats.keys - stats.sampled - stats.measured);
  return Math.round(stats.sampledBytes + stats.measuredBytes + mean * unmeasured);
}

/**
 * Fresh, empty statistics.
 *
 * @example
 * ```ts
 * emptyStats(null).keys; // 0
 * ```
 */
export function emptyStats(namespace: string | null): NamespaceStats {
  return { namespace, keys: 0, withoutTtl: 0, sampled: 0, sampledBytes: 0, measured: 0, measuredBytes: 0, biggest: [], examples: [] };
}

/**
 * Keeps the `top` biggest entries of `list` after adding one (a key already listed is replaced).
 *
 * @example
 * ```ts
 * keepBiggest(stats.biggest, { key: 'mcp2:big', bytes: 4096 }, 5);
 * ```
 */
export function keepBiggest(list: BigKey[], entry: BigKey, top: number): void {
  if (top <= 0) return;
  const listed = list.findIndex((item) => item.key === entry.key);
  if (listed !== -1) list.splice(listed, 1);
  else if (list.length >= top && (list[list.length - 1]?.bytes ?? 0) >= entry.bytes) return;
  list.push(entry);
  list.sort((a, b) => b.bytes - a.bytes || a.key.localeCompare(b.key));
  if (list.length > top) list.length = top;
}
