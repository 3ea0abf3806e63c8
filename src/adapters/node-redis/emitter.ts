import type { NamespaceGuard } from '../../core/index.js';
import { defineOwn, stateOf } from './view-state.js';

type Listener = (...args: unknown[]) => void;
type Event = string | symbol;
type EmitterMethod = (this: unknown, ...args: unknown[]) => unknown;

const ADDERS = ['on', 'addListener', 'prependListener'] as const;
const ONCE_ADDERS = { once: 'on', prependOnceListener: 'prependListener' } as const;
const REMOVERS = ['off', 'removeListener'] as const;
const READERS = ['listenerCount', 'eventNames', 'getMaxListeners', 'setMaxListeners'] as const;

/**
 * Events that name keys of every namespace: `invalidate` (node-redis 6 `emitInvalidate`, RESP3
 * tracking on the client) reports each key the server invalidates on the connection, other
 * namespaces' included. A view's listener hears only its namespace's keys (un-prefixed in prefix
 * mode) and `null` (everything was invalidated).
 */
const KEY_EVENTS = new Set<Event>(['invalidate']);

/** The listeners one view added to the client: `[event, the listener the caller gave, what was registered on the client for it]`. */
export type ViewListeners = Array<[Event, Listener, Listener]>;

const isOwn = (guard: NamespaceGuard, event: Event, args: readonly unknown[]): boolean => !KEY_EVENTS.has(event) || args[0] === null || guard.carriesPrefix(args[0]);

const deliver = (guard: NamespaceGuard, event: Event, listener: Listener): Listener =>
  KEY_EVENTS.has(event) ? (...args) => (args[0] === null ? listener(...args) : listener(guard.unprefixKey(args[0] as string | Buffer), ...args.slice(1))) : listener;

function forget(added: ViewListeners | undefined, event: Event, listener: Listener): Listener | undefined {
  const index = added?.findIndex(([e, l]) => e === event && l === listener) ?? -1;
  if (index === -1) return undefined;
  return added?.splice(index, 1)[0]?.[2];
}

/**
 * A view's EventEmitter methods act on the client (`error`, `ready`, `reconnecting`...): called
 * on the view itself, Node's EventEmitter would split its state between the view and the client.
 * The view remembers what it added (created on its first listener: a view that adds none costs
 * nothing, and leaves nothing on the client), so `off`, `removeListener` and
 * `removeAllListeners` on a view remove only the view's own listeners, never another view's or
 * the client's, and `listeners()` lists only those. Defined once on the base of the client's views.
 */
export function defineEmitter(base: object, client: Record<string, unknown>): void {
  const call = (receiver: unknown, name: string, args: unknown[]): unknown => {
    const result = (client[name] as EmitterMethod).apply(client, args);
    return result === client ? receiver : result;
  };

  for (const name of ADDERS) {
    if (typeof client[name] !== 'function') continue;
    defineOwn(base, name, function (this: unknown, event: Event, listener: Listener) {
      const state = stateOf(this);
      const { guard } = state;
      const send = deliver(guard, event, listener);
      const actual: Listener = KEY_EVENTS.has(event) ? (...args) => void (isOwn(guard, event, args) && send(...args)) : listener;
      (state.own().listeners ??= []).push([event, listener, actual]);
      return call(this, name, [event, actual]);
    });
  }
  // A once listener is used up by an event of the view's own only: another namespace's key passes it by.
  for (const [name, adder] of Object.entries(ONCE_ADDERS)) {
    if (typeof client[name] !== 'function') continue;
    defineOwn(base, name, function (this: unknown, event: Event, listener: Listener) {
      const state = stateOf(this);
      const { guard } = state;
      const send = deliver(guard, event, listener);
      const added = (state.own().listeners ??= []);
      const actual: Listener = (...args) => {
        if (!isOwn(guard, event, args)) return;
        forget(added, event, listener);
        (client.removeListener as EmitterMethod).call(client, event, actual);
        send(...args);
      };
      added.push([event, listener, actual]);
      return call(this, adder, [event, actual]);
    });
  }
  // A view removes only the listeners it added: another view's (or the client's) stay.
  for (const name of REMOVERS) {
    if (typeof client[name] !== 'function') continue;
    defineOwn(base, name, function (this: unknown, event: Event, listener: Listener) {
      const actual = forget(stateOf(this).parts?.listeners, event, listener);
      return actual === undefined ? this : call(this, name, [event, actual]);
    });
  }
  for (const name of READERS) {
    if (typeof client[name] === 'function') defineOwn(base, name, function (this: unknown, ...args: unknown[]) {
      return call(this, name, args);
    });
  }
  // The listeners a view lists are its own (as the caller gave them): another view's, called
  // directly, would receive whatever the caller passes, another namespace's keys included.
  for (const name of ['listeners', 'rawListeners']) {
    if (typeof client[name] === 'function') defineOwn(base, name, function (this: unknown, event: Event) {
      return (stateOf(this).parts?.listeners ?? []).filter(([e]) => e === event).map(([, listener]) => listener);
    });
  }
  // An event a view emits reaches the view's own listeners only: another namespace's would receive
  // whatever it passes (a forged error, a ready), and the client's `end` closes what every view
  // opened. The key of a key event is named as the view names keys (prefixed, another's refused).
  if (typeof client.emit === 'function') {
    defineOwn(base, 'emit', function (this: unknown, event: Event, ...args: unknown[]) {
      const state = stateOf(this);
      if (KEY_EVENTS.has(event) && args[0] !== null && args[0] !== undefined) args[0] = state.guard.prefixKey(args[0] as string | Buffer);
      const own = (state.parts?.listeners ?? []).filter(([registered]) => registered === event).map(([, , actual]) => actual);
      for (const actual of own) actual(...args);
      return own.length > 0;
    });
  }
  defineOwn(base, 'removeAllListeners', function (this: unknown, event?: Event) {
    const added = stateOf(this).parts?.listeners;
    for (let i = (added?.length ?? 0) - 1; i >= 0; i--) {
      const [e, , actual] = (added as ViewListeners)[i] as [Event, Listener, Listener];
      if (event !== undefined && e !== event) continue;
      added?.splice(i, 1);
      (client.removeListener as EmitterMethod).call(client, e, actual);
    }
    return this;
  });
}
