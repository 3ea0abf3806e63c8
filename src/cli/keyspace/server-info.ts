import type { Redis } from 'ioredis';

/**
 * Server-wide facts of the report, summed over every scanned node (a cluster's masters).
 *
 * @example
 * ```ts
 * const info: ServerFacts = { usedMemory: 1e9, maxMemory: 2e9, memoryRatio: 0.5, evictionPolicy: 'allkeys-lru', evictedKeys: 0, connectedClients: 12 };
 * ```
 */
export interface ServerFacts {
  readonly usedMemory: number;
  /** 0 when no node sets maxmemory. */
  readonly maxMemory: number;
  /** used / max, or `null` when maxmemory is 0 (unbounded: the ratio means nothing). */
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
 * Reads INFO memory, stats and clients from each node (read-only) and sums them.
 *
 * @example
 * ```ts
 * (await readServerFacts([redis])).memoryRatio; // null when maxmemory is 0
 * ```
 */
export async function readServerFacts(nodes: readonly Redis[]): Promise<ServerFacts> {
  let usedMemory = 0;
  let maxMemory = 0;
  let evictedKeys = 0;
  let connectedClients = 0;
  const policies = new Set<string>();
  let unbounded = false;
  for (const node of nodes) {
    const info = parseInfo([await node.info('memory'), await node.info('stats'), await node.info('clients')].join('\n'));
    const number = (field: string) => Number(info.get(field) ?? 0);
    usedMemory += number('used_memory');
    const max = number('maxmemory');
    if (max === 0) unbounded = true;
    maxMemory += max;
    evictedKeys += number('evicted_keys');
    connectedClients += number('connected_clients');
    policies.add(info.get('maxmemory_policy') ?? 'unknown');
  }
  return {
    usedMemory,
    maxMemory: unbounded ? 0 : maxMemory,
    memoryRatio: unbounded || maxMemory === 0 ? null : usedMemory / maxMemory,
    evictionPolicy: [...policies].join(','),
    evictedKeys,
    connectedClients,
  };
}
