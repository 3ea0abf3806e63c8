import type { Cluster, Redis } from 'ioredis';
import { defineNamespaces } from '../../core/index.js';
import { CliError } from '../errors.js';
import { EXIT, type CliIo } from '../io.js';
import { findConfig, loadConfigFile } from '../lint/config.js';
import { commaList, CONNECT_FLAGS, connectFlags, oneOf, parseFlags } from '../parse-flags.js';
import { createProgress } from '../progress.js';
import { connectRedis } from '../redis-connection.js';
import { buildReport, formatReportTable } from './report.js';
import { scanKeyspace } from './scan-keyspace.js';
import { readServerFacts } from './server-info.js';

/**
 * The options `keyspace` accepts (its usage in usage.ts lists the same). `--namespace` and
 * `--namespaces` are one option: repeatable, each a name or a comma list.
 *
 * @example
 * ```ts
 * Object.keys(KEYSPACE_OPTIONS); // ['url', 'cluster', 'namespace', ...]
 * ```
 */
export const KEYSPACE_OPTIONS = {
  url: { type: 'string' },
  cluster: { type: 'boolean' },
  namespace: { type: 'string', multiple: true },
  namespaces: { type: 'string', multiple: true },
  config: { type: 'string' },
  'fail-on-stray': { type: 'boolean' },
  count: { type: 'string' },
  rate: { type: 'string' },
  sample: { type: 'string' },
  top: { type: 'string' },
  format: { type: 'string' },
  ...CONNECT_FLAGS,
} as const;

const positive = (flag: string, value: string | undefined, fallback: number): number => {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new CliError('ERR_CLI_USAGE', `${flag} takes a whole number; got "${value}"`);
  return number;
};

/** DBSIZE summed over the nodes, for the progress total; `undefined` where it is refused (an ACL user). */
async function keyCount(nodes: readonly Redis[]): Promise<number | undefined> {
  try {
    let total = 0;
    for (const node of nodes) total += await node.dbsize();
    return total;
  } catch {
    return undefined;
  }
}

/**
 * `isolated-redis keyspace --url URL [--cluster] [--namespace a,b ...] [--config FILE] [--fail-on-stray] [--count N] [--rate N] [--sample N] [--top N] [--format table|json]`.
 * Read-only: SCAN, TYPE, PTTL, the per-type length commands, MEMORY USAGE, DBSIZE and INFO.
 * Returns 0, or 1 with `--fail-on-stray` when keys in no known namespace exist.
 *
 * @example
 * ```ts
 * await runKeyspaceCommand(['--url', 'redis://127.0.0.1:6379', '--namespace', 'mcp2,celery', '--fail-on-stray'], processIo());
 * ```
 */
export async function runKeyspaceCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(args, KEYSPACE_OPTIONS, false);
  const url = values.url ?? io.env.REDIS_URL;
  if (!url) throw new CliError('ERR_CLI_USAGE', '--url is required (or set REDIS_URL)');
  const format = oneOf('--format', values.format, ['table', 'json'], 'table');
  const config = (values.config === undefined ? await findConfig(io.cwd) : await loadConfigFile(values.config))?.config ?? {};
  const flagged = [...(values.namespace ?? []), ...(values.namespaces ?? [])].flatMap(commaList);
  const configured = [...(config.namespaces ?? []), ...(config.owners ?? []).map((owner) => owner.namespace)];
  const names = [...new Set(flagged.length > 0 ? flagged : configured)];
  if (names.length === 0) throw new CliError('ERR_CLI_USAGE', '--namespace is required (or "namespaces" in isolated-redis.config.json)');
  // Names ending in `*` are families; an invalid name or overlapping families fail here (exit 2).
  const namespaces = defineNamespaces({
    namespaces: names.filter((name) => !name.endsWith('*')),
    families: names.filter((name) => name.endsWith('*')),
    separator: config.separator ?? ':',
    hashTag: config.hashTag ?? false,
  });
  const sample = positive('--sample', values.sample, 1000);
  const rate = positive('--rate', values.rate, 0);
  const count = positive('--count', values.count, 1000) || 1000;
  const top = positive('--top', values.top, 5);
  const connect = connectFlags(values);

  const client = await connectRedis(url, { neededBy: 'isolated-redis keyspace', cluster: values.cluster ?? false, ...connect });
  try {
    const nodes: Redis[] = values.cluster ? (client as Cluster).nodes('master') : [client as Redis];
    const total = await keyCount(nodes);
    const progress = createProgress({ label: 'keyspace', write: io.stderr, isTTY: io.stderrIsTTY ?? false, columns: io.stderrColumns });
    let scanned = 0;
    const stats = await scanKeyspace(nodes, {
      namespaces,
      count,
      sample,
      top,
      rate: rate || undefined,
      progress: (keys) => {
        scanned = keys;
        progress.update(keys, { total });
      },
    });
    progress.finish(scanned);
    const report = buildReport(stats, await readServerFacts(nodes), { sample });
    io.stdout(format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatReportTable(report));
    if (values['fail-on-stray'] && report.unknown.keys > 0) {
      io.stderr(`keyspace: ${report.unknown.keys} keys are in no known namespace (${names.join(', ')}); failing as --fail-on-stray asks\n`);
      return EXIT.findings;
    }
    return EXIT.clean;
  } finally {
    client.disconnect();
  }
}
