import { blockTimeMs } from './blocking.js';
import type { RedisArg } from './types.js';

/**
 * What a command needs of the connection it is sent on. Views of several namespaces can share
 * one connection; every command that changes that connection's state, depends on it, or holds
 * it, is classified here, in one place, and the adapters route or refuse it accordingly:
 *
 * | scope | on a shared connection | on a connection of the view's own (`duplicate()`) |
 * |---|---|---|
 * | `shared` | sent there | sent there |
 * | `blocking` | sent on the view's own exclusive connection, opened on first need | sent there |
 * | `watch` | WATCH/UNWATCH and the `multi()` that follows a WATCH go to the view's exclusive connection | sent there |
 * | `subscribe` | sent on the view's own subscriber connection, opened on first need | sent there |
 * | `transaction` | only as the frame of the driver's `multi()` | same |
 * | `session` | refused with `SharedConnectionError` (it cannot move: its effect is on the connection the other commands use) | sent there |
 * | `close` | closes what the view opened; the shared connection is its owner's to close | closes the connection |
 *
 * @example
 * ```ts
 * const scope: ConnectionScope = connectionScope('blpop', ['q', '0']); // 'blocking'
 * ```
 */
export type ConnectionScope = 'shared' | 'blocking' | 'watch' | 'subscribe' | 'transaction' | 'session' | 'close';

/** Why each command that is not `shared` is scoped as it is: shown in refusals and in the README. */
export const CONNECTION_SCOPE_REASONS: Readonly<Record<string, { readonly scope: Exclude<ConnectionScope, 'shared'>; readonly reason: string }>> = {
  // Blocking commands hold the connection until they answer: every other view would wait.
  blpop: { scope: 'blocking', reason: 'it holds the connection until an element arrives' },
  brpop: { scope: 'blocking', reason: 'it holds the connection until an element arrives' },
  brpoplpush: { scope: 'blocking', reason: 'it holds the connection until an element arrives' },
  blmove: { scope: 'blocking', reason: 'it holds the connection until an element arrives' },
  blmpop: { scope: 'blocking', reason: 'it holds the connection until an element arrives' },
  bzpopmin: { scope: 'blocking', reason: 'it holds the connection until an element arrives' },
  bzpopmax: { scope: 'blocking', reason: 'it holds the connection until an element arrives' },
  bzmpop: { scope: 'blocking', reason: 'it holds the connection until an element arrives' },
  xread: { scope: 'blocking', reason: 'with BLOCK it holds the connection until an entry arrives' },
  xreadgroup: { scope: 'blocking', reason: 'with BLOCK it holds the connection until an entry arrives' },
  // Optimistic locking is connection state: another view's EXEC would use up (or be failed by) the watch.
  watch: { scope: 'watch', reason: "the watch belongs to the connection: another view's EXEC would consume it" },
  unwatch: { scope: 'watch', reason: "it would drop other views' watches on the connection" },
  // Subscriber mode (RESP2) refuses every other command; the subscription counts are the connection's.
  subscribe: { scope: 'subscribe', reason: 'it puts the connection in subscriber mode' },
  psubscribe: { scope: 'subscribe', reason: 'it puts the connection in subscriber mode' },
  ssubscribe: { scope: 'subscribe', reason: 'it puts the connection in subscriber mode' },
  unsubscribe: { scope: 'subscribe', reason: "its replies count the connection's subscriptions" },
  punsubscribe: { scope: 'subscribe', reason: "its replies count the connection's subscriptions" },
  sunsubscribe: { scope: 'subscribe', reason: "its replies count the connection's subscriptions" },
  // Transaction frames: sent on their own they would take in other views' commands.
  multi: { scope: 'transaction', reason: "a transaction opened on its own would take in other namespaces' commands; use multi() ... exec()" },
  exec: { scope: 'transaction', reason: 'it closes a transaction the view did not open; use multi() ... exec()' },
  discard: { scope: 'transaction', reason: 'it closes a transaction the view did not open; use multi() ... exec()' },
  // Session state: its effect is on the connection itself, so it cannot be moved to another one.
  wait: { scope: 'session', reason: "it waits for the connection's own writes to replicate, and blocks it meanwhile" },
  waitaof: { scope: 'session', reason: "it waits for the connection's own writes to reach the AOF, and blocks it meanwhile" },
  readonly: { scope: 'session', reason: 'it switches the connection to replica reads for every view' },
  readwrite: { scope: 'session', reason: 'it switches the connection back from replica reads for every view' },
  asking: { scope: 'session', reason: "it applies to the next command on the connection, which may be another view's" },
  'client|tracking': { scope: 'session', reason: "it tracks the keys every view reads on the connection, other namespaces' included" },
  'client|caching': { scope: 'session', reason: "it applies to the next command on the connection, which may be another view's" },
  'client|no-evict': { scope: 'session', reason: 'it changes eviction for every view of the connection' },
  'client|no-touch': { scope: 'session', reason: 'it changes LRU/LFU touching for every view of the connection' },
  'client|setname': { scope: 'session', reason: 'it renames the connection every view shares' },
  'client|setinfo': { scope: 'session', reason: 'it changes the library name every view of the connection reports' },
  'client|info': { scope: 'session', reason: "it describes the shared connection: its name, flags, subscriptions and watches are every view's" },
  'client|trackinginfo': { scope: 'session', reason: "it shows the tracking state every view of the connection shares" },
  'client|getredir': { scope: 'session', reason: "it shows the tracking state every view of the connection shares" },
  // Closing.
  quit: { scope: 'close', reason: 'it would close the connection every view shares' },
};

const SCOPES: ReadonlyMap<string, ConnectionScope> = new Map(Object.entries(CONNECTION_SCOPE_REASONS).map(([name, { scope }]) => [name, scope]));

/** Commands whose scope depends on their arguments: XREAD and XREADGROUP block only with BLOCK. */
const BLOCKING_WITH_OPTION = new Set(['xread', 'xreadgroup']);

/**
 * Spellings already looked up. Adapters ask for every command they send and lower-casing each
 * name showed in profiles; names come from a small vocabulary, bounded all the same.
 */
const byName = new Map<string, ConnectionScope | 'client' | 'option'>();
const MAX_SPELLINGS = 2048;

function scopeOfName(name: string): ConnectionScope | 'client' | 'option' {
  let scope = byName.get(name);
  if (scope !== undefined) return scope;
  const lower = name.toLowerCase();
  scope = lower === 'client' ? 'client' : BLOCKING_WITH_OPTION.has(lower) ? 'option' : (SCOPES.get(lower) ?? 'shared');
  if (byName.size < MAX_SPELLINGS) byName.set(name, scope);
  return scope;
}

/**
 * The {@link ConnectionScope} of one command: `name` as the driver has it (any case, a Buffer
 * allowed), `args` the arguments after the name (for CLIENT, the subcommand first).
 *
 * @example
 * ```ts
 * connectionScope('GET', ['k']);                                  // 'shared'
 * connectionScope('xread', ['BLOCK', '0', 'STREAMS', 's', '$']);  // 'blocking'
 * connectionScope('client', ['TRACKING', 'on']);                  // 'session'
 * ```
 */
export function connectionScope(name: unknown, args: readonly unknown[]): ConnectionScope {
  const scope = scopeOfName(typeof name === 'string' ? name : String(name));
  if (scope === 'client') {
    const sub = args[0];
    return sub === undefined ? 'shared' : (SCOPES.get(`client|${String(sub).toLowerCase()}`) ?? 'shared');
  }
  if (scope === 'option') {
    return blockTimeMs(String(name).toLowerCase(), args as readonly RedisArg[]) === undefined ? 'shared' : 'blocking';
  }
  return scope;
}

/**
 * The reason a command has its {@link ConnectionScope}, for messages; `undefined` for `shared`.
 *
 * @example
 * ```ts
 * connectionScopeReason('client', ['tracking', 'on']); // "it tracks the keys every view reads ..."
 * ```
 */
export function connectionScopeReason(name: unknown, args: readonly unknown[]): string | undefined {
  const lower = String(name).toLowerCase();
  const key = lower === 'client' && args[0] !== undefined ? `client|${String(args[0]).toLowerCase()}` : lower;
  return CONNECTION_SCOPE_REASONS[key]?.reason;
}
