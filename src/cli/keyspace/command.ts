import type { Cluster, Redis } from 'ioredis';
import { namespacePrefix } from '../../core/index.js';
import { CliError } from '../errors.js';
import { EXIT, type CliIo } from '../io.js';
import { findConfig } from '../lint/config.js';
import { commaList, oneOf, parseFlags } from '../parse-flags.js';
import { connectRedis } from '../redis-connection.js';
import { buildReport, formatReportTable } from './report.js';
import { scanKeyspace } from './scan-keyspace.js';
import { readServerFacts } from './server-info.js';

const positive = (flag: string, value: string | undefined, fallback: number): number => {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new CliError('ERR_CLI_USAGE', `${flag} takes a whole number; got "${value}"`);
  return number;
};

/**
 * `isolated-redis keyspace --url URL [--cluster] [--namespaces a,b] [--count N] [--rate N] [--sample N] [--top N] [--format table|json]`.
 * Read-only: SCAN, PTTL, MEMORY USAGE, TYPE and INFO.
 *
 * @example
 * ```ts
 * await runKeyspaceCommand(['--url', 'redis://127.0.0.1:6379', '--namespaces', 'mcp2,celery'], processIo());
 * ```
 */
export async function runKeyspaceCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(
    args,
    {
      url: { type: 'string' },
      cluster: { type: 'boolean' },
      namespaces: { type: 'string' },
      count: { type: 'string' },
      rate: { type: 'string' },
      sample: { type: 'string' },
      top: { type: 'string' },
      format: { type: 'string' },
    },
    false,
  );
  const url = values.url ?? io.env.REDIS_URL;
  if (!url) throw new CliError('ERR_CLI_USAGE', '--url is required (or set REDIS_URL)');
  const format = oneOf('--format', values.format, ['table', 'json'], 'table');
  const config = (await findConfig(io.cwd))?.config ?? {};
  const names = values.namespaces === undefined ? [...(config.namespaces ?? [])] : commaList(values.namespaces);
  if (names.length === 0) throw new CliError('ERR_CLI_USAGE', '--namespaces is required (or "namespaces" in isolated-redis.config.json)');
  const rule = { separator: config.separator ?? ':', hashTag: config.hashTag ?? false };
  const prefixes = new Map(names.map((name) => [name, namespacePrefix(name, rule)]));
  const sample = positive('--sample', values.sample, 1000);
  const rate = positive('--rate', values.rate, 0);

  const client = await connectRedis(url, { neededBy: 'isolated-redis keyspace', cluster: values.cluster ?? false });
  try {
    const nodes: Redis[] = values.cluster ? (client as Cluster).nodes('master') : [client as Redis];
    const stats = await scanKeyspace(nodes, {
      prefixes,
      count: positive('--count', values.count, 1000) || 1000,
      sample,
      top: positive('--top', values.top, 5),
      rate: rate || undefined,
      progress: (scanned) => io.stderr(`keyspace: ${scanned} keys scanned...\n`),
    });
    const report = buildReport(stats, await readServerFacts(nodes), { sample });
    io.stdout(format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatReportTable(report));
    return EXIT.clean;
  } finally {
    client.disconnect();
  }
}
