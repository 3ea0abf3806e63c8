import type { NamespaceGuard } from '../../core/index.js';
import type { IoredisLike } from './internals.js';

type Listener = (...args: unknown[]) => void;

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

const startsWith = (name: unknown, prefix: string, bytes: Buffer): boolean =>
  typeof name === 'string' ? name.startsWith(prefix) : Buffer.isBuffer(name) && name.subarray(0, bytes.length).equals(bytes);

/**
 * Installs `on`/`once`/`off`-style methods on `view` that register message listeners on the
 * shared client through a filtering, un-prefixing wrapper; other events pass through unchanged.
 */
export function isolatePubSubEvents(view: Record<string, unknown>, client: IoredisLike, guard: NamespaceGuard): void {
  const wrappers = new Map<Listener, Map<string | symbol, Listener>>();
  const prefixBytes = Buffer.from(guard.prefix);
  const patternBytes = Buffer.from(guard.patternPrefix);

  const wrap = (event: string | symbol, listener: Listener): Listener => {
    const spec = typeof event === 'string' ? MESSAGE_EVENTS[event] : undefined;
    if (!spec || guard.mode === 'strict') return listener;
    let byEvent = wrappers.get(listener);
    if (!byEvent) wrappers.set(listener, (byEvent = new Map()));
    const existing = byEvent.get(event);
    if (existing) return existing;
    const wrapped: Listener = (...args) => {
      const filterOn = spec.pattern ?? spec.channel;
      const own = spec.pattern === undefined ? startsWith(args[filterOn], guard.prefix, prefixBytes) : startsWith(args[filterOn], guard.patternPrefix, patternBytes);
      if (!own) return;
      const out = [...args];
      out[spec.channel] = guard.unprefixKey(args[spec.channel] as string | Buffer);
      if (spec.pattern !== undefined) out[spec.pattern] = guard.unprefixPattern(args[spec.pattern] as string | Buffer);
      listener(...out);
    };
    byEvent.set(event, wrapped);
    return wrapped;
  };
  const unwrap = (event: string | symbol, listener: Listener): Listener => wrappers.get(listener)?.get(event) ?? listener;

  const emitterMethods = ['on', 'addListener', 'prependListener'] as const;
  for (const method of emitterMethods) {
    view[method] = function (event: string | symbol, listener: Listener) {
      (client as unknown as Record<string, (e: string | symbol, l: Listener) => unknown>)[method]?.call(client, event, wrap(event, listener));
      return view;
    };
  }
  for (const method of ['once', 'prependOnceListener'] as const) {
    view[method] = function (event: string | symbol, listener: Listener) {
      const once: Listener = (...args) => {
        (view.off as (e: string | symbol, l: Listener) => unknown)(event, listener);
        listener(...args);
      };
      wrappers.set(listener, wrappers.get(listener) ?? new Map());
      const wrapped = wrap(event, once);
      wrappers.get(listener)?.set(event, wrapped);
      (client as unknown as Record<string, (e: string | symbol, l: Listener) => unknown>)[method === 'once' ? 'on' : 'prependListener']?.call(client, event, wrapped);
      return view;
    };
  }
  for (const method of ['off', 'removeListener'] as const) {
    view[method] = function (event: string | symbol, listener: Listener) {
      client.removeListener(event, unwrap(event, listener));
      wrappers.get(listener)?.delete(event);
      return view;
    };
  }
}
