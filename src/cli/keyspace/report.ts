import { MEMORY_THRESHOLDS, limitName, percent, recommend } from './recommendations.js';
import type { ServerFacts } from './server-info.js';
import { estimatedBytes, type BigKey, type NamespaceStats } from './stats.js';

/**
 * What `isolated-redis keyspace` reports.
 *
 * @example
 * ```ts
 * const report: KeyspaceReport = buildReport(stats, server, { sample: 1000 });
 * report.unknown.keys; // keys in no known namespace
 * ```
 */
export interface KeyspaceReport {
  /** The sample size asked for: MEMORY USAGE measured at most this many keys per namespace for the estimates. */
  readonly sampleSize: number;
  readonly namespaces: readonly (NamespaceStats & { readonly estimatedBytes: number })[];
  readonly unknown: NamespaceStats;
  readonly server: ServerFacts;
  /** The memory ratios from which advice is given: plan a move (`warn`), move now (`critical`). */
  readonly thresholds: typeof MEMORY_THRESHOLDS;
  readonly recommendations: readonly string[];
}

/**
 * Puts scan statistics and server facts together, with the runbook's recommendations.
 *
 * @example
 * ```ts
 * const report = buildReport(await scanKeyspace([redis], options), await readServerFacts([redis]), { sample: 1000 });
 * ```
 */
export function buildReport(stats: ReadonlyMap<string | null, NamespaceStats>, server: ServerFacts, options: { readonly sample: number }): KeyspaceReport {
  const namespaces = [...stats.values()].filter((entry) => entry.namespace !== null).map((entry) => ({ ...entry, examples: [], estimatedBytes: estimatedBytes(entry) }));
  const unknown = stats.get(null) as NamespaceStats;
  return { sampleSize: options.sample, namespaces, unknown, server, thresholds: MEMORY_THRESHOLDS, recommendations: recommend([...stats.values()], server) };
}

const bytes = (n: number): string =>
  n >= 1 << 30 ? `${(n / (1 << 30)).toFixed(1)} GiB` : n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`;

const LENGTH_UNITS: Readonly<Record<string, string>> = { string: 'bytes', hash: 'fields', set: 'members', zset: 'members', list: 'items', stream: 'entries' };

const bigKeyLine = (key: BigKey): string => {
  const length = key.length === undefined ? '' : `${key.length.toLocaleString('en-US')} ${LENGTH_UNITS[key.type ?? ''] ?? ''}`.trim();
  return `  ${bytes(key.bytes).padStart(10)}  ${(key.type ?? '?').padEnd(6)}  ${length.padStart(16)}  ${key.key}`;
};

/**
 * The report as text tables.
 *
 * @example
 * ```ts
 * process.stdout.write(formatReportTable(report));
 * ```
 */
export function formatReportTable(report: KeyspaceReport): string {
  const rows = [
    ['namespace', 'keys', 'no TTL', 'sampled', 'sampled memory', 'estimated memory'],
    ...[...report.namespaces, { ...report.unknown, estimatedBytes: estimatedBytes(report.unknown) }].map((entry) => [
      entry.namespace ?? '(none)',
      String(entry.keys),
      String(entry.withoutTtl),
      String(entry.sampled),
      bytes(entry.sampledBytes),
      bytes(entry.estimatedBytes),
    ]),
  ];
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  const out = rows.map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  '));
  out.push(
    '',
    `Memory measured with MEMORY USAGE on up to ${report.sampleSize} keys per namespace; estimates scale the sample's mean to the key count, plus the measured biggest keys.`,
    'Biggest keys: found over every key by TYPE and length (STRLEN, HLEN, SCARD, ZCARD, LLEN, XLEN), the longest of each type measured with MEMORY USAGE.',
  );
  for (const entry of report.namespaces) {
    if (entry.biggest.length === 0) continue;
    out.push('', `Biggest keys of ${entry.namespace}:`, ...entry.biggest.map(bigKeyLine));
  }
  if (report.unknown.biggest.length > 0) out.push('', 'Biggest keys in no known namespace:', ...report.unknown.biggest.map(bigKeyLine));
  if (report.unknown.keys > 0) out.push('', `Keys in no known namespace (${report.unknown.keys}), for example:`, ...report.unknown.examples.map((key) => `  ${key}`));
  const { server, thresholds } = report;
  out.push(
    '',
    `Server: used memory ${bytes(server.usedMemory)}, maxmemory ${server.maxMemory === 0 ? 'unlimited' : bytes(server.maxMemory)}, eviction policy ${server.evictionPolicy}, ` +
      `evicted keys ${server.evictedKeys}, connected clients ${server.connectedClients}`,
    server.memoryRatio === null
      ? 'Memory: no limit known (maxmemory is 0 and INFO gives no total_system_memory), so no advice on memory.'
      : `Memory: ${percent(server.memoryRatio)} of ${limitName(server)}, ${bytes(server.memoryLimit)}. ` +
          `Advice from ${thresholds.warn * 100}% (plan a move) and ${thresholds.critical * 100}% (move now), the runbook's thresholds.`,
  );
  out.push('', report.recommendations.length === 0 ? 'Recommendations: none.' : 'Recommendations:', ...report.recommendations.map((line) => `  - ${line}`));
  return `${out.join('\n')}\n`;
}
