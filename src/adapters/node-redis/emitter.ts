import type { NamespaceGuard } from '../../core/index.js';

type Listener = (...args: unknown[]) => void;
type Event = string | symbol;
type EmitterMethod = (this: unknown, ...args: unknown[]) => unknown;

const ADDERS = ['on', 'addListener', 'prependListener'] as const;
const ONCE_ADDERS = { once: 'on', prependOnceListener: 'prependListener' } as const;
const REMOVERS = ['off', 'removeListener'] as const;
const READERS = ['emit', 'listeners', 'rawListeners', 'listenerCount', 'eventNames', 'getMaxListeners', 'setMaxListeners'] as const;

/**
 * Events that name keys of every namespace: `invalidate` (node-redis 6 `emitInvalidate`, RESP3
 * tracking on the client) reports each key the server invalidates on the connection, other
 * namespaces' included. A view's listener hears only its namespace's keys (un-prefixed in prefix
 * mode) and `null` (everything was invalidated).
 */
const KEY_EVENTS = new Set<Event>(['invalidate']);


/**
 * A view's EventEmitter methods act on the client (`error`, `ready`, `reconnecting`...): called
 * on the view itself, Node's EventEmitter would split its state between the view and the client.
 * The view remembers what it added, so `off`, `removeListener` and `removeAllListeners` on a view
 * remove only the view's own listeners, never another view's or the client's, and `listeners()`
 * lists only those.
 */
export function delegateEmitter(view: Record<string, unknown>, client: Record<string, unknown>, guard: NamespaceGuard): void {
  /** [event, the listener the caller gave, what was registered on the client for it] */
  const added: Array<[Event, Listener, Listener]> = [];
  const define = (name: string, value: unknown): void => {
    Object.defineProperty(view, name, { value, writable: true, configurable: true, enumerable: false });
  };
  const call = (name: string, args: unknown[]): unknown => {
    const result = (client[name] as EmitterMethod).apply(client, args);
    return result === client ? view : result;
  };
  const isOwn = (event: Event, args: readonly unknown[]): boolean => !KEY_EVENTS.has(event) || args[0] === null || guard.carriesPrefix(args[0]);
  const deliver = (event: Event, listener: Listener): Listener =>
    KEY_EVENTS.has(event) ? (...args) => (args[0] === null ? listener(...args) : listener(guard.unprefixKey(args[0] as string | Buffer), ...args.slice(1))) : listener;
  const forget = (event: Event, listener: Listener): Listener | undefined => {
    const index = added.findIndex(([e, l]) => e === event && l === listener);
    if (index === -1) return undefined;
    return added.splice(index, 1)[0]?.[2];
  };

  for (const name of ADDERS) {
    if (typeof client[name] !== 'function') continue;
    define(name, (event: Event, listener: Listener) => {
      const send = deliver(event, listener);
      const actual: Listener = KEY_EVENTS.has(event) ? (...args) => void (isOwn(event, args) && send(...args)) : listener;
      added.push([event, listener, actual]);
      return call(name, [event, actual]);
    });
  }
  // A once listener is used up by an event of the view's own only: another namespace's key passes it by.
  for (const [name, adder] of Object.entries(ONCE_ADDERS)) {
    if (typeof client[name] !== 'function') continue;
    define(name, (event: Event, listener: Listener) => {
      const send = deliver(event, listener);
      const actual: Listener = (...args) => {
        if (!isOwn(event, args)) return;
        forget(event, listener);
        (client.removeListener as EmitterMethod).call(client, event, actual);
        send(...args);
      };
      added.push([event, listener, actual]);
      return call(adder, [event, actual]);
    });
  }
  // A view removes only the listeners it added: another view's (or the client's) stay.
  for (const name of REMOVERS) {
    if (typeof client[name] !== 'function') continue;
    define(name, (event: Event, listener: Listener) => {
      const actual = forget(event, listener);
      return actual === undefined ? view : call(name, [event, actual]);
    });
  }
  for (const name of READERS) {
    if (typeof client[name] === 'function') define(name, (...args: unknown[]) => call(name, args));
  }
  // The listeners a view lists are its own (as the caller gave them): another view's, called
  // directly, would receive whatever the caller passes, another namespace's keys included.
  for (const name of ['listeners', 'rawListeners']) {
    if (typeof client[name] === 'function') define(name, (event: Event) => added.filter(([e]) => e === event).map(([, listener]) => listener));
  }
  // An event a view emits is its namespace's: the key of a key event is named as the view names
  // keys (prefixed, another namespace's refused), so it reaches only the namespace's listeners.
  if (typeof client.emit === 'function') {
    define('emit', (event: Event, ...args: unknown[]) => {
      if (KEY_EVENTS.has(event) && args[0] !== null && args[0] !== undefined) args[0] = guard.prefixKey(args[0] as string | Buffer);
      return call('emit', [event, ...args]);
    });
  }
  define('removeAllListeners', (event?: Event) => {
    for (let i = added.length - 1; i >= 0; i--) {
      const [e, , actual] = added[i] as [Event, Listener, Listener];
      if (event !== undefined && e !== event) continue;
      added.splice(i, 1);
      (client.removeListener as EmitterMethod).call(client, e, actual);
    }
    return view;
  });
}
