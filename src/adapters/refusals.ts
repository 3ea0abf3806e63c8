import { BlockedCommandError, SharedConnectionError, connectionScopeReason, type NamespaceGuard } from '../core/index.js';

/**
 * Refusals the adapters make themselves, for commands whose danger lies in the shared
 * connection rather than in their keys (the guard alone would let them pass).
 */

/** What a command does to the connection's state: open or close a transaction, or (un)subscribe. */
type ConnectionFrame = 'transaction' | 'pubsub' | 'none';

const FRAMES: ReadonlyMap<string, ConnectionFrame> = new Map([
  ...['multi', 'exec', 'discard'].map((name) => [name, 'transaction'] as const),
  ...['subscribe', 'psubscribe', 'ssubscribe', 'unsubscribe', 'punsubscribe', 'sunsubscribe'].map((name) => [name, 'pubsub'] as const),
]);

/**
 * Spellings already classified. The adapters ask for every command they send, and lower-casing
 * each name showed in profiles; names come from a small vocabulary, bounded all the same.
 */
const classified = new Map<string, ConnectionFrame>();
const MAX_CLASSIFIED = 1024;

function frameOf(name: unknown): ConnectionFrame {
  if (typeof name === 'string') {
    const known = classified.get(name);
    if (known !== undefined) return known;
  }
  const frame = FRAMES.get(String(name).toLowerCase()) ?? 'none';
  if (typeof name === 'string' && classified.size < MAX_CLASSIFIED) classified.set(name, frame);
  return frame;
}

/** Whether `name` opens or closes a transaction when sent on its own. */
export const isTransactionFrame = (name: unknown): boolean => frameOf(name) === 'transaction';

/** Whether `name` subscribes or unsubscribes when sent as a raw command. */
export const isPubSubFrame = (name: unknown): boolean => frameOf(name) === 'pubsub';

/**
 * MULTI, EXEC or DISCARD sent on their own open a transaction on the shared connection that
 * would swallow other views' commands (and hand their replies to this view's EXEC). The drivers'
 * `multi()` frame a view's own commands and stay allowed.
 */
export function transactionFrameRefusal(guard: NamespaceGuard, name: unknown): BlockedCommandError {
  const command = String(name).toLowerCase();
  return new BlockedCommandError(
    `${command.toUpperCase()} on its own is refused in namespace "${guard.namespace}": the connection is shared by every view, ` +
      "so a transaction opened this way would take in other namespaces' commands; use multi() ... exec()",
    { command, namespace: guard.namespace },
  );
}

/**
 * A pipeline whose MULTI it does not close (or whose EXEC or DISCARD closes a transaction it did
 * not open) would leave the shared connection inside a transaction: other views' commands would
 * be queued in it and their replies handed to whoever sends the next EXEC.
 */
export function unbalancedTransactionRefusal(guard: NamespaceGuard, name: unknown): BlockedCommandError {
  const command = String(name).toLowerCase();
  return new BlockedCommandError(
    `${command.toUpperCase()} is refused in namespace "${guard.namespace}": a pipeline must close every MULTI it opens and ` +
      "open every transaction it closes, or other namespaces' commands on the shared connection would join it; use multi() ... exec()",
    { command, namespace: guard.namespace },
  );
}

/**
 * node-redis follows the connection's pub/sub state only through its own subscribe methods: a
 * SUBSCRIBE sent as a raw command puts the shared connection into subscriber mode behind its back
 * (RESP2: every other view's commands fail; RESP3: the confirmations and messages are taken for
 * replies of whatever command waits next), and an UNSUBSCRIBE's confirmation would answer another
 * view's command.
 */
export function pubSubFrameRefusal(guard: NamespaceGuard, name: unknown): BlockedCommandError {
  const command = String(name).toLowerCase();
  return new BlockedCommandError(
    `${command.toUpperCase()} as a raw command is refused in namespace "${guard.namespace}": the connection is shared by every view, ` +
      'and the driver would not know it changed pub/sub state; use subscribe(), pSubscribe(), sSubscribe() and their unsubscribe methods',
    { command, namespace: guard.namespace },
  );
}

/** ioredis's `multi({ pipeline: false })`: MULTI and each command sent one by one. */
export function unpipelinedMultiRefusal(guard: NamespaceGuard): BlockedCommandError {
  return new BlockedCommandError(
    'multi({ pipeline: false }) is refused: it sends MULTI and each command one by one on a connection other views share, ' +
      'so a refused command could not stop the others; use multi() (pipelined, all or nothing)',
    { command: 'multi', namespace: guard.namespace },
  );
}

/** MONITOR streams every command of every namespace. */
export function monitorRefusal(guard: NamespaceGuard): BlockedCommandError {
  return new BlockedCommandError(`MONITOR is refused in namespace "${guard.namespace}": it streams every namespace's commands`, {
    command: 'monitor',
    namespace: guard.namespace,
  });
}

/**
 * A command that needs a connection of its own (a blocking command, a (un)subscription, QUIT, a
 * session command: see `connectionScope`) queued in a pipeline or MULTI of a view over a shared
 * connection: the batch is written on that shared connection as a whole, so the command cannot
 * move to the view's own connection. (Sent on its own, the view routes it there, or refuses it.)
 */
export function batchedConnectionStateRefusal(guard: NamespaceGuard, name: unknown, args: readonly unknown[]): SharedConnectionError {
  const command = String(name).toLowerCase();
  const reason = connectionScopeReason(name, args) ?? 'it changes the state of the connection';
  return new SharedConnectionError(
    `${command.toUpperCase()} inside a pipeline or MULTI is refused in namespace "${guard.namespace}": the batch is written on a connection ` +
      `other namespaces share, and ${reason}; send it on its own, or on a connection of the namespace's own (duplicate())`,
    { command, namespace: guard.namespace },
  );
}

/**
 * A session command (CLIENT TRACKING, CLIENT SETNAME, WAIT, READONLY...) sent through a view
 * over a shared connection: its effect is on that connection, so it cannot move to another.
 * `why` replaces the command's own reason (a command a batch cannot carry); `ownConnection` says
 * how the driver gives a namespace a connection of its own.
 */
export function sharedConnectionRefusal(
  guard: NamespaceGuard,
  name: unknown,
  args: readonly unknown[],
  { why, ownConnection = 'duplicate()' }: { why?: string | undefined; ownConnection?: string } = {},
): SharedConnectionError {
  const lower = String(name).toLowerCase();
  const command = lower === 'client' && args[0] !== undefined ? `client|${String(args[0]).toLowerCase()}` : lower;
  const reason = why ?? connectionScopeReason(name, args) ?? 'it changes the state of the connection';
  return new SharedConnectionError(
    `${command.replace('|', ' ').toUpperCase()} is refused in namespace "${guard.namespace}": the connection is shared with other namespaces ` +
      `and ${reason}; run it on a connection of the namespace's own: ${ownConnection}`,
    { command, namespace: guard.namespace },
  );
}

/**
 * A MULTI inside a transaction the batch already opened, or a WATCH inside one: Redis answers
 * either with an error and queues nothing, so EXEC's replies would no longer line up with the
 * commands they belong to (and their keys would be un-prefixed by the wrong command's rule).
 */
export function transactionOrderRefusal(guard: NamespaceGuard, name: unknown): BlockedCommandError {
  const command = String(name).toLowerCase();
  return new BlockedCommandError(
    `${command.toUpperCase()} inside an open transaction is refused in namespace "${guard.namespace}": Redis does not queue it, ` +
      "so EXEC's replies would be handed to the wrong commands; close the transaction first",
    { command, namespace: guard.namespace },
  );
}
