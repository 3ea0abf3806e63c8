import type { NamespaceGuard } from '../../core/index.js';
import type { IoredisCommand } from './internals.js';

/**
 * Commands already rewritten. ioredis sends one Command object more than once (offline queue
 * flush, reconnect resend, Cluster MOVED/ASK retries): it must be prefixed exactly once.
 */
const prepared = new WeakSet<IoredisCommand>();

/**
 * Rewrites one ioredis Command through the guard: its arguments get the prefix and, when its
 * reply names keys, its reply transform strips the prefix first (which also covers the replies
 * a MULTI's EXEC hands to each queued command). Throws the guard's refusal untouched.
 */
export function prepareCommand(guard: NamespaceGuard, command: IoredisCommand): void {
  if (prepared.has(command)) return;
  const original = command.args;
  command.args = guard.rewrite(command.name, original) as IoredisCommand['args'];
  if (command.args !== original) {
    // ioredis caches the keys and the Cluster slot of a command: both must follow the new args.
    command.keys = undefined;
    command.slot = undefined;
  }
  const shape = guard.replyShape(command.name, original);
  if (shape !== undefined) {
    const transform = command.transformReply;
    command.transformReply = function (reply: unknown): unknown {
      return transform.call(this, guard.unprefixShape(shape, reply));
    };
  }
  prepared.add(command);
}

/** Prepares `command`, or rejects it with the refusal; true when it may be sent. */
export function prepareOrReject(guard: NamespaceGuard, command: IoredisCommand): boolean {
  try {
    prepareCommand(guard, command);
    return true;
  } catch (error) {
    command.reject(error as Error);
    return false;
  }
}
