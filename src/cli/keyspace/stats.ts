/**
 * The key statistics of one namespace (or of the keys in none).
 *
 * @example
 * ```ts
 * const stats: NamespaceStats = { namespace: 'mcp2', keys: 120, withoutTtl: 20, sampled: 100, sampledBytes: 9600, biggest: [] };
 * ```
 */
export interface NamespaceStats {
  /** The namespace, or `null` for keys that carry no known namespace's prefix. */
  readonly namespace: string | null;
  keys: number;
  /** Keys with no expiry (PTTL -1). */
  withoutTtl: number;
  /** How many of the keys MEMORY USAGE measured (the first ones SCAN returned, up to the sample size). */
  sampled: number;
  /** Their total size in bytes. */
  sampledBytes: number;
  /** The biggest sampled keys, biggest first. */
  biggest: { key: string; bytes: number; type?: string }[];
  /** Up to five key names (kept for keys in no namespace, as examples). */
  examples: string[];
}

/**
 * Bytes a namespace holds, estimated from its sample: mean sampled size times key count.
 *
 * @example
 * ```ts
 * estimatedBytes({ ...emptyStats('mcp2'), keys: 100, sampled: 10, sampledBytes: 800 }); // 8000
 * ```
 */
export function estimatedBytes(stats: NamespaceStats): number {
  return stats.sampled === 0 ? 0 : Math.round((stats.sampledBytes / stats.sampled) * stats.keys);
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
  return { namespace, keys: 0, withoutTtl: 0, sampled: 0, sampledBytes: 0, biggest: [], examples: [] };
}

/**
 * Keeps the `top` biggest entries of `list` after adding one.
 *
 * @example
 * ```ts
 * keepBiggest(stats.biggest, { key: 'mcp2:big', bytes: 4096 }, 5);
 * ```
 */
export function keepBiggest(list: NamespaceStats['biggest'], entry: { key: string; bytes: number }, top: number): void {
  if (top <= 0) return;
  if (list.length >= top && (list[list.length - 1]?.bytes ?? 0) >= entry.bytes) return;
  list.push(entry);
  list.sort((a, b) => b.bytes - a.bytes || a.key.localeCompare(b.key));
  if (list.length > top) list.length = top;
}
