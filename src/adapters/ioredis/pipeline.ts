import type { NamespaceGuard } from '../../core/index.js';
import type { Instrumentation } from '../../instrument/instrumentation.js';
import { isTransactionFrame, unbalancedTransactionRefusal } from '../refusals.js';
import { rejectedLikeIoredis, type IoredisCommand, type IoredisPipeline } from './internals.js';
import { prepareCommand, preparedKeyCount } from './prepare-command.js';

/** Marks a MULTI whose pipeline also closes its transaction: the only MULTI a view sends. */
const FRAMED = Symbol('isolated-redis.framed-multi');
type Framed = IoredisCommand & { [FRAMED]?: true };

/** True for a MULTI that {@link guardPipeline} found closed by its own pipeline. */
export const isFramedMulti = (command: IoredisCommand): boolean => (command as Framed)[FRAMED] === true;

/**
 * Checks that the queue opens and closes its own transactions: every MULTI is closed by an EXEC
 * or DISCARD of the same queue (or by the EXEC ioredis appends when `execPending`, as `multi()`
 * does after this check), and no EXEC or DISCARD closes a transaction the queue did not open.
 * Marks the MULTIs that pass; throws the refusal otherwise. Frame names are lower-cased: ioredis
 * hands EXEC's replies to the queued commands' reply transforms (which un-prefix them) only
 * for a command named exactly `exec`.
 */
function assertOwnTransactions(guard: NamespaceGuard, queue: readonly IoredisCommand[], execPending: boolean): void {
  const opened: IoredisCommand[] = [];
  let open = false;
  for (const command of queue) {
    if (!isTransactionFrame(command.name)) continue;
    const name = String(command.name).toLowerCase();
    command.name = name;
    if (name === 'multi') {
      if (!open) opened.push(command);
      open = true; // a nested MULTI is an error reply inside the open transaction, nothing more
    } else {
      // EXEC or DISCARD
      if (!open) throw unbalancedTransactionRefusal(guard, name);
      open = false;
    }
  }
  if (open && !execPending) throw unbalancedTransactionRefusal(guard, 'multi');
  for (const command of opened) (command as Framed)[FRAMED] = true;
}

/**
 * Makes a pipeline (or pipelined MULTI) all-or-nothing under the guard: at `exec`, every queued
 * command is rewritten first; if one is refused, the pipeline rejects with that refusal and
 * nothing is written to the socket. A pipeline that would leave the shared connection inside a
 * transaction (a MULTI it does not close, an EXEC or DISCARD it did not open) is refused too.
 */
export function guardPipeline<P extends IoredisPipeline>(guard: NamespaceGuard, pipeline: P, instr: Instrumentation): P {
  const exec = pipeline.exec;
  // ioredis calls exec() again on a Cluster that was not ready yet and on MOVED/ASK/TRYAGAIN:
  // the batch is observed (timed, reported) once, on the first call.
  let observed = false;
  pipeline.exec = function (this: IoredisPipeline, callback?: (error: Error | null, result?: unknown) => void) {
    const observing = !observed && instr.observing();
    let keys = 0;
    try {
      for (const command of this._queue) {
        prepareCommand(guard, command);
        if (observing) keys += preparedKeyCount(command);
      }
      // ioredis's multi() appends its EXEC after this check, when `_transactions` is still counted.
      assertOwnTransactions(guard, this._queue, (this._transactions ?? 0) > 0);
    } catch (error) {
      return rejectedLikeIoredis(instr.rejected(error as Error), callback);
    }
    if (!observing) return exec.call(this, callback);
    observed = true;
    // Timed as one batch; a timeout rejects the pipeline's own promise (and its callback).
    const name = this._queue[0]?.name === 'multi' ? 'multi' : 'pipeline';
    return instr.batch(name, keys, () => exec.call(this, callback), (error) => this.reject(error));
  };
  return pipeline;
}
