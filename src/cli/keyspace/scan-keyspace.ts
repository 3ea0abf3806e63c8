import type { Redis } from 'ioredis';
import { emptyStats, keepBiggest, type NamespaceStats } from './stats.js';

/**
 * How {@link scanKeyspace} walks the keyspace.
 *
 * @example
 * ```ts
 * const options: ScanOptions = { prefixes: new Map([['mcp2', 'mcp2:']]), count: 1000, sample: 1000, top: 5 };
 * ```
 */
export interface ScanOptions {
  /** Namespace -> prefix. */
  readonly prefixes: ReadonlyMap<string, string>;
  /** SCAN COUNT. */
  readonly count: number;
  /** Keys per namespace measured with MEMORY USAGE. */
  readonly sample: number;
  /** Biggest keys kept per namespace. */
  readonly top: number;
  /** At most this many keys per second, or unlimited. */
  readonly rate?: number | undefined;
  /** Told the running key count every 10,000 keys. */
  readonly progress?: ((scanned: number) => void) | undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * How long to wait so that `scanned` keys in `elapsedMs` stay within `rate` keys per second
 * (0 when there is no rate, or the scan is behind it).
 *
 * @example
 * ```ts
 * rateDelay(5000, 1000, 2000); // 3000: 5,000 keys at 1,000/s take 5 s, 2 s have passed
 * ```
 */
export function rateDelay(scanned: number, rate: number | undefined, elapsedMs: number): number {
  return rate ? Math.max(0, (scanned / rate) * 1000 - elapsedMs) : 0;
}

/**
 * SCANs every node (standalone: the one server; cluster: each master) and groups the keys by
 * namespace: counts, keys without TTL (PTTL), MEMORY USAGE of a sample and the biggest sampled
 * keys with their TYPE. Read-only: SCAN, PTTL, MEMORY USAGE and TYPE only, never KEYS.
 *
 * @example
 * ```ts
 * const stats = await scanKeyspace([redis], { prefixes: new Map([['mcp2', 'mcp2:']]), count: 1000, sample: 100, top: 5 });
 * stats.get('mcp2')?.keys; // 120
 * ```
 */
export async function scanKeyspace(nodes: readonly Redis[], options: ScanOptions): Promise<Map<string | null, NamespaceStats>> {
  const stats = new Map<string | null, NamespaceStats>([...options.prefixes.keys()].map((name) => [name, emptyStats(name)]));
  stats.set(null, emptyStats(null));
  const prefixes = [...options.prefixes];
  const started = Date.now();
  let scanned = 0;
  let reported = 0;
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'COUNT', options.count);
      cursor = next;
      const owners = keys.map((key) => stats.get(prefixes.find(([, prefix]) => key.startsWith(prefix))?.[0] ?? null) as NamespaceStats);
      const queued = new Map<NamespaceStats, number>();
      const measured = owners.map((owner) => {
        const before = queued.get(owner) ?? 0;
        queued.set(owner, before + 1);
        return owner.sampled + before < options.sample;
      });
      const batch = node.pipeline();
      keys.forEach((key, i) => {
        batch.pttl(key);
        if (measured[i]) batch.call('MEMORY', 'USAGE', key);
      });
      const replies = keys.length > 0 ? ((await batch.exec()) ?? []) : [];
      let reply = 0;
      keys.forEach((key, i) => {
        const owner = owners[i] as NamespaceStats;
        owner.keys++;
        if (owner.examples.length < 5) owner.examples.push(key);
        if (replies[reply++]?.[1] === -1) owner.withoutTtl++;
        if (!measured[i]) return;
        const bytes = Number(replies[reply++]?.[1] ?? 0);
        owner.sampled++;
        owner.sampledBytes += bytes;
        keepBiggest(owner.biggest, { key, bytes }, options.top);
      });
      scanned += keys.length;
      if (options.progress && scanned - reported >= 10_000) {
        reported = scanned;
        options.progress(scanned);
      }
      const due = rateDelay(scanned, options.rate, Date.now() - started);
      if (due > 0) await sleep(due);
    } while (cursor !== '0');
    await typeBiggest(node, stats);
  }
  return stats;
}

/** TYPE of the biggest keys found so far on `node` that have none yet. */
async function typeBiggest(node: Redis, stats: ReadonlyMap<string | null, NamespaceStats>): Promise<void> {
  for (const { biggest } of stats.values()) {
    for (const entry of biggest) {
      if (entry.type !== undefined) continue;
      const type = await node.type(entry.key);
      if (type !== 'none') entry.type = type;
    }
  }
}
