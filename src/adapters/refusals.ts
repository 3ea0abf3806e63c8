import { BlockedCommandError, type NamespaceGuard } from '../core/index.js';

/** Commands that open or close a transaction on the connection. */
const TRANSACTION_FRAMES = new Set(['multi', 'exec', 'discard']);

/** Whether `name` opens or closes a transaction when sent on its own. */
export const isTransactionFrame = (name: unknown): boolean => TRANSACTION_FRAMES.has(String(name).toLowerCase());

/**
 * MULTI/EXEC/DISCARD sent on their own open a transaction on the shared connection that would
 * swallow other views' commands (and hand their replies to this view's EXEC). Both drivers'
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

/** MONITOR streams every command of every namespace. */
export function monitorRefusal(guard: NamespaceGuard): BlockedCommandError {
  return new BlockedCommandError(`MONITOR is refused in namespace "${guard.namespace}": it streams every namespace's commands`, {
    command: 'monitor',
    namespace: guard.namespace,
  });
}
