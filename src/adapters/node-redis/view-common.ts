import { BlockedCommandError, IsolationConfigError, type NamespaceGuard } from '../../core/index.js';
import type { Instrumentation } from '../../instrument/instrumentation.js';
import { isolationInfo } from '../isolation-info.js';
import { monitorRefusal } from '../refusals.js';
import { bindReceiver, hasReceiver } from './command-methods.js';
import { delegateEmitter } from './emitter.js';

/** How a view relates to the client it is made over. */
export interface NodeRedisViewOptions {
  /**
   * The view owns its client (the view `duplicate()` returns, a client the library created):
   * every command runs on it as the raw driver would, and `quit()`/`close()` close it. Without
   * it, the client is shared (other namespaces' views use it, its owner closes it).
   */
  readonly owned?: boolean;
}

/** Defines an own, non-enumerable property of a view. */
export function defineOwn(view: object, name: string, value: unknown): void {
  Object.defineProperty(view, name, { value, writable: true, configurable: true, enumerable: false });
}

/**
 * Refuses what cannot be isolated: a client with node-redis's own `keyPrefix` (it prefixes keys
 * but leaves patterns, channels, raw commands and replies alone, and would double-prefix), and a
 * client that is already an isolated view.
 */
export function assertWrappable(client: Record<string, unknown>): void {
  const existing = client.isolation as { namespace?: string } | undefined;
  if (existing) {
    throw new IsolationConfigError(
      `the client is already isolated in namespace "${existing.namespace}"; wrap the raw client instead (views share its connection)`,
    );
  }
  const keyPrefix = client._keyPrefix;
  if (keyPrefix !== undefined && keyPrefix !== null && String(keyPrefix).length > 0) {
    throw new IsolationConfigError(
      `the client has node-redis's own keyPrefix ${JSON.stringify(String(keyPrefix))}; remove it: isolated-redis prefixes keys itself, ` +
        'patterns, channels and replies included',
    );
  }
}

/** The `isolation` property every view carries. */
function describeIsolation(view: object, guard: NamespaceGuard, instr: Instrumentation): void {
  defineOwn(view, 'isolation', isolationInfo(guard, instr));
}

/** `duplicate()` makes a new client (a new connection): it comes back isolated, with the same guard. */
function isolateDuplicate(view: object, client: Record<string, unknown>, isolate: (duplicate: never) => unknown): void {
  const duplicate = client.duplicate;
  if (typeof duplicate !== 'function') return;
  defineOwn(view, 'duplicate', (...args: unknown[]) => isolate((duplicate as (...a: unknown[]) => never).apply(client, args)));
}

const OPTION_METHODS = ['withCommandOptions', 'withTypeMapping', 'withAbortSignal', 'asap', '_commandOptionsProxy'];

/**
 * `withTypeMapping()`, `withCommandOptions()` and friends return the same client with other
 * command options. node-redis's own versions would return a proxy of the raw instance; the view
 * runs them to learn the options they compute (each version its own way: node-redis 6 merges,
 * 5 replaces) and returns a view with those options instead: a derived client never escapes the
 * namespace, and deriving one costs about as little as node-redis's own.
 */
function deriveWithCommandOptions(view: object): void {
  for (const name of OPTION_METHODS) {
    const method = (view as Record<string, unknown>)[name];
    if (typeof method !== 'function') continue;
    defineOwn(view, name, function (this: unknown, ...args: unknown[]) {
      const result = (method as (...a: unknown[]) => { _commandOptions?: unknown }).apply(this, args);
      // node-redis 6's withTypeMapping() calls _commandOptionsProxy(), which is already the view's.
      if (derivedViews.has(result)) return result;
      const derived = Object.create(view) as object;
      defineOwn(derived, '_commandOptions', result._commandOptions);
      if (hasReceiver(view)) bindReceiver(derived);
      derivedViews.add(derived);
      return derived;
    });
  }
}

const derivedViews = new WeakSet<object>();

/**
 * MONITOR would stream every namespace's commands; `reset()` sends RESET, which ends every
 * namespace's subscriptions, WATCH and database on the shared connection. node-redis writes both
 * straight to its queue, so the view refuses them itself (RESET only on a shared connection).
 */
function refuseConnectionWide(view: object, guard: NamespaceGuard, instr: Instrumentation, owned: boolean): void {
  const refuseMonitor = (): Promise<never> => Promise.reject(instr.rejected(monitorRefusal(guard)));
  defineOwn(view, 'MONITOR', refuseMonitor);
  defineOwn(view, 'monitor', refuseMonitor);
  // On a connection of the view's own, RESET resets only the view's state.
  if (owned) return;
  const refuseReset = (): Promise<never> =>
    Promise.reject(
      instr.rejected(
        new BlockedCommandError(
          `RESET is refused in namespace "${guard.namespace}": it would end every namespace's subscriptions and transactions on the shared connection`,
          { command: 'reset', namespace: guard.namespace },
        ),
      ),
    );
  defineOwn(view, 'reset', refuseReset);
  defineOwn(view, 'resetIfDirty', refuseReset);
}

/** `create`, called once per key object and remembered for as long as the key lives. */
export function memoizeByObject<K extends object, V>(create: (key: K) => V): (key: K) => V {
  const made = new WeakMap<K, V>();
  return (key) => {
    let value = made.get(key);
    if (value === undefined) {
      value = create(key);
      made.set(key, value);
    }
    return value;
  };
}

/**
 * What every node-redis view has besides its executors: MONITOR refused, `duplicate()` (when
 * the client has it) and the command-option methods isolated, the emitter methods acting on the
 * client, and `isolation`.
 */
export function completeView(
  view: Record<string, unknown>,
  client: Record<string, unknown>,
  guard: NamespaceGuard,
  instr: Instrumentation,
  isolate: (duplicate: never) => unknown,
  options: NodeRedisViewOptions = {},
): void {
  refuseConnectionWide(view, guard, instr, options.owned === true);
  isolateDuplicate(view, client, isolate);
  deriveWithCommandOptions(view);
  delegateEmitter(view, client, guard);
  describeIsolation(view, guard, instr);
}
