import type { Redis } from 'ioredis';
import type { ConnectOptions } from '../../adapters/driver-client.js';
import { IsolationConfigError, namespacePrefix, type PrefixRule } from '../../core/index.js';
import { checkRedisUrl } from '../validate.js';
import { checkPair, probeWritable } from './checks.js';
import { openEndpoint, type Endpoint, type MoveConnector } from './connect.js';
import type { MoveContext, MoveLimits, MovePhase } from './context.js';
import { copyKeys, type CopyPolicy } from './copy-keys.js';
import { deleteExtraKeys } from './delete-pass.js';
import { MoveError, asMoveError, attempt } from './errors.js';
import { measureNamespace, preflight, preflightRefusal } from './preflight.js';
import type { MoveMode, MoveReport, Mutable } from './report.js';
import { scanNamespace } from './scan.js';
import { maskerFor, redactRedisUrl, type Masker } from './secrets.js';
import { verifyNamespace } from './verify.js';
import { WrittenKeys } from './written-keys.js';

/**
 * Where a move is, beside its figures: the phase (`measure` the namespace, `copy`, `delete`
 * keys gone from the source, `verify`), the phase's count so far, the namespace's key count when
 * known (after `measure`), and the share of the keyspace SCAN has walked (0..1, from its cursor;
 * `undefined` where the cursor does not tell).
 *
 * @example
 * ```ts
 * const onProgress = (report: MoveReport, position: MovePosition) => console.error(position.phase, position.done, position.total);
 * ```
 */
export interface MovePosition {
  readonly phase: MovePhase;
  readonly done: number;
  readonly total: number | undefined;
  readonly walked: number | undefined;
}

/**
 * Options of {@link moveNamespace}.
 *
 * @example
 * ```ts
 * const options: MoveOptions = { namespace: 'celery', from: 'redis://shared:6379/0', to: 'redis://celery-redis:6379/0', mode: 'sync' };
 * ```
 */
export interface MoveOptions extends PrefixRule, ConnectOptions {
  readonly namespace: string;
  /** URL of the instance the namespace lives on now. */
  readonly from: string;
  /** URL of its new instance. */
  readonly to: string;
  /** `copy` (the keys the target lacks), `sync` (make the target equal), `verify` (compare only). @defaultValue `'copy'` */
  readonly mode?: MoveMode;
  /** Measure and check (identity, memory), write nothing. @defaultValue `false` */
  readonly dryRun?: boolean;
  /** In `copy` mode, overwrite keys the target already has. @defaultValue `false` */
  readonly replace?: boolean;
  /** Copy even when the preflight finds the target short of memory. @defaultValue `false` */
  readonly force?: boolean;
  /** SCAN COUNT, and at most this many keys per round trip. @defaultValue `500` */
  readonly count?: number;
  /** At most about this many bytes of values per round trip. @defaultValue 8 MiB */
  readonly batchBytes?: number;
  /**
   * Keys of this size or more (MEMORY USAGE) are copied in chunks under a temporary name, then
   * renamed. Never more than a quarter of the target's proto-max-bulk-len. @defaultValue 16 MiB
   */
  readonly bigKeyBytes?: number;
  /** Bytes per chunk of a big key. @defaultValue 2 MiB */
  readonly chunkBytes?: number;
  /** Expiry times further apart than this count as a difference in the verification. @defaultValue `1000` */
  readonly ttlToleranceMs?: number;
  /** Stops after the batch in flight; the report says `interrupted` (and holds no verification). */
  readonly signal?: AbortSignal;
  /** Called after every batch with the figures so far and where the move is. */
  readonly onProgress?: (progress: MoveReport, position: MovePosition) => void;
}

const MiB = 1024 * 1024;

function positive(name: string, value: number | undefined, fallback: number, minimum = 1): number {
  const result = value ?? fallback;
  if (!Number.isInteger(result) || result < minimum) throw new IsolationConfigError(`move: \`${name}\` must be an integer of at least ${minimum}`);
  return result;
}

/** A move's two ends, connected and checked, and what it needs to mask and report. */
export interface OpenedMove {
  readonly source: Endpoint;
  readonly target: Endpoint;
  readonly prefix: string;
  readonly mask: Masker;
  readonly limits: MoveLimits;
  readonly report: Mutable<MoveReport>;
  readonly started: number;
  close(): void;
}

const field = (info: string, name: string): number => Number(new RegExp(`^${name}:(\\S*)`, 'm').exec(info)?.[1] ?? 0);

/**
 * Checks the options, connects to both ends (SELECTing each URL's database and reading what the
 * server says it selected) and refuses a pair no move may serve ({@link checkPair}). Nothing has
 * been read from the namespace nor written yet.
 */
export async function openMove(options: MoveOptions, connector: MoveConnector): Promise<OpenedMove> {
  const from = checkRedisUrl(options.from, 'move: `from`');
  const to = checkRedisUrl(options.to, 'move: `to`');
  const mode = options.mode ?? 'copy';
  if (!['copy', 'sync', 'verify'].includes(mode)) throw new IsolationConfigError(`move: \`mode\` must be copy, sync or verify; got ${JSON.stringify(mode)}`);
  const prefix = namespacePrefix(options.namespace, options);
  const requested = {
    count: positive('count', options.count, 500),
    batchBytes: positive('batchBytes', options.batchBytes, 8 * MiB),
    bigKeyBytes: positive('bigKeyBytes', options.bigKeyBytes, 16 * MiB),
    chunkBytes: positive('chunkBytes', options.chunkBytes, 2 * MiB),
    ttlToleranceMs: positive('ttlToleranceMs', options.ttlToleranceMs, 1000, 0),
  };
  const mask = maskerFor([from, to]);
  const source = await openEndpoint(from, 'source', connector, mask);
  let target: Endpoint;
  try {
    target = await openEndpoint(to, 'target', connector, mask);
  } catch (error) {
    source.client.disconnect();
    throw error;
  }
  const close = (): void => {
    source.client.disconnect();
    target.client.disconnect();
  };
  try {
    checkPair(source, target);
    // A DUMP or a chunk is one argument on the target: it must stay under its proto-max-bulk-len.
    const bulk = await target.client.config('GET', 'proto-max-bulk-len').then(
      (reply) => Number((reply as string[])[1] ?? 512 * MiB),
      () => 512 * MiB,
    );
    const limits: MoveLimits = {
      ...requested,
      bigKeyBytes: Math.min(requested.bigKeyBytes, Math.floor(bulk / 4)),
      chunkBytes: Math.min(requested.chunkBytes, Math.floor(bulk / 4)),
    };
    const report: Mutable<MoveReport> = {
      namespace: options.namespace,
      prefix,
      from: redactRedisUrl(from),
      to: redactRedisUrl(to),
      mode,
      dryRun: options.dryRun ?? false,
      scanned: 0,
      copied: 0,
      written: 0,
      chunked: 0,
      skipped: 0,
      expiryFixed: 0,
      deleted: 0,
      vanished: 0,
      targetEvictedKeys: 0,
      interrupted: false,
      preflight: undefined,
      verification: undefined,
      durationMs: 0,
    };
    return { source, target, prefix, mask, limits, report, started: performance.now(), close };
  } catch (error) {
    close();
    throw error;
  }
}

/** The context every pass of an opened move shares. */
export function moveContext(opened: OpenedMove, options: Pick<MoveOptions, 'signal' | 'onProgress'>): MoveContext {
  const { report } = opened;
  return {
    source: opened.source.client,
    target: opened.target.client,
    prefix: opened.prefix,
    limits: opened.limits,
    mask: opened.mask,
    report,
    written: new WrittenKeys(),
    signal: options.signal,
    progress: (phase, done, walked) => {
      report.durationMs = performance.now() - opened.started;
      options.onProgress?.({ ...report }, { phase, done, total: report.preflight?.namespaceKeys, walked });
    },
  };
}

const evictedKeys = async (target: Redis): Promise<number> => field(await target.info('stats'), 'evicted_keys');

/** The copy pass: SCAN of the source, each batch copied under `policy`. */
export async function copyNamespace(ctx: MoveContext, policy: CopyPolicy): Promise<void> {
  const batches = scanNamespace(ctx.source, ctx.prefix, ctx.limits.count, ctx.signal);
  for (;;) {
    const next = await attempt(() => batches.next(), 'ERR_MOVE_FAILED', 'SCAN of the source', ctx.mask);
    if (next.done) break;
    ctx.report.scanned += next.value.keys.length;
    if (next.value.keys.length > 0) await copyKeys(ctx, next.value.keys, policy);
    ctx.progress('copy', ctx.report.scanned, next.value.walked);
  }
}

/**
 * Measures the namespace on both ends and checks the target's memory against it; throws
 * `ERR_MOVE_PREFLIGHT` with the figures when it would not fit, unless `force`.
 */
export async function runPreflight(opened: OpenedMove, ctx: MoveContext, force: boolean): Promise<void> {
  const { mask, prefix, limits, report } = opened;
  const size = await attempt(
    () => measureNamespace(ctx.source, prefix, limits.count, (so, walked) => ctx.progress('measure', so.keys, walked), ctx.signal),
    'ERR_MOVE_FAILED',
    'measuring the namespace on the source (SCAN, MEMORY USAGE)',
    mask,
  );
  const there = await attempt(() => measureNamespace(ctx.target, prefix, limits.count, undefined, ctx.signal), 'ERR_MOVE_FAILED', 'measuring the namespace on the target', mask);
  // Interrupted while measuring: the figures are partial, no verdict is drawn from them.
  if (ctx.signal?.aborted) return;
  report.preflight = await attempt(() => preflight(ctx.source, ctx.target, size, there.bytes, force), 'ERR_MOVE_FAILED', 'reading INFO memory and TIME', mask);
  if (report.preflight.verdict !== 'fits' && !force) throw preflightRefusal(report.preflight, opened.target.shown);
}

/**
 * {@link moveNamespace} with the connections opened by `connector` (the CLI's own, with its
 * timeouts). Every failure is a {@link MoveError} or an IsolationConfigError (invalid options),
 * with the report so far on the MoveError.
 */
export async function runMove(options: MoveOptions, connector: MoveConnector): Promise<MoveReport> {
  const opened = await openMove(options, connector);
  const { report, mask } = opened;
  const ctx = moveContext(opened, options);
  const finish = (): MoveReport => {
    report.durationMs = performance.now() - opened.started;
    return { ...report };
  };
  try {
    const evictedBefore = await attempt(() => evictedKeys(ctx.target), 'ERR_MOVE_FAILED', 'reading INFO stats on the target', mask);
    if (report.mode !== 'verify') {
      if (!report.dryRun) await probeWritable(opened.target, opened.prefix, mask);
      await runPreflight(opened, ctx, options.force ?? false);
      if (report.dryRun) {
        report.scanned = report.preflight?.namespaceKeys ?? 0;
        report.interrupted = options.signal?.aborted ?? false;
        return finish();
      }
      const policy: CopyPolicy =
        report.mode === 'sync' ? { existing: 'differs', deleteGone: true } : { existing: options.replace ? 'replace' : 'keep', deleteGone: false };
      await copyNamespace(ctx, policy);
      if (report.mode === 'sync' && !options.signal?.aborted) await deleteExtraKeys(ctx);
    }
    if (options.signal?.aborted) {
      report.interrupted = true;
      return finish();
    }
    report.verification = await verifyNamespace(ctx, { dropLeftovers: report.mode !== 'verify' });
    if (report.mode === 'verify') report.scanned = report.verification.checked;
    report.interrupted = options.signal?.aborted ?? false;
    report.targetEvictedKeys = (await attempt(() => evictedKeys(ctx.target), 'ERR_MOVE_FAILED', 'reading INFO stats on the target', mask)) - evictedBefore;
    return finish();
  } catch (error) {
    if (error instanceof IsolationConfigError) throw error;
    const failure = asMoveError(error, 'ERR_MOVE_FAILED', 'move', mask);
    throw new MoveError(failure.code, failure.message, finish());
  } finally {
    opened.close();
  }
}
