import { connectionScope, type ConnectionScope, type NamespaceGuard, type RedisArg, type SharedConnectionError } from '../../core/index.js';
import { sharedConnectionRefusal, transactionOrderRefusal } from '../refusals.js';

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
 * The refusal of a `session` command (or of a command a batch cannot carry, `why`) on a view over
 * a shared connection, for a command line `[name, ...args]` (see `sharedConnectionRefusal`).
 */
export function sharedLineRefusal(guard: NamespaceGuard, argv: readonly RedisArg[], why?: string): SharedConnectionError {
  return sharedConnectionRefusal(guard, argv[0], argv.slice(1), { why, ownConnection: '`const own = redis.duplicate(); await own.connect();`' });
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
    if (scope === 'session') throw sharedLineRefusal(guard, line);
    if (scope === 'close') throw sharedLineRefusal(guard, line, 'inside a batch it would close the connection every view shares; use quit() or close()');
    if (!transaction && (scope === 'blocking' || scope === 'watch')) route = 'exclusive';
  }
  return route;
}
