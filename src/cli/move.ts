import type * as IoredisModule from 'ioredis';
import { IsolationConfigError } from '../core/index.js';
import { MoveError, type MovePosition, type MoveReport } from '../layout/index.js';
import type { MoveConnector } from '../layout/move/connect.js';
import { firstLine } from '../layout/move/errors.js';
import { runLiveMove } from '../layout/move/live.js';
import { runMove } from '../layout/move/run.js';
import { maskerFor, redactRedisUrl } from '../layout/move/secrets.js';
import { CliError } from './errors.js';
import { EXIT, type CliIo } from './io.js';
import { cliConnector } from './move/connector.js';
import { clean, fixStep, formatLiveReport, formatMoveReport, liveLine, nextStep } from './move/format.js';
import { MOVE_OPTIONS, readMoveFlags, type MoveRequest } from './move/options.js';
import { onInterrupt } from './move/signals.js';
import { loadOptional } from './optional-dependency.js';
import { parseFlags } from './parse-flags.js';
import { createProgress, type Progress } from './progress.js';

export { MOVE_OPTIONS } from './move/options.js';

const LABELS: Readonly<Record<MovePosition['phase'], string>> = { measure: 'measure', copy: 'move', delete: 'delete', verify: 'verify' };

/** One progress display per phase of the move, each finished when the next starts. */
function phaseProgress(io: CliIo, namespace: string): { update: (report: MoveReport, position: MovePosition) => void; finish: () => void } {
  let current: { phase: MovePosition['phase']; progress: Progress; done: number } | undefined;
  const finish = (): void => {
    current?.progress.finish(current.done);
    current = undefined;
  };
  return {
    update: (_report, position) => {
      if (current?.phase !== position.phase) {
        finish();
        current = { phase: position.phase, done: 0, progress: createProgress({ label: `${LABELS[position.phase]} ${namespace}`, write: io.stderr, isTTY: io.stderrIsTTY ?? false, columns: io.stderrColumns }) };
      }
      current.done = position.done;
      const total = position.phase === 'copy' || position.phase === 'verify' ? position.total : undefined;
      current.progress.update(position.done, total !== undefined ? { total } : { fraction: position.walked });
    },
    finish,
  };
}

/** A failed move: one line on stderr, the report so far on stdout, exit 2. */
function failed(error: unknown, request: MoveRequest, io: CliIo): number {
  if (error instanceof IsolationConfigError) throw new CliError('ERR_CLI_USAGE', error.message, { cause: error });
  if (error instanceof CliError) throw error;
  const mask = maskerFor([request.options.from, request.options.to]);
  const message = error instanceof MoveError ? error.message : mask(`unexpected failure: ${firstLine(error)}`);
  const code = error instanceof MoveError ? error.code : 'ERR_MOVE_FAILED';
  io.stderr(`isolated-redis move: ${message}\n`);
  const report = error instanceof MoveError ? error.report : undefined;
  const where = { namespace: request.options.namespace, from: redactRedisUrl(request.options.from), to: redactRedisUrl(request.options.to) };
  if (request.format === 'json') io.stdout(`${JSON.stringify({ ...(report ?? where), error: { code, message } }, null, 2)}\n`);
  else if (report) io.stdout(formatMoveReport(report));
  return EXIT.usage;
}

async function runLive(request: MoveRequest, connector: MoveConnector, io: CliIo): Promise<number> {
  const { namespace } = request.options;
  const progress = phaseProgress(io, namespace);
  let result;
  try {
    const live = await runLiveMove({ ...request.options, onProgress: progress.update }, connector);
    progress.finish();
    io.stderr(
      `live ${namespace}: initial sync done (${live.initial.verification?.equal ?? 0} keys verified); following changes. ` +
        `Pause ${namespace}'s writers, then press Ctrl-C (or send SIGTERM) to switch over.\n`,
    );
    let lines = 0;
    await new Promise<void>((resolve) => {
      const dispose = onInterrupt(() => {
        clearInterval(timer);
        resolve();
      });
      // Every second: a following that failed ends the wait (the switch-over then reports why); every 5 s, the figures.
      const timer = setInterval(() => {
        const figures = live.figures();
        if (figures.failure !== undefined) {
          clearInterval(timer);
          dispose();
          resolve();
        } else if (++lines % 5 === 0) io.stderr(`live ${namespace}: ${liveLine(figures)}\n`);
      }, 1000);
    });
    io.stderr(`live ${namespace}: switching over\n`);
    result = await live.switchOver();
  } catch (error) {
    progress.finish();
    return failed(error, request, io);
  }
  io.stdout(request.format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : formatLiveReport(result));
  const ok = clean(result.verification) && (result.initial.verification ? clean(result.initial.verification) : false) && result.targetEvictedKeys === 0;
  if (request.format !== 'json') {
    io.stdout(ok ? `Now: point ${namespace}'s URL at ${result.initial.to}, then resume the writers.\n` : fixStep(result.initial));
  }
  return ok ? EXIT.clean : EXIT.findings;
}

/**
 * `isolated-redis move --namespace celery --from URL --to URL [--sync | --verify | --live]`:
 * moves one namespace to its own instance with the library's move (identity and memory checked
 * first, every key verified after), printing progress on stderr and the report on stdout
 * (`--format json` for a machine). Exit 0 when the target was verified equal, 1 when it differs
 * (or the run was interrupted, or the target evicted keys), 2 for any error: one line on stderr,
 * the report so far on stdout.
 *
 * @example
 * ```ts
 * process.exitCode = await runMoveCommand(['--namespace', 'celery', '--from', SHARED, '--to', CELERY, '--dry-run'], processIo());
 * ```
 */
export async function runMoveCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(args, MOVE_OPTIONS, false);
  const request = readMoveFlags(values);
  loadOptional<typeof IoredisModule>('ioredis', 'isolated-redis move');
  const connector = cliConnector(request.connect);
  if (request.live) return runLive(request, connector, io);
  const stop = new AbortController();
  const dispose = onInterrupt(() => stop.abort());
  const progress = phaseProgress(io, request.options.namespace);
  let report: MoveReport;
  try {
    report = await runMove({ ...request.options, signal: stop.signal, onProgress: progress.update }, connector);
  } catch (error) {
    progress.finish();
    return failed(error, request, io);
  } finally {
    dispose();
  }
  progress.finish();
  const ok = report.dryRun || (report.verification !== undefined && clean(report.verification) && !report.interrupted && report.targetEvictedKeys === 0);
  if (request.format === 'json') io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  else io.stdout(formatMoveReport(report) + (report.dryRun ? '' : ok ? nextStep(report) : fixStep(report)));
  return ok ? EXIT.clean : EXIT.findings;
}
