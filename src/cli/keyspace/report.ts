import { recommend } from './recommendations.js';
import type { ServerFacts } from './server-info.js';
import { estimatedBytes, type NamespaceStats } from './stats.js';

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
  /** The sample size asked for: MEMORY USAGE measured at most this many keys per namespace. */
  readonly sampleSize: number;
  readonly namespaces: readonly (NamespaceStats & { readonly estimatedBytes: number })[];
  readonly unknown: NamespaceStats;
  readonly server: ServerFacts;
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
  return { sampleSize: options.sample, namespaces, unknown, server, recommendations: recommend([...stats.values()], server) };
}

const bytes = (n: number) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);

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
  out.push('', `Memory measured with MEMORY USAGE on up to ${report.sampleSize} keys per namespace; estimates scale the sample's mean to the key count.`);
  for (const entry of report.namespaces) {
    if (entry.biggest.length === 0) continue;
    out.push('', `Biggest keys of ${entry.namespace}:`, ...entry.biggest.map((key) => `  ${bytes(key.bytes).padStart(10)}  ${key.type ?? '?'}  ${key.key}`));
  }
  if (report.unknown.keys > 0) out.push('', `Keys in no known namespace (${report.unknown.keys}), for example:`, ...report.unknown.examples.map((key) => `  ${key}`));
  const { server } = report;
  out.push(
    '',
    `Server: used memory ${bytes(server.usedMemory)}, maxmemory ${server.maxMemory === 0 ? 'unlimited' : bytes(server.maxMemory)}` +
      `${server.memoryRatio === null ? '' : ` (${Math.round(server.memoryRatio * 100)}%)`}, eviction policy ${server.evictionPolicy}, ` +
      `evicted keys ${server.evictedKeys}, connected clients ${server.connectedClients}`,
  );
  out.push('', report.recommendations.length === 0 ? 'Recommendations: none.' : 'Recommendations:', ...report.recommendations.map((line) => `  - ${line}`));
  return `${out.join('\n')}\n`;
}
