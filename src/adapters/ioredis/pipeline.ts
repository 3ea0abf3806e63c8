import type { NamespaceGuard } from '../../core/index.js';
import type { Instrumentation } from '../../instrument/instrumentation.js';
import { rejectedLikeIoredis, type IoredisPipeline } from './internals.js';
import { prepareCommand, preparedKeyCount } from './prepare-command.js';

/**
 * Makes a pipeline (or pipelined MULTI) all-or-nothing under the guard: at `exec`, every queued
 * command is rewritten first; if one is refused, the pipeline rejects with that refusal and
 * nothing is written to the socket.
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
