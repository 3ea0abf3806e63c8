import type { ServerFacts } from './server-info.js';
import { estimatedBytes, type NamespaceStats } from './stats.js';

const MEMORY_PRESSURE = 0.7;
const DOMINANT_SHARE = 0.5;

/**
 * The runbook's advice for a scanned keyspace: memory above 70% of maxmemory, one namespace
 * holding more than half of the (estimated) memory, or keys evicted while several namespaces
 * share the server: move the namespace that weighs most to an instance of its own, by name.
 *
 * @example
 * ```ts
 * recommend(stats, { memoryRatio: 0.82, evictedKeys: 0, ... });
 * // ['memory is at 82% of maxmemory (above 70%): move namespace "mcp2" (~61% of the keyspace\'s memory) to its own instance']
 * ```
 */
export function recommend(namespaces: readonly NamespaceStats[], server: ServerFacts): string[] {
  const named = namespaces.filter((stats) => stats.namespace !== null && stats.keys > 0);
  const total = namespaces.reduce((sum, stats) => sum + estimatedBytes(stats), 0);
  const heaviest = [...named].sort((a, b) => estimatedBytes(b) - estimatedBytes(a))[0];
  if (!heaviest || total === 0) return [];
  const share = estimatedBytes(heaviest) / total;
  const move = `move namespace "${heaviest.namespace}" (~${Math.round(share * 100)}% of the keyspace's memory) to its own instance`;
  const advice: string[] = [];
  if (server.memoryRatio !== null && server.memoryRatio > MEMORY_PRESSURE) {
    advice.push(`memory is at ${Math.round(server.memoryRatio * 100)}% of maxmemory (above ${MEMORY_PRESSURE * 100}%): ${move}`);
  }
  if (named.length > 1 && share > DOMINANT_SHARE) advice.push(`namespace "${heaviest.namespace}" dominates memory: ${move}`);
  if (named.length > 1 && server.evictedKeys > 0) {
    advice.push(`${server.evictedKeys} keys were evicted (policy ${server.evictionPolicy}) while ${named.length} namespaces share the server: one namespace's load evicts another's keys; ${move}`);
  }
  return advice;
}
