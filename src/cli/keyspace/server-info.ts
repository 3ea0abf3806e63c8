import type { Redis } from 'ioredis';

/**
 * Server-wide facts of the report, summed over every scanned node (a cluster's masters), with
 * the memory ratio of the fullest node.
 *
 * @example
 * ```ts
 * const info: ServerFacts = { usedMemory: 1e9, maxMemory: 2e9, memoryLimit: 2e9, memoryLimitSource: 'maxmemory', memoryRatio: 0.5, evictionPolicy: 'allkeys-lru', evictedKeys: 0, connectedClients: 12 };
 * ```
 */
export interface ServerFacts {
  readonly usedMemory: number;
  /** 0 when a node sets no maxmemory. */
  readonly maxMemory: number;
  /** The fullest node's limit in bytes: its maxmemory, else its system's total memory; 0 when neither is known. */
  readonly memoryLimit: number;
  /** What that limit is: `maxmemory`, the system's memory (`system`) when maxmemory is 0, or `null` when unknown. */
  readonly memoryLimitSource: 'maxmemory' | 'system' | null;
  /** used_memory / limit of the fullest node, or `null` when no limit is known. */
  readonly memoryRatio: number | null;
  readonly evictionPolicy: string;
  readonly evictedKeys: number;
  readonly connectedClients: number;
}

/**
 * `field:value` lines of an INFO reply.
 *
 * @example
 * ```ts
 * parseInfo('# Memory\r\nused_memory:1024\r\n').get('used_memory'); // '1024'
 * ```
 */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/**
 * Reads INFO memory, stats and clients from each node (read-only) and sums them. A node's
 * memory is measured against its maxmemory or, when that is 0 (unbounded), against the total
 * memory of its system (`total_system_memory`), which bounds it anyway.
 *
 * @example
 * ```ts
 * (await readServerFacts([redis])).memoryLimitSource; // 'system' when maxmemory is 0
 * ```
 */
export async function readServerFacts(nodes: readonly Redis[]): Promise<ServerFacts> {
  let usedMemory = 0;
  let maxMemory = 0;
  let evictedKeys = 0;
  let connectedClients = 0;
  const policies = new Set<string>();
  let unbounded = false;
  let fullest: { ratio: number; limit: number; source: 'maxmemory' | 'system' } | undefined;
  for (const node of nodes) {
    const info = parseInfo([await node.info('memory'), await node.info('stats'), await node.info('clients')].join('\n'));
    const number = (field: string) => Number(info.get(field) ?? 0) || 0;
    const used = number('used_memory');
    usedMemory += used;
    const max = number('maxmemory');
    if (max === 0) unbounded = true;
    maxMemory += max;
    const limit = max > 0 ? max : number('total_system_memory');
    if (limit > 0 && (fullest === undefined || used / limit > fullest.ratio)) fullest = { ratio: used / limit, limit, source: max > 0 ? 'maxmemory' : 'system' };
    evictedKeys += number('evicted_keys');
    connectedClients += number('connected_clients');
    policies.add(info.get('maxmemory_policy') ?? 'unknown');
  }
  return {
    usedMemory,
    maxMemory: unbounded ? 0 : maxMemory,
    memoryLimit: fullest?.limit ?? 0,
    memoryLimitSource: fullest?.source ?? null,
    memoryRatio: fullest?.ratio ?? null,
    evictionPolicy: [...policies].join(','),
    evictedKeys,
    connectedClients,
  };
}
