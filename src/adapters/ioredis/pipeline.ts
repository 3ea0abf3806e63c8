import { BlockedCommandError, connectionScope, type NamespaceGuard } from '../../core/index.js';
import type { Instrumentation } from '../../instrument/instrumentation.js';
import { batchedConnectionStateRefusal, transactionOrderRefusal, unbalancedTransactionRefusal } from '../refusals.js';
import type { ExclusiveAccess } from './connections.js';
import { rejectedLikeIoredis, type IoredisCommand, type IoredisPipeline } from './internals.js';
import { prepareCommand, preparedKeyCount } from './prepare-command.js';

/**
 * Marks a command of a pipeline that {@link guardPipeline} accepted as a whole: the view's
 * `sendCommand` sends it as it is, never refuses it. (A refusal after ioredis queued the rest of
 * the batch would shift every later reply on the connection to the wrong caller.)
 */
const JUDGED = Symbol('isolated-redis.judged');
type Judged = IoredisCommand & { [JUDGED]?: true };

/** True for a command of a pipeline that {@link guardPipeline} accepted. */
export const isJudged = (command: IoredisCommand): boolean => (command as Judged)[JUDGED] === true;

/** True when ioredis writes a command as part of a pipeline (its `stream` argument). */
export const isPipelineWrite = (stream: unknown): boolean =>
  typeof stream === 'object' && stream !== null && (stream as { isPipeline?: unknown }).isPipeline === true;

/**
 * A pipeline built over a view past its `pipeline()`/`multi()` (`new Pipeline(view)`): nothing
 * judged it whole, so none of it is sent.
 */
export function unjudgedPipelineRefusal(guard: NamespaceGuard, name: unknown): BlockedCommandError {
  const command = String(name).toLowerCase();
  return new BlockedCommandError(
    `${command.toUpperCase()} is refused in namespace "${guard.namespace}": it comes in a pipeline the view's pipeline() or multi() did not make, ` +
      'so the batch was not checked whole before it was written on the shared connection; use pipeline() or multi()',
    { command, namespace: guard.namespace },
  );
}

/** What {@link guardPipeline} needs of the view a pipeline belongs to. */
export interface PipelineContext {
  readonly guard: NamespaceGuard;
  readonly instr: Instrumentation;
  /** The exclusive connection of a view over a shared client; `undefined` on a view that owns its connection. */
  readonly own: ExclusiveAccess | undefined;
}

interface Verdict {
  /** The batch blocks, WATCHes or UNWATCHes, or runs while the view watches: it goes to the exclusive connection. */
  readonly exclusive: boolean;
  /** Whether the view watches once the batch has run. */
  readonly watching: boolean;
}

/**
 * Judges the queue whole, before any of it is written:
 * - every MULTI is closed by an EXEC or DISCARD of the same queue, no EXEC or DISCARD closes a
 *   transaction the queue did not open, and no MULTI or WATCH comes inside an open transaction
 *   (Redis queues neither, so EXEC's replies would be handed to the wrong commands);
 * - on a view over a shared connection, no command (un)subscribes, QUITs or changes session
 *   state (see `connectionScope`): those cannot leave the connection the batch is written on.
 *   A blocking command outside MULTI (inside, Redis runs it without blocking), WATCH and
 *   UNWATCH move the whole batch to the view's exclusive connection, where it holds no other
 *   namespace up and where the view's watches live; so does any batch while the view watches.
 *
 * Frame names are lower-cased: ioredis hands EXEC's replies to the queued commands' reply
 * transforms (which un-prefix them) only for a command named exactly `exec`.
 */
function judgeQueue(guard: NamespaceGuard, queue: readonly IoredisCommand[], own: ExclusiveAccess | undefined): Verdict {
  let open = false;
  let exclusive = own?.watching === true;
  let watching = exclusive;
  for (const command of queue) {
    if (command.ignore === true) continue; // the ASKING ioredis inserts itself when it retries on a Cluster
    const scope = connectionScope(command.name, command.args);
    if (scope === 'shared') continue;
    const name = String(command.name).toLowerCase();
    if (scope === 'transaction') {
      command.name = name;
      if (name === 'multi') {
        if (open) throw transactionOrderRefusal(guard, name);
        open = true;
      } else {
        if (!open) throw unbalancedTransactionRefusal(guard, name);
        open = false;
        watching = false; // EXEC and DISCARD end every watch of the connection
      }
    } else if (scope === 'watch') {
      if (open && name === 'watch') throw transactionOrderRefusal(guard, name);
      if (!open) watching = name === 'watch';
      exclusive = own !== undefined;
    } else if (scope === 'blocking') {
      // Inside MULTI, Redis runs it without blocking; outside, it would hold the connection.
      if (!open) exclusive = own !== undefined;
    } else if (own !== undefined) {
      throw batchedConnectionStateRefusal(guard, command.name, command.args);
    }
  }
  if (open) throw unbalancedTransactionRefusal(guard, 'multi');
  return { exclusive, watching };
}

type Callback = (error: Error | null, result?: unknown) => void;
type Exec = (this: IoredisPipeline, ...args: unknown[]) => Promise<unknown>;

/** Queues a MULTI's closing EXEC as ioredis's own `exec()` would (replies in Buffer form), sending nothing. */
function queueClosingExec(pipeline: IoredisPipeline): void {
  // The Commander's own `execBuffer`, under Pipeline's deprecated wrapper of it.
  const commander = Object.getPrototypeOf(Object.getPrototypeOf(pipeline)) as { execBuffer: (this: IoredisPipeline) => unknown };
  pipeline._transactions = (pipeline._transactions ?? 1) - 1;
  commander.execBuffer.call(pipeline);
}

/**
 * Makes a pipeline (`transaction`: a `multi()`) all-or-nothing under the guard: at `exec`, every
 * queued command is rewritten and the batch judged whole ({@link judgeQueue}) before any of it is
 * written; if one is refused, the pipeline and every queued command reject with that refusal and
 * nothing is sent. A batch that blocks or WATCHes, or runs while the view watches, is written on the
 * view's exclusive connection.
 */
export function guardPipeline<P extends IoredisPipeline>(pipeline: P, context: PipelineContext, transaction: boolean): P {
  const { guard, instr, own } = context;
  const exec = pipeline.exec as Exec;
  // ioredis calls exec() again on a Cluster that was not ready yet and on MOVED/ASK/TRYAGAIN:
  // the batch is observed (timed, reported) once, on the first call.
  let observed = false;
  pipeline.exec = function (this: IoredisPipeline, ...args: unknown[]) {
    // `pipeline().multi()...exec()`: with a transaction open, exec() only queues that
    // transaction's EXEC, and a later exec() sends the pipeline. Handed on as called (an
    // `undefined` callback added here would be sent as EXEC's argument).
    if (!transaction && (this._transactions ?? 0) > 0) return exec.apply(this, args);
    // ioredis's multi() appends its EXEC as it sends: queued now, so that the batch is judged whole.
    if (transaction && (this._transactions ?? 0) > 0) queueClosingExec(this);
    const callback = args[0] as Callback | undefined;
    const observing = !observed && instr.observing();
    let keys = 0;
    let verdict: Verdict;
    try {
      for (const command of this._queue) {
        prepareCommand(guard, command, own === undefined);
        if (observing) keys += preparedKeyCount(command);
      }
      verdict = judgeQueue(guard, this._queue, own);
    } catch (error) {
      const refusal = instr.rejected(error as Error);
      for (const command of this._queue) command.reject(refusal);
      return rejectedLikeIoredis(refusal, callback);
    }
    for (const command of this._queue) (command as Judged)[JUDGED] = true;
    if (own) {
      if (verdict.exclusive) this.redis = own.get('exclusive');
      own.watching = verdict.watching;
    }
    if (!observing) return exec.apply(this, args);
    observed = true;
    // Timed as one batch; a timeout rejects the pipeline's own promise (and its callback).
    const name = this._queue[0]?.name === 'multi' ? 'multi' : 'pipeline';
    return instr.batch(name, keys, () => exec.apply(this, args), (error) => this.reject(error));
  } as IoredisPipeline['exec'];
  return pipeline;
}
