import type { NamespaceGuard } from '../../core/index.js';
import type { IoredisLike } from './internals.js';

type Listener = (...args: unknown[]) => void;
type Emitter = Record<'on' | 'prependListener' | 'removeListener', (event: string | symbol, listener: Listener) => unknown>;

/**
 * The pub/sub events ioredis emits, with the positions of the channel and of the pattern.
 * A view's listener sees only its namespace's messages, with the prefix stripped.
 */
const MESSAGE_EVENTS: Readonly<Record<string, { readonly channel: number; readonly pattern?: number }>> = {
  message: { channel: 0 },
  messageBuffer: { channel: 0 },
  smessage: { channel: 0 },
  smessageBuffer: { channel: 0 },
  pmessage: { pattern: 0, channel: 1 },
  pmessageBuffer: { pattern: 0, channel: 1 },
};

const startsWith = (name: unknown, prefix: string): boolean =>
  typeof name === 'string' ? name.startsWith(prefix) : Buffer.isBuffer(name) && name.subarray(0, Buffer.byteLength(prefix)).equals(Buffer.from(prefix));

/**
 * Gives `view` its own `on`/`once`/`off` family: listeners are registered on the shared client,
 * and message listeners through a wrapper that drops other namespaces' messages and strips the
 * prefix from channel and pattern. Other events reach the listener unchanged.
 */
export function isolatePubSubEvents(view: Record<string, unknown>, client: IoredisLike, guard: NamespaceGuard): void {
  const emitter = client as unknown as Emitter;
  /** listener -> event -> what was registered on the client for it */
  const registered = new Map<Listener, Map<string | symbol, Listener>>();

  const filtered = (event: string | symbol, listener: Listener): Listener => {
    const spec = typeof event === 'string' ? MESSAGE_EVENTS[event] : undefined;
    if (!spec || guard.mode === 'strict') return listener;
    return (...args) => {
      const own = spec.pattern === undefined ? startsWith(args[spec.channel], guard.prefix) : startsWith(args[spec.pattern], guard.patternPrefix);
      if (!own) return;
      const out = [...args];
      out[spec.channel] = guard.unprefixKey(args[spec.channel] as string | Buffer);
      if (spec.pattern !== undefined) out[spec.pattern] = guard.unprefixPattern(args[spec.pattern] as string | Buffer);
      listener(...out);
    };
  };

  const remove = (event: string | symbol, listener: Listener): void => {
    const actual = registered.get(listener)?.get(event);
    emitter.removeListener.call(client, event, actual ?? listener);
    registered.get(listener)?.delete(event);
  };

  const add = (event: string | symbol, listener: Listener, method: 'on' | 'prependListener', once: boolean): unknown => {
    const deliver = filtered(event, listener);
    const actual: Listener = once
      ? (...args) => {
          remove(event, listener);
          deliver(...args);
        }
      : deliver;
    let byEvent = registered.get(listener);
    if (!byEvent) registered.set(listener, (byEvent = new Map()));
    byEvent.set(event, actual);
    emitter[method].call(client, event, actual);
    return view;
  };

  const define = (name: string, fn: (event: string | symbol, listener: Listener) => unknown): void => {
    Object.defineProperty(view, name, { value: fn, writable: true, configurable: true, enumerable: false });
  };
  define('on', (event, listener) => add(event, listener, 'on', false));
  define('addListener', (event, listener) => add(event, listener, 'on', false));
  define('prependListener', (event, listener) => add(event, listener, 'prependListener', false));
  define('once', (event, listener) => add(event, listener, 'on', true));
  define('prependOnceListener', (event, listener) => add(event, listener, 'prependListener', true));
  define('off', (event, listener) => (remove(event, listener), view));
  define('removeListener', (event, listener) => (remove(event, listener), view));
}
