import { BlockedCommandError, IsolationConfigError, type NamespaceGuard } from '../../core/index.js';
import type { Instrumentation } from '../../instrument/instrumentation.js';
import { isolationInfo } from '../isolation-info.js';
import { monitorRefusal } from '../refusals.js';
import { bindReceiver, hasReceiver } from './command-methods.js';
import { defineEmitter } from './emitter.js';
import { defineOwn, stateOf } from './view-state.js';

/** How a view relates to the client it is made over. */
export interface NodeRedisViewOptions {
  /**
   * The view owns its client (the view `duplicate()` returns, a client the library created):
   * every command runs on it as the raw driver would, and `quit()`/`close()` close it. Without
   * it, the client is shared (other namespaces' views use it, its owner closes it).
   */
  readonly owned?: boolean;
}

export { defineOwn } from './view-state.js';

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

/** The `isolation` property every view carries, made on first access. */
function describeIsolation(base: object): void {
  Object.defineProperty(base, 'isolation', {
    get(this: unknown) {
      const state = stateOf(this);
      const parts = state.own();
      return (parts.isolation ??= isolationInfo(state.guard, state.instr));
    },
    configurable: true,
    enumerable: false,
  });
}

/** `duplicate()` makes a new client (a new connection): it comes back isolated, with the view's guard. */
function isolateDuplicate(base: object, client: Record<string, unknown>, isolate: Isolate): void {
  const duplicate = client.duplicate;
  if (typeof duplicate !== 'function') return;
  defineOwn(base, 'duplicate', function (this: unknown, ...args: unknown[]) {
    const { guard, instr } = stateOf(this);
    return isolate((duplicate as (...a: unknown[]) => never).apply(client, namedInNamespace(guard, instr, args)), guard, instr);
  });
}

/**
 * `duplicate(overrides)` with the connection name (`name`, which node-redis sets with CLIENT
 * SETNAME) in the view's namespace, as CLIENT SETNAME through the view would set it: a name left
 * as given could pass for another namespace's connection in its CLIENT LIST.
 */
function namedInNamespace(guard: NamespaceGuard, instr: Instrumentation, args: unknown[]): unknown[] {
  const overrides = args[0] as { name?: unknown } | undefined;
  if (overrides === null || typeof overrides !== 'object' || typeof overrides.name !== 'string' || overrides.name === '') return args;
  let name: unknown;
  try {
    name = guard.rewrite('client', ['setname', overrides.name], { shape: undefined, keys: 0 })[1];
  } catch (error) {
    throw instr.rejected(error as Error);
  }
  return [{ ...overrides, name }, ...args.slice(1)];
}

const OPTION_METHODS = ['withCommandOptions', 'withTypeMapping', 'withAbortSignal', 'asap', '_commandOptionsProxy'];

/**
 * `withTypeMapping()`, `withCommandOptions()` and friends return the same client with other
 * command options. node-redis's own versions would return a proxy of the raw instance; the view
 * runs them to learn the options they compute (each version its own way: node-redis 6 merges,
 * 5 replaces) and returns a view with those options instead: a derived client never escapes the
 * namespace, and deriving one costs about as little as node-redis's own.
 */
function deriveWithCommandOptions(base: object, client: Record<string, unknown>): void {
  for (const name of OPTION_METHODS) {
    const method = client[name];
    if (typeof method !== 'function') continue;
    defineOwn(base, name, function (this: object, ...args: unknown[]) {
      const result = (method as (...a: unknown[]) => { _commandOptions?: unknown }).apply(this, args);
      // node-redis 6's withTypeMapping() calls _commandOptionsProxy(), which is already the view's.
      if (derivedViews.has(result)) return result;
      const derived = Object.create(this) as object;
      defineOwn(derived, '_commandOptions', result._commandOptions);
      if (hasReceiver(this)) bindReceiver(derived);
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
function refuseConnectionWide(base: object, owned: boolean): void {
  const refuseMonitor = function (this: unknown): Promise<never> {
    const { guard, instr } = stateOf(this);
    return Promise.reject(instr.rejected(monitorRefusal(guard)));
  };
  defineOwn(base, 'MONITOR', refuseMonitor);
  defineOwn(base, 'monitor', refuseMonitor);
  // On a connection of the view's own, RESET resets only the view's state.
  if (owned) return;
  const refuseReset = function (this: unknown): Promise<never> {
    const { guard, instr } = stateOf(this);
    return Promise.reject(
      instr.rejected(
        new BlockedCommandError(
          `RESET is refused in namespace "${guard.namespace}": it would end every namespace's subscriptions and transactions on the shared connection`,
          { command: 'reset', namespace: guard.namespace },
        ),
      ),
    );
  };
  defineOwn(base, 'reset', refuseReset);
  defineOwn(base, 'resetIfDirty', refuseReset);
}

/** Makes the isolated view of a client the library just created (`duplicate()`), with a view's guard. */
export type Isolate = (duplicate: never, guard: NamespaceGuard, instr: Instrumentation) => unknown;

/**
 * What every node-redis view base has besides its executors: MONITOR refused (RESET too, on a
 * shared client), `duplicate()` (when the client has it) and the command-option methods
 * isolated, the emitter methods acting on the client, and `isolation`.
 */
export function completeBase(base: object, client: Record<string, unknown>, owned: boolean, isolate: Isolate): void {
  refuseConnectionWide(base, owned);
  isolateDuplicate(base, client, isolate);
  deriveWithCommandOptions(base, client);
  defineEmitter(base, client);
  describeIsolation(base);
}
