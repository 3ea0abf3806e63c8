import type { ServerFacts } from './server-info.js';
import { estimatedBytes, type NamespaceStats } from './stats.js';

/**
 * The runbook's memory thresholds, as shares of maxmemory (or of the system's memory when
 * maxmemory is 0): from `warn` on, plan to give the heaviest namespace its own instance; from
 * `critical` on, move it. They match the pressure monitor's `warnRatio` and `criticalRatio`
 * defaults and the example alert rules.
 *
 * @example
 * ```ts
 * MEMORY_THRESHOLDS.critical; // 0.8
 * ```
 */
export const MEMORY_THRESHOLDS = { warn: 0.7, critical: 0.8 } as const;

/**
 * A memory ratio as a whole percentage, rounded down so that it never reads as a threshold it
 * has not reached (`<1%` below one percent).
 *
 * @example
 * ```ts
 * percent(0.7996); // '79%'
 * ```
 */
export function percent(ratio: number): string {
  return ratio > 0 && ratio < 0.01 ? '<1%' : `${Math.floor(ratio * 100)}%`;
}

/**
 * What the server's memory ratio is relative to, in words.
 *
 * @example
 * ```ts
 * limitName({ ...server, memoryLimitSource: 'system' }); // "the system's memory (maxmemory is not set)"
 * ```
 */
export function limitName(server: ServerFacts): string {
  return server.memoryLimitSource === 'maxmemory' ? 'maxmemory' : "the system's memory (maxmemory is not set)";
}

/**
 * The runbook's advice for a scanned keyspace, only where memory demands it: memory at or above
 * 70% of maxmemory (or of the system's memory when maxmemory is 0) names the namespace to give
 * an instance of its own (planned from 70%, due from 80%); keys evicted while several
 * namespaces share the server do too. A server with room to spare gets no advice, however its
 * memory is shared out.
 *
 * @example
 * ```ts
 * recommend(stats, { memoryRatio: 0.82, memoryLimitSource: 'maxmemory', evictedKeys: 0, ... });
 * // ['memory is at 82% of maxmemory (80% or more: move now): move namespace "mcp2" (~61% of the keyspace\'s memory) to its own instance']
 * ```
 */
export function recommend(namespaces: readonly NamespaceStats[], server: ServerFacts): string[] {
  const named = namespaces.filter((stats) => stats.namespace !== null && stats.keys > 0);
  const total = namespaces.reduce((sum, stats) => sum + estimatedBytes(stats), 0);
  const heaviest = [...named].sort((a, b) => estimatedBytes(b) - estimatedBytes(a))[0];
  const share = heaviest && total > 0 ? estimatedBytes(heaviest) / total : 0;
  const move = `move namespace "${heaviest?.namespace}" (~${Math.round(share * 100)}% of the keyspace's memory) to its own instance`;
  const advice: string[] = [];
  const ratio = server.memoryRatio;
  if (ratio !== null && ratio >= MEMORY_THRESHOLDS.warn) {
    const critical = ratio >= MEMORY_THRESHOLDS.critical;
    const at = `memory is at ${percent(ratio)} of ${limitName(server)}`;
    const band = critical
      ? `${MEMORY_THRESHOLDS.critical * 100}% or more: move now`
      : `${MEMORY_THRESHOLDS.warn * 100}% or more, below ${MEMORY_THRESHOLDS.critical * 100}%: plan the move`;
    if (named.length > 1) advice.push(`${at} (${band}): ${move}`);
    else {
      const owner = heaviest ? `namespace "${heaviest.namespace}" holds every known key` : 'no known namespace has keys';
      advice.push(`${at} (${band}): ${owner}, so splitting would not help; give the instance more memory or find what grows`);
    }
  }
  if (named.length > 1 && server.evictedKeys > 0) {
    advice.push(`${server.evictedKeys} keys were evicted (policy ${server.evictionPolicy}) while ${named.length} namespaces share the server: one namespace's load evicts another's keys; ${move}`);
  }
  return advice;
}
