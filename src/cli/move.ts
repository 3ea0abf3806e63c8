import { IsolationConfigError } from '../core/index.js';
import { moveNamespace, type MoveReport } from '../layout/index.js';
import { CliError } from './errors.js';
import { EXIT, type CliIo } from './io.js';
import { parseFlags } from './parse-flags.js';
import { createProgress } from './progress.js';

/**
 * The options `move` accepts (its usage in usage.ts lists the same).
 *
 * @example
 * ```ts
 * Object.keys(MOVE_OPTIONS); // ['namespace', 'from', 'to', ...]
 * ```
 */
export const MOVE_OPTIONS = {
  namespace: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  'dry-run': { type: 'boolean' },
  replace: { type: 'boolean' },
  count: { type: 'string' },
  separator: { type: 'string' },
  'hash-tag': { type: 'boolean' },
  format: { type: 'string' },
} as const;

const summary = (report: MoveReport): string =>
  `${report.scanned} scanned, ${report.copied} copied, ${report.skipped} already there, ${report.vanished} gone meanwhile`;

/**
 * `isolated-redis move --namespace celery --from URL --to URL [--dry-run] [--replace] [--count N]`:
 * copies one namespace to its own instance with {@link moveNamespace}, printing progress on
 * stderr and the report on stdout (`--format json` for a machine). Run it again after an
 * interruption: keys already copied are skipped. Then point the namespace's URL at the target.
 *
 * @example
 * ```ts
 * process.exitCode = await runMoveCommand(['--namespace', 'celery', '--from', SHARED, '--to', CELERY, '--dry-run'], processIo());
 * ```
 */
export async function runMoveCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(args, MOVE_OPTIONS, false);
  for (const flag of ['namespace', 'from', 'to'] as const) {
    if (!values[flag]) throw new CliError('ERR_CLI_USAGE', `--${flag} is required`);
  }
  const count = values.count === undefined ? undefined : Number(values.count);
  const progress = createProgress({ label: `move ${values.namespace as string}`, write: io.stderr, isTTY: io.stderrIsTTY ?? false, columns: io.stderrColumns });
  let report: MoveReport;
  try {
    report = await moveNamespace({
      namespace: values.namespace as string,
      from: values.from as string,
      to: values.to as string,
      dryRun: values['dry-run'] ?? false,
      replace: values.replace ?? false,
      ...(count === undefined ? {} : { count }),
      ...(values.separator === undefined ? {} : { separator: values.separator }),
      hashTag: values['hash-tag'] ?? false,
      onProgress: (figures, position) => progress.update(figures.scanned, { fraction: position.walked }),
    });
  } catch (error) {
    if (error instanceof IsolationConfigError) throw new CliError('ERR_CLI_USAGE', error.message, { cause: error });
    throw error;
  }
  progress.finish(report.scanned);
  if (values.format === 'json') {
    io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const verb = report.dryRun ? 'would copy' : 'copied';
    io.stdout(`${report.namespace} (${report.prefix}*) ${report.from} -> ${report.to}: ${verb} ${report.dryRun ? report.scanned : report.copied} keys; ${summary(report)}\n`);
    if (!report.dryRun) io.stdout(`Next: point ${report.namespace}'s URL at ${report.to} (REDIS_URL or REDIS_URL_${report.namespace.toUpperCase().replace(/[^A-Z0-9]/g, '_')}), then delete ${report.prefix}* from ${report.from}.\n`);
  }
  return EXIT.clean;
}
