import type { Redis } from 'ioredis';
import type { NamespaceSet } from '../../core/index.js';
import { emptyStats, keepBiggest, type NamespaceStats } from './stats.js';

/**
 * How {@link scanKeyspace} walks the keyspace.
 *
 * @example
 * ```ts
 * const options: ScanOptions = { namespaces: defineNamespaces({ namespaces: ['mcp2'] }), count: 1000, sample: 1000, top: 5 };
 * ```
 */
export interface ScanOptions {
  /** The known namespaces: one row per listed namespace and one per family (its members together). */
  readonly namespaces: NamespaceSet;
  /** SCAN COUNT. */
  readonly count: number;
  /** Keys per namespace measured with MEMORY USAGE for the memory estimates. */
  readonly sample: number;
  /** Biggest keys kept per namespace (found over every key). */
  readonly top: number;
  /** At most this many keys per second, or unlimited. */
  readonly rate?: number | undefined;
  /** Told the running key count after every SCAN batch. */
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
 * The command that tells a key's length cheaply (O(1)), by TYPE, as `redis-cli --bigkeys` uses
 * them. Other types (modules' own) have none: such keys are ranked only when sampled.
 */
const LENGTH_COMMANDS: Readonly<Record<string, string>> = { string: 'strlen', hash: 'hlen', set: 'scard', zset: 'zcard', list: 'llen', stream: 'xlen' };

/**
 * How many of the longest keys of each type and namespace get their MEMORY USAGE measured at
 * the end: more than `top`, since length is only a proxy for bytes (a hash of 10 large fields
 * may outweigh one of 1,000 small ones).
 */
const candidatesPerType = (top: number): number => (top <= 0 ? 0 : Math.max(4 * top, 16));

interface Candidate {
  readonly key: string;
  readonly node: Redis;
  readonly length: number;
  readonly type: string;
  /** Known when the key was in the sample. */
  readonly sampledBytes?: number;
}

/** The longest keys of each type, per namespace. */
class Candidates {
  private readonly lists = new Map<NamespaceStats, Map<string, Candidate[]>>();

  constructor(private readonly capacity: number) {}

  offer(owner: NamespaceStats, candidate: Candidate): void {
    if (this.capacity === 0) return;
    const byType = this.lists.get(owner) ?? new Map<string, Candidate[]>();
    this.lists.set(owner, byType);
    const list = byType.get(candidate.type) ?? [];
    byType.set(candidate.type, list);
    if (list.length >= this.capacity && (list[list.length - 1]?.length ?? 0) >= candidate.length) return;
    if (list.some((entry) => entry.key === candidate.key)) return;
    list.push(candidate);
    list.sort((a, b) => b.length - a.length);
    if (list.length > this.capacity) list.length = this.capacity;
  }

  /** MEMORY USAGE of every candidate not measured yet, one pipeline per node, into `biggest`. */
  async measure(top: number): Promise<void> {
    const pending = new Map<Redis, { owner: NamespaceStats; candidate: Candidate }[]>();
    for (const [owner, byType] of this.lists) {
      for (const candidate of [...byType.values()].flat()) {
        if (candidate.sampledBytes !== undefined) continue;
        const list = pending.get(candidate.node) ?? [];
        pending.set(candidate.node, list);
        list.push({ owner, candidate });
      }
    }
    for (const [node, list] of pending) {
      const batch = node.pipeline();
      for (const { candidate } of list) batch.call('MEMORY', 'USAGE', candidate.key);
      const replies = (await batch.exec()) ?? [];
      list.forEach(({ owner, candidate }, i) => {
        const [error, reply] = replies[i] ?? [];
        if (error || reply === null || reply === undefined) return; // gone meanwhile
        const bytes = Number(reply);
        owner.measured++;
        owner.measuredBytes += bytes;
        keepBiggest(owner.biggest, { key: candidate.key, bytes, type: candidate.type, length: candidate.length }, top);
      });
    }
  }
}

/**
 * SCANs every node (standalone: the one server; cluster: each master) and groups the keys by
 * namespace: counts, keys without TTL (PTTL), MEMORY USAGE of a sample for the estimates, and
 * the biggest keys over the whole scan, found as `redis-cli --bigkeys` and `--memkeys` do: the
 * TYPE and cheap length (STRLEN, HLEN, SCARD, ZCARD, LLEN, XLEN) of every key, pipelined per
 * batch, then MEMORY USAGE of the longest keys of each type. Read-only: SCAN, TYPE, PTTL, those
 * length commands and MEMORY USAGE, never KEYS.
 *
 * @example
 * ```ts
 * const stats = await scanKeyspace([redis], { namespaces: defineNamespaces({ namespaces: ['mcp2'] }), count: 1000, sample: 100, top: 5 });
 * stats.get('mcp2')?.keys; // 120
 * ```
 */
export async function scanKeyspace(nodes: readonly Redis[], options: ScanOptions): Promise<Map<string | null, NamespaceStats>> {
  const set = options.namespaces;
  const stats = new Map<string | null, NamespaceStats>([...set.names, ...set.families].map((name) => [name, emptyStats(name)]));
  stats.set(null, emptyStats(null));
  const listed = new Set(set.names);
  // One lookup per key, whatever the number of namespaces; a family's members count together.
  const rowOf = (key: string): string | null => {
    const owner = set.ownerOf(key);
    return owner === undefined ? null : listed.has(owner) ? owner : (set.familyOf(owner) ?? null);
  };
  const candidates = new Candidates(candidatesPerType(options.top));
  const started = Date.now();
  let scanned = 0;
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'COUNT', options.count);
      cursor = next;
      if (keys.length > 0) await readBatch(node, keys, { stats, rowOf, candidates, options });
      scanned += keys.length;
      options.progress?.(scanned);
      const due = rateDelay(scanned, options.rate, Date.now() - started);
      if (due > 0) await sleep(due);
    } while (cursor !== '0');
  }
  await candidates.measure(options.top);
  return stats;
}

interface BatchContext {
  readonly stats: ReadonlyMap<string | null, NamespaceStats>;
  readonly rowOf: (key: string) => string | null;
  readonly candidates: Candidates;
  readonly options: ScanOptions;
}

/** Two round trips for one SCAN batch: PTTL, TYPE and the sample's MEMORY USAGE; then the lengths. */
async function readBatch(node: Redis, keys: readonly string[], { stats, rowOf, candidates, options }: BatchContext): Promise<void> {
  const owners = keys.map((key) => stats.get(rowOf(key)) as NamespaceStats);
  const queued = new Map<NamespaceStats, number>();
  const inSample = owners.map((owner) => {
    const before = queued.get(owner) ?? 0;
    queued.set(owner, before + 1);
    return owner.sampled + before < options.sample;
  });
  const first = node.pipeline();
  keys.forEach((key, i) => {
    first.pttl(key).type(key);
    if (inSample[i]) first.call('MEMORY', 'USAGE', key);
  });
  const replies = (await first.exec()) ?? [];
  let reply = 0;
  const read = keys.map((_, i) => ({
    ttl: replies[reply++]?.[1],
    type: String(replies[reply++]?.[1] ?? 'none'),
    bytes: inSample[i] ? replies[reply++]?.[1] : undefined,
  }));

  const second = node.pipeline();
  const lengthOf: number[] = [];
  keys.forEach((key, i) => {
    const command = LENGTH_COMMANDS[read[i]?.type ?? 'none'];
    if (command === undefined || options.top <= 0) return;
    lengthOf[i] = second.length;
    second.call(command, key);
  });
  const lengths = second.length > 0 ? ((await second.exec()) ?? []) : [];

  keys.forEach((key, i) => {
    const owner = owners[i] as NamespaceStats;
    const { ttl, type, bytes } = read[i] as (typeof read)[number];
    owner.keys++;
    if (owner.examples.length < 5) owner.examples.push(key);
    if (ttl === -1) owner.withoutTtl++;
    const at = lengthOf[i];
    const length = at === undefined ? undefined : lengths[at]?.[1];
    const sampledBytes = bytes === undefined ? undefined : Number(bytes ?? 0);
    if (sampledBytes !== undefined) {
      owner.sampled++;
      owner.sampledBytes += sampledBytes;
      keepBiggest(owner.biggest, { key, bytes: sampledBytes, ...(type === 'none' ? {} : { type }), ...(typeof length === 'number' ? { length } : {}) }, options.top);
    }
    if (typeof length === 'number') candidates.offer(owner, { key, type, length, node, ...(sampledBytes === undefined ? {} : { sampledBytes }) });
  });
}
