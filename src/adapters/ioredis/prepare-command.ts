import type { NamespaceGuard, ReplySlot } from '../../core/index.js';
import type { Instrumentation } from '../../instrument/instrumentation.js';
import type { IoredisCommand } from './internals.js';
import { confineScriptCommand, typedScriptRefusals } from './script-command.js';

/**
 * Marks a command as rewritten. ioredis sends one Command object more than once (offline queue
 * flush, reconnect resend, Cluster MOVED/ASK retries): it must be prefixed exactly once. A
 * symbol property on the command costs a fraction of a WeakSet lookup and insertion per command
 * (measured: 13-18% more client CPU than raw ioredis pipelined with a WeakSet, 4-7% with this).
 */
const PREPARED = Symbol('isolated-redis.prepared');
/** How many keys the command names, kept with it for instrumentation (also when it is sent again). */
const KEY_COUNT = Symbol('isolated-redis.key-count');
type Marked = IoredisCommand & { [PREPARED]?: true; [KEY_COUNT]?: number };

/** (P|S)UNSUBSCRIBE: without channels, they end every subscription of the connection. */
const UNSUBSCRIBES = new Set(['unsubscribe', 'punsubscribe', 'sunsubscribe']);

/**
 * An UNSUBSCRIBE (or P/S) without channels on a connection of the view's own: it ends only the
 * namespace's subscriptions, so it is sent as it is. (The guard refuses it, for a shared connection.)
 */
export const isOwnUnsubscribeAll = (command: IoredisCommand): boolean =>
  command.args.length === 0 && UNSUBSCRIBES.has(String(command.name).toLowerCase());

/** Filled by each rewrite (synchronously, so one slot serves every command). */
const replySlot: ReplySlot = { shape: undefined, keys: 0 };

/**
 * Rewrites one ioredis Command through the guard: its arguments get the prefix and, when its
 * reply names keys, its reply transform strips the prefix first (which also covers the replies
 * a MULTI's EXEC hands to each queued command). Throws the guard's refusal untouched.
 * `ownConnection`: the command goes to a connection of the view's own (see {@link isOwnUnsubscribeAll}).
 */
export function prepareCommand(guard: NamespaceGuard, command: Marked, ownConnection = false): void {
  if (command[PREPARED]) return;
  if (ownConnection && isOwnUnsubscribeAll(command)) {
    command[PREPARED] = true;
    return;
  }
  confineScriptCommand(guard, command);
  const original = command.args;
  command.args = guard.rewrite(command.name, original, replySlot) as IoredisCommand['args'];
  typedScriptRefusals(guard, command as IoredisCommand);
  const shape = replySlot.shape;
  if (command.args !== original) {
    // ioredis caches the keys and the Cluster slot of a command: both must follow the new args.
    command.keys = undefined;
    command.slot = undefined;
  }
  if (shape !== undefined) {
    const transform = command.transformReply;
    command.transformReply = function (reply: unknown): unknown {
      return transform.call(this, guard.unprefixShape(shape, reply));
    };
  }
  command[PREPARED] = true;
  command[KEY_COUNT] = replySlot.keys ?? 0;
}

/** Marks a command as ready to send as it is: its arguments are already what the connection must receive. */
export function markPrepared(command: IoredisCommand): void {
  (command as Marked)[PREPARED] = true;
}

/** How many keys a command {@link prepareCommand} rewrote names (for instrumentation). */
export const preparedKeyCount = (command: IoredisCommand): number => (command as Marked)[KEY_COUNT] ?? 0;

/** Prepares `command`, or rejects it with the refusal (reported to `instr`); true when it may be sent. */
export function prepareOrReject(guard: NamespaceGuard, command: IoredisCommand, instr: Instrumentation, ownConnection = false): boolean {
  try {
    prepareCommand(guard, command, ownConnection);
    return true;
  } catch (error) {
    command.reject(instr.rejected(error as Error));
    return false;
  }
}
