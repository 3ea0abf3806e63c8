import { IsolationConfigError, type NamespaceGuard } from '../../core/index.js';
import type { Instrumentation } from '../../instrument/instrumentation.js';
import { isolationInfo } from '../isolation-info.js';
import { monitorRefusal } from '../refusals.js';
import { bindReceiver } from './command-methods.js';

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
export function describeIsolation(view: object, guard: NamespaceGuard, instr: Instrumentation): void {
  defineOwn(view, 'isolation', isolationInfo(guard, instr));
}

/** `duplicate()` makes a new client (a new connection): it comes back isolated, with the same guard. */
export function isolateDuplicate(view: object, client: Record<string, unknown>, isolate: (duplicate: never) => unknown): void {
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
export function deriveWithCommandOptions(view: object): void {
  for (const name of OPTION_METHODS) {
    const method = (view as Record<string, unknown>)[name];
    if (typeof method !== 'function') continue;
    defineOwn(view, name, function (this: unknown, ...args: unknown[]) {
      const result = (method as (...a: unknown[]) => { _commandOptions?: unknown }).apply(this, args);
      // node-redis 6's withTypeMapping() calls _commandOptionsProxy(), which is already the view's.
      if (derivedViews.has(result)) return result;
      const derived = Object.create(view) as object;
      defineOwn(derived, '_commandOptions', result._commandOptions);
      bindReceiver(derived);
      derivedViews.add(derived);
      return derived;
    });
  }
}

const derivedViews = new WeakSet<object>();

/** MONITOR would stream every namespace's commands. */
export function refuseMonitor(view: object, guard: NamespaceGuard, instr: Instrumentation): void {
  const refuse = (): Promise<never> => Promise.reject(instr.rejected(monitorRefusal(guard)));
  defineOwn(view, 'MONITOR', refuse);
  defineOwn(view, 'monitor', refuse);
}
