import { BlockedCommandError } from '../core/index.js';

/**
 * Refusals the adapters make themselves, for commands whose danger lies in the shared
 * connection rather than in their keys (the guard alone would let them pass).
 */

/** MULTI, EXEC or DISCARD sent on their own. */
export function transactionFrameRefusal(command: string, namespace: string): BlockedCommandError {
  return new BlockedCommandError(
    `${command.toUpperCase()} on its own is refused in namespace "${namespace}": the connection is shared by every view, ` +
      'so a transaction opened this way would take in other namespaces\' commands; use multi() ... exec()',
    { command: command.toLowerCase(), namespace },
  );
}

/** `multi({ pipeline: false })`. */
export function unpipelinedMultiRefusal(namespace: string): BlockedCommandError {
  return new BlockedCommandError(
    'multi({ pipeline: false }) is refused: it sends MULTI and each command one by one on a connection other views share, ' +
      'so a refused command could not stop the others; use multi() (pipelined, all or nothing)',
    { command: 'multi', namespace },
  );
}

/** MONITOR. */
export function monitorRefusal(namespace: string): BlockedCommandError {
  return new BlockedCommandError(`MONITOR is refused in namespace "${namespace}": it streams every namespace's commands`, {
    command: 'monitor',
    namespace,
  });
}
