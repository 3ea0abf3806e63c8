import { SharedConnectionError, connectionScope, connectionScopeReason, type ConnectionScope, type NamespaceGuard, type RedisArg } from '../../core/index.js';
import { transactionOrderRefusal } from '../refusals.js';

const NO_ARGS: readonly RedisArg[] = [];

/**
 * The {@link ConnectionScope} of a command line (`[name, ...args]`, as the guard returned it).
 * Only CLIENT, XREAD and XREADGROUP depend on their arguments: the others are decided by the
 * name alone, without copying the arguments out of the line.
 */
export function lineScope(argv: readonly RedisArg[]): ConnectionScope {
  const name = argv[0];
  const scope = connectionScope(name, NO_ARGS);
  if (scope !== 'shared' || argv.length < 2) return scope;
  const spelled = typeof name === 'string' ? name : String(name);
  if (spelled.length !== 5 && spelled.length !== 6 && spelled.length !== 10) return 'shared';
  const lower = spelled.toLowerCase();
  return lower === 'client' || lower === 'xread' || lower === 'xreadgroup' ? connectionScope(name, argv.slice(1)) : 'shared';
}

/**
 * The refusal of a `session` command (or of a command a batch cannot carry) on a view over a
 * shared connection: its effect is on that connection, so it cannot move to one of the view's
 * own; `duplicate()` gives the namespace a connection where it is allowed.
 */
export function sharedConnectionRefusal(guard: NamespaceGuard, argv: readonly RedisArg[], why?: string): SharedConnectionError {
  const name = String(argv[0]).toLowerCase();
  const sub = name === 'client' && argv[1] !== undefined ? ` ${String(argv[1]).toUpperCase()}` : '';
  const reason = why ?? connectionScopeReason(name, argv.slice(1)) ?? 'it changes the state of the connection every view shares';
  return new SharedConnectionError(
    `${name.toUpperCase()}${sub} is refused in namespace "${guard.namespace}" on a connection other namespaces share: ${reason}; ` +
      'run it on a connection of the namespace\'s own: `const own = redis.duplicate(); await own.connect();`',
    { command: name, namespace: guard.namespace },
  );
}

/**
 * Refuses a WATCH among the commands of a transaction, on every view (shared or owned): Redis
 * answers it with an error instead of QUEUED, node-redis rejects the whole `exec()`, and EXEC
 * still commits the other commands. Judged before anything is queued.
 */
export function assertTransactionLines(guard: NamespaceGuard, lines: ReadonlyArray<readonly RedisArg[]>): void {
  for (const line of lines) assertNotWatchInTransaction(guard, line, lineScope(line));
}

function assertNotWatchInTransaction(guard: NamespaceGuard, line: readonly RedisArg[], scope: ConnectionScope): void {
  if (scope === 'watch' && String(line[0]).toLowerCase() === 'watch') throw transactionOrderRefusal(guard, line[0]);
}

/** Where a batch runs on a view over a shared connection. */
export type BatchRoute = 'shared' | 'exclusive';

/**
 * Where a MULTI (`transaction`) or a pipeline runs on a view over a shared connection, judged
 * from every command's scope before any is queued:
 * - session commands and QUIT are refused (their effect would land on the shared connection);
 * - in a pipeline, a blocking command would hold the shared connection and WATCH/UNWATCH would
 *   change its watch: such a pipeline runs whole on the view's exclusive connection;
 * - inside MULTI nothing blocks and Redis refuses WATCH (refused here, see
 *   {@link assertTransactionLines}), so a transaction stays on the shared connection (unless the
 *   view is watching, which the caller decides).
 */
export function batchRoute(guard: NamespaceGuard, lines: ReadonlyArray<readonly RedisArg[]>, transaction: boolean): BatchRoute {
  let route: BatchRoute = 'shared';
  for (const line of lines) {
    const scope = lineScope(line);
    if (scope === 'shared') continue;
    if (transaction) assertNotWatchInTransaction(guard, line, scope);
    if (scope === 'session') throw sharedConnectionRefusal(guard, line);
    if (scope === 'close') throw sharedConnectionRefusal(guard, line, 'inside a batch it would close the connection every view shares; use quit() or close()');
    if (!transaction && (scope === 'blocking' || scope === 'watch')) route = 'exclusive';
  }
  return route;
}
