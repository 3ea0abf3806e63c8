import { checkRedisUrl } from '../validate.js';
import { ChangeFeed, enableKeyspaceEvents, sufficient, type ChangedKey } from './change-feed.js';
import { probeWritable } from './checks.js';
import type { MoveConnector } from './connect.js';
import { copyKeys } from './copy-keys.js';
import { deleteExtraKeys } from './delete-pass.js';
import { MoveError, asMoveError, attempt, firstLine } from './errors.js';
import type { MoveReport, MoveVerification } from './report.js';
import { copyNamespace, moveContext, openMove, runPreflight, type MoveOptions } from './run.js';
import { emptyVerification, verifyKeys, verifyNamespace } from './verify.js';
import { values } from './read-keys.js';
import { showKey } from './secrets.js';

/**
 * Options of {@link startLiveMove}: those of a move (its mode is `sync`).
 *
 * @example
 * ```ts
 * const options: LiveMoveOptions = { namespace: 'celery', from: 'redis://shared:6379/0', to: 'redis://celery-redis:6379/0' };
 * ```
 */
export type LiveMoveOptions = Omit<MoveOptions, 'mode' | 'dryRun' | 'replace'>;

/**
 * Percentiles of the time from a change's notification arriving to the key being written on
 * the target, in ms, over the last 10,000 keys applied.
 *
 * @example
 * ```ts
 * const lag: LiveLag = { p50: 0.8, p99: 4.1, max: 12.5, samples: 10_000 };
 * ```
 */
export interface LiveLag {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly samples: number;
}

/**
 * How a live move is following the source.
 *
 * @example
 * ```ts
 * const live = await startLiveMove(options);
 * const { pending, lag } = live.figures();
 * ```
 */
export interface LiveFigures {
  /** Keyspace notifications received for the namespace. */
  readonly events: number;
  /** Keys copied again (or deleted) on the target after a change. */
  readonly applied: number;
  /** Keys changed on the source, not yet applied. */
  readonly pending: number;
  /** Distinct keys changed since the move started (checked at the switch-over). */
  readonly touched: number;
  /** From a change's notification to its key written on the target, once following (the backlog aside). */
  readonly lag: LiveLag | undefined;
  /**
   * The keys changed during the initial sync, applied once it ended, and how long that took
   * (`undefined` while it lasts).
   */
  readonly backlog: { readonly keys: number; readonly drainMs: number | undefined };
  /** Why following stopped, if it did (a lost subscriber connection, a failed write): {@link LiveMove.switchOver} then throws it. */
  readonly failure: string | undefined;
}

/**
 * What {@link LiveMove.switchOver} did: the initial sync's report, the following's figures, and
 * the switch-over's own times: `catchUpMs` from the call to the target holding every change
 * acknowledged before it (the fence back, then every changed key applied), `verifyMs` for
 * comparing the keys changed during the move, `windowMs` both (the writers' pause).
 *
 * @example
 * ```ts
 * const live = await startLiveMove(options);
 * const result = await live.switchOver();
 * console.log(`window ${result.windowMs} ms, lag p99 ${result.lag?.p99} ms`);
 * ```
 */
export interface LiveMoveReport extends LiveFigures {
  readonly initial: MoveReport;
  readonly catchUpMs: number;
  readonly verifyMs: number;
  readonly windowMs: number;
  /** The keys changed during the move, compared once caught up. */
  readonly verification: MoveVerification;
  /** The target's evicted_keys grew by this much since the start. */
  readonly targetEvictedKeys: number;
}

/**
 * A namespace being moved live; see {@link startLiveMove}.
 *
 * @example
 * ```ts
 * const live: LiveMove = await startLiveMove(options);
 * // ...pause the namespace's writers, then:
 * const result = await live.switchOver();
 * console.log(result.verification.equal, 'changed keys equal; now point the namespace at', CELERY_URL);
 * ```
 */
export interface LiveMove {
  /** The initial sync: every key copied, gone keys deleted, unchanged keys verified. */
  readonly initial: MoveReport;
  figures(): LiveFigures;
  /**
   * Call once the namespace's writers are paused: waits until the target holds every change
   * acknowledged before the call, checks the keys changed during the move, stops following and
   * closes. Then point the namespace at the target and resume the writers. `verify: false` skips
   * the check of the changed keys (a shorter window; the target then holds every change all the
   * same, as far as the notifications tell).
   *
   * @throws {@link MoveError} when following failed, or the fence did not come back.
   */
  switchOver(options?: { readonly verify?: boolean }): Promise<LiveMoveReport>;
  /** Stops following without a switch-over (and restores the source's notification setting). */
  close(): Promise<void>;
}

const SAMPLES = 10_000;

function percentiles(samples: readonly number[]): LiveLag | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (share: number): number => Math.round((sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] as number) * 100) / 100;
  return { p50: at(0.5), p99: at(0.99), max: at(1), samples: sorted.length };
}

const field = (info: string, name: string): number => Number(new RegExp(`^${name}:(\\S*)`, 'm').exec(info)?.[1] ?? 0);

/** {@link startLiveMove} with the connections opened by `connector`. */
export async function runLiveMove(options: LiveMoveOptions, connector: MoveConnector): Promise<LiveMove> {
  const opened = await openMove({ ...options, mode: 'sync' }, connector);
  const { report, mask, source, prefix } = opened;
  const ctx = moveContext(opened, options);
  const db = source.identity.db;
  let restoreEvents: string | undefined;
  let feed: ChangeFeed | undefined;
  const closeAll = async (): Promise<void> => {
    feed?.close();
    if (restoreEvents !== undefined) await source.client.config('SET', 'notify-keyspace-events', restoreEvents).catch(() => undefined);
    restoreEvents = undefined;
    opened.close();
  };
  let evictedBefore = 0;
  try {
    evictedBefore = field(await attempt(() => ctx.target.info('stats'), 'ERR_MOVE_FAILED', 'reading INFO stats on the target', mask), 'evicted_keys');
    await probeWritable(opened.target, prefix, mask);
    await runPreflight(opened, ctx, options.force ?? false);
    restoreEvents = await enableKeyspaceEvents(source.client, source.shown);
    const subscriber = await attempt(() => connector(checkRedisUrl(options.from, 'move: `from`'), 'subscriber'), 'ERR_MOVE_CONNECTION', `cannot open the subscriber connection to ${source.shown}`, mask);
    feed = await attempt(() => ChangeFeed.open(subscriber, db, prefix), 'ERR_MOVE_FAILED', `PSUBSCRIBE to the namespace's keyspace notifications on ${source.shown}`, mask);
    await copyNamespace(ctx, { existing: 'differs', deleteGone: true });
    await deleteExtraKeys(ctx);
    const touched = feed.touched;
    const changes = feed;
    report.verification = await verifyNamespace(ctx, {
      dropLeftovers: true,
      exclusions: {
        skip: (key) => touched.has(key.toString('latin1')),
        settle: () => attempt(() => changes.fence(source.client, db, prefix), 'ERR_MOVE_FAILED', 'sending a fence through the source', mask),
      },
    });
    report.durationMs = performance.now() - opened.started;
  } catch (error) {
    await closeAll();
    if (error instanceof MoveError) throw new MoveError(error.code, error.message, { ...report });
    throw asMoveError(error, 'ERR_MOVE_FAILED', 'live move', mask);
  }
  const initial: MoveReport = { ...report };
  const changes = feed;
  const lags: number[] = [];
  let applied = 0;
  // The keys changed during the initial sync wait for it to end: their lag is the backlog's, told apart.
  const backlogStarted = performance.now();
  const backlog = { keys: changes.pending, drainMs: undefined as number | undefined };
  let busy = false;
  let stopped = false;
  let failure: MoveError | undefined;
  const idle: Array<() => void> = [];

  const apply = async (batch: readonly ChangedKey[]): Promise<void> => {
    await copyKeys(ctx, batch.map((change) => change.key), { existing: 'replace', deleteGone: true });
    const now = performance.now();
    for (const change of batch) {
      if (change.since < backlogStarted) continue;
      lags.push(now - change.since);
      if (lags.length > SAMPLES) lags.shift();
    }
    applied += batch.length;
  };

  const follow = async (): Promise<void> => {
    while (!stopped) {
      if (changes.failure) throw changes.failure;
      const batch = changes.take(opened.limits.count);
      if (batch.length === 0) {
        backlog.drainMs ??= performance.now() - backlogStarted;
        for (const resolve of idle.splice(0)) resolve();
        await changes.next();
        continue;
      }
      busy = true;
      try {
        await apply(batch);
      } finally {
        busy = false;
      }
    }
  };
  const following = follow().catch((error: unknown) => {
    failure = error instanceof MoveError ? error : asMoveError(error, 'ERR_MOVE_FAILED', 'following the source', mask);
    for (const resolve of idle.splice(0)) resolve();
  });

  /** Resolves once nothing is pending and no batch is in flight. */
  const drained = async (): Promise<void> => {
    while (!failure && (changes.pending > 0 || busy)) {
      await new Promise<void>((resolve) => {
        idle.push(resolve);
        changes.wake();
      });
    }
    if (failure) throw failure;
  };

  const figures = (): LiveFigures => ({
    events: changes.events,
    applied,
    pending: changes.pending,
    touched: changes.touched.size,
    lag: percentiles(lags),
    backlog: { ...backlog },
    failure: failure?.message ?? changes.failure?.message,
  });

  const stop = async (): Promise<void> => {
    stopped = true;
    changes.wake();
    await following;
    await closeAll();
  };

  return {
    initial,
    figures,
    close: stop,
    async switchOver(switchOptions = {}) {
      const started = performance.now();
      try {
        if (failure) throw failure;
        // Another process (or another live move ending) may have turned the notifications off meanwhile.
        const flags = await attempt(async () => String(((await source.client.config('GET', 'notify-keyspace-events')) as string[])[1] ?? ''), 'ERR_MOVE_FAILED', 'CONFIG GET on the source', mask);
        if (!sufficient(flags)) {
          throw new MoveError('ERR_MOVE_FAILED', `notify-keyspace-events on the source ${source.shown} became "${flags}" during the move: changes may have been missed; run the live move again`);
        }
        await attempt(() => changes.fence(source.client, db, prefix), 'ERR_MOVE_FAILED', 'sending the fence through the source', mask);
        await drained();
        const caughtUp = performance.now();
        const verification = emptyVerification();
        const keys = switchOptions.verify === false ? [] : [...changes.touched.values()];
        for (let i = 0; i < keys.length; i += opened.limits.count) {
          const batch = keys.slice(i, i + opened.limits.count);
          await verifyKeys(ctx, batch, verification);
          // A key the source no longer has must be gone from the target too.
          const check = ctx.source.pipeline();
          for (const key of batch) check.exists(key);
          const there = ctx.target.pipeline();
          for (const key of batch) there.exists(key);
          const [mine, theirs] = await attempt(
            async () => {
              const [a, b] = await Promise.all([check.exec(), there.exec()]);
              return [values(a), values(b)] as const;
            },
            'ERR_MOVE_FAILED',
            'EXISTS on both ends',
            mask,
          );
          batch.forEach((key, j) => {
            if (Number(mine[j]) === 0 && Number(theirs[j]) === 1) {
              verification.extra++;
              if (verification.examples.length < 20) (verification.examples as Array<{ key: string; problem: 'extra' }>).push({ key: showKey(key), problem: 'extra' });
            }
          });
        }
        const done = performance.now();
        verification.durationMs = done - caughtUp;
        const evicted = field(await attempt(() => ctx.target.info('stats'), 'ERR_MOVE_FAILED', 'reading INFO stats on the target', mask), 'evicted_keys') - evictedBefore;
        return {
          ...figures(),
          initial,
          catchUpMs: caughtUp - started,
          verifyMs: done - caughtUp,
          windowMs: done - started,
          verification,
          targetEvictedKeys: evicted,
        };
      } catch (error) {
        throw error instanceof MoveError ? error : new MoveError('ERR_MOVE_FAILED', mask(`switch-over: ${firstLine(error)}`));
      } finally {
        await stop();
      }
    },
  };
}
