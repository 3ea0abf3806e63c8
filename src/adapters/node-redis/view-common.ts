import { IsolationConfigError, type NamespaceGuard } from '../../core/index.js';
import { monitorRefusal } from '../refusals.js';

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
export function describeIsolation(view: object, guard: NamespaceGuard): void {
  defineOwn(view, 'isolation', { namespace: guard.namespace, prefix: guard.prefix, mode: guard.mode, guard });
}

/**
 * Methods that return another client built from this one (`duplicate()`, `withTypeMapping()`,
 * `withCommandOptions()`...). They run on the client and their result is isolated in turn, with
 * the same guard: a derived client never escapes the namespace.
 */
export function isolateDerivedClients(view: object, client: Record<string, unknown>, wrap: (derived: never) => unknown): void {
  for (const name of ['duplicate', 'withCommandOptions', 'withTypeMapping', 'withAbortSignal', 'asap', '_commandOptionsProxy']) {
    const method = client[name];
    if (typeof method !== 'function') continue;
    defineOwn(view, name, (...args: unknown[]) => wrap((method as (...a: unknown[]) => never).apply(client, args)));
  }
}

/** MONITOR would stream every namespace's commands. */
export function refuseMonitor(view: object, guard: NamespaceGuard): void {
  const refuse = (): Promise<never> => Promise.reject(monitorRefusal(guard));
  defineOwn(view, 'MONITOR', refuse);
  defineOwn(view, 'monitor', refuse);
}
