import type { NamespaceGuard } from '../../core/index.js';
import { rejectedLikeIoredis, type IoredisPipeline } from './internals.js';
import { prepareCommand } from './prepare-command.js';

/**
 * Makes a pipeline (or pipelined MULTI) all-or-nothing under the guard: at `exec`, every queued
 * command is rewritten first; if one is refused, the pipeline rejects with that refusal and
 * nothing is written to the socket.
 */
export function guardPipeline<P extends IoredisPipeline>(guard: NamespaceGuard, pipeline: P): P {
  const exec = pipeline.exec;
  pipeline.exec = function (this: IoredisPipeline, callback?: (error: Error | null, result?: unknown) => void) {
    try {
      for (const command of this._queue) prepareCommand(guard, command);
    } catch (error) {
      return rejectedLikeIoredis(error as Error, callback);
    }
    return exec.call(this, callback);
  };
  return pipeline;
}
