type Listener = (...args: unknown[]) => void;
type Event = string | symbol;
type EmitterMethod = (this: unknown, ...args: unknown[]) => unknown;

const ADDERS = ['on', 'addListener', 'once', 'prependListener', 'prependOnceListener'] as const;
const REMOVERS = ['off', 'removeListener'] as const;
const READERS = ['emit', 'listeners', 'rawListeners', 'listenerCount', 'eventNames', 'getMaxListeners', 'setMaxListeners'] as const;

/**
 * A view's EventEmitter methods act on the client (`error`, `ready`, `reconnecting`...): called
 * on the view itself, Node's EventEmitter would split its state between the view and the client.
 * The view remembers what it added, so `removeAllListeners` on a view removes only the view's own
 * listeners, never another view's or the client's.
 */
export function delegateEmitter(view: Record<string, unknown>, client: Record<string, unknown>): void {
  const added: Array<[Event, Listener]> = [];
  const define = (name: string, value: unknown): void => {
    Object.defineProperty(view, name, { value, writable: true, configurable: true, enumerable: false });
  };
  const call = (name: string, args: unknown[]): unknown => {
    const result = (client[name] as EmitterMethod).apply(client, args);
    return result === client ? view : result;
  };

  for (const name of ADDERS) {
    if (typeof client[name] !== 'function') continue;
    define(name, (event: Event, listener: Listener) => {
      added.push([event, listener]);
      return call(name, [event, listener]);
    });
  }
  for (const name of REMOVERS) {
    if (typeof client[name] !== 'function') continue;
    define(name, (event: Event, listener: Listener) => {
      const index = added.findIndex(([e, l]) => e === event && l === listener);
      if (index !== -1) added.splice(index, 1);
      return call(name, [event, listener]);
    });
  }
  for (const name of READERS) {
    if (typeof client[name] === 'function') define(name, (...args: unknown[]) => call(name, args));
  }
  define('removeAllListeners', (event?: Event) => {
    for (let i = added.length - 1; i >= 0; i--) {
      const [e, listener] = added[i] as [Event, Listener];
      if (event !== undefined && e !== event) continue;
      added.splice(i, 1);
      // `once` wraps the listener; removeListener finds it by the original.
      (client.removeListener as EmitterMethod).call(client, e, listener);
    }
    return view;
  });
}
