import type { EventEmitter } from 'node:events';
import type { NamespaceGuard } from '../../core/index.js';
import type { IoredisLike } from './internals.js';

type Listener = (...args: unknown[]) => void;
type Event = string | symbol;
type Emitter = Record<'on' | 'prependListener' | 'removeListener', (event: Event, listener: Listener) => unknown>;

/**
 * The pub/sub events ioredis emits, with the positions of the channel and of the pattern.
 * A view's listener sees only its namespace's messages; in prefix mode without the prefix.
 */
const MESSAGE_EVENTS: Readonly<Record<string, { readonly channel: number; readonly pattern?: number }>> = {
  message: { channel: 0 },
  messageBuffer: { channel: 0 },
  smessage: { channel: 0 },
  smessageBuffer: { channel: 0 },
  pmessage: { pattern: 0, channel: 1 },
  pmessageBuffer: { pattern: 0, channel: 1 },
};

/**
 * Relays every message event of `connection` (a view's own subscriber connection) to `messages`,
 * the emitter the view's message listeners hear (see {@link isolatePubSubEvents}).
 */
export function relayMessageEvents(connection: { on(event: string, listener: (...args: unknown[]) => void): unknown }, messages: EventEmitter): void {
  for (const event of Object.keys(MESSAGE_EVENTS)) connection.on(event, (...args) => messages.emit(event, ...args));
}

/** A view's own `on`/`once`/`off`/`removeAllListeners` family (see {@link createViewEvents}). */
export interface ViewEvents {
  on(event: Event, listener: Listener): unknown;
  addListener(event: Event, listener: Listener): unknown;
  prependListener(event: Event, listener: Listener): unknown;
  once(event: Event, listener: Listener): unknown;
  prependOnceListener(event: Event, listener: Listener): unknown;
  off(event: Event, listener: Listener): unknown;
  removeListener(event: Event, listener: Listener): unknown;
  removeAllListeners(event?: Event): unknown;
  /** Calls the view's own listeners of `event` only: an event a view emits never reaches another namespace's listeners. */
  emit(event: Event, ...args: unknown[]): boolean;
  /** The view's own listeners of `event`, as it gave them. */
  listeners(event: Event): Listener[];
  rawListeners(event: Event): Listener[];
  listenerCount(event: Event): number;
}

/** A view's listener-adding and -removing methods (its own `on`/`once`/`off` family). */
export const VIEW_EVENT_METHODS = ['on', 'addListener', 'prependListener', 'once', 'prependOnceListener', 'off', 'removeListener', 'removeAllListeners'] as const;

/**
 * Gives `view` its own `on`/`once`/`off`/`removeAllListeners` family (see {@link createViewEvents}).
 */
export function isolatePubSubEvents(view: Record<string, unknown>, client: IoredisLike, guard: NamespaceGuard, messages?: object): void {
  const events = createViewEvents(view, client, guard, messages === undefined ? undefined : () => messages);
  for (const name of VIEW_EVENT_METHODS) {
    Object.defineProperty(view, name, { value: events[name], writable: true, configurable: true, enumerable: false });
  }
}

/**
 * A view's own `on`/`once`/`off`/`removeAllListeners` family. Listeners are registered on the
 * client, except message listeners when `messages` is given: those hear `messages()` (where the
 * view's messages are emitted: the relay of its subscriber connection, or its emitter on the
 * client's shared subscriber). Message listeners go through a wrapper that drops other
 * namespaces' messages and, in prefix mode, strips the prefix from channel and pattern. Each
 * view keeps track of what it registered, so removing a view's listeners never touches another
 * view's or the client's. The methods return `view`.
 */
export function createViewEvents(view: object, client: IoredisLike, guard: NamespaceGuard, messages?: () => object): ViewEvents {
  const emitter = client as unknown as Emitter;
  /** Where a listener of `event` is registered: the relay for message events, when there is one. */
  const targetOf = (event: Event): object => (messages !== undefined && typeof event === 'string' && event in MESSAGE_EVENTS ? messages() : client);
  /** listener -> event -> what was registered on the client for it, oldest first */
  const registered = new Map<Listener, Map<Event, Listener[]>>();
  const strip = guard.mode === 'prefix';

  /** Whether an event is the view's: any event but another namespace's message. */
  const isOwn = (event: Event, args: readonly unknown[]): boolean => {
    const spec = typeof event === 'string' ? MESSAGE_EVENTS[event] : undefined;
    if (!spec) return true;
    return spec.pattern === undefined ? guard.carriesPrefix(args[spec.channel]) : guard.carriesPrefix(args[spec.pattern], 'pattern');
  };

  const filtered = (event: Event, listener: Listener): Listener => {
    const spec = typeof event === 'string' ? MESSAGE_EVENTS[event] : undefined;
    if (!spec) return listener;
    return (...args) => {
      if (!isOwn(event, args)) return;
      if (!strip) return listener(...args);
      const out = [...args];
      out[spec.channel] = guard.unprefixKey(args[spec.channel] as string | Buffer);
      if (spec.pattern !== undefined) out[spec.pattern] = guard.unprefixPattern(args[spec.pattern] as string | Buffer);
      listener(...out);
    };
  };

  const forget = (event: Event, listener: Listener, actual?: Listener): Listener | undefined => {
    const list = registered.get(listener)?.get(event);
    if (!list || list.length === 0) return undefined;
    const index = actual === undefined ? list.length - 1 : list.indexOf(actual);
    if (index === -1) return undefined;
    const [removed] = list.splice(index, 1);
    return removed;
  };

  const remove = (event: Event, listener: Listener): void => {
    const actual = forget(event, listener);
    if (actual) emitter.removeListener.call(targetOf(event), event, actual);
  };

  const add = (event: Event, listener: Listener, method: 'on' | 'prependListener', once: boolean): unknown => {
    const deliver = filtered(event, listener);
    // A once listener is used up by the view's own message only: other namespaces' messages on
    // the shared connection pass it by.
    const actual: Listener = once
      ? (...args) => {
          if (!isOwn(event, args)) return;
          forget(event, listener, actual);
          emitter.removeListener.call(targetOf(event), event, actual);
          deliver(...args);
        }
      : deliver;
    let byEvent = registered.get(listener);
    if (!byEvent) registered.set(listener, (byEvent = new Map()));
    byEvent.set(event, [...(byEvent.get(event) ?? []), actual]);
    emitter[method].call(targetOf(event), event, actual);
    return view;
  };

  const ownListeners = (event: Event): Listener[] =>
    [...registered].flatMap(([listener, byEvent]) => (byEvent.get(event) ?? []).map(() => listener));

  const removeAll = (event?: Event): unknown => {
    for (const [listener, byEvent] of registered) {
      for (const [registeredEvent, list] of byEvent) {
        if (event !== undefined && registeredEvent !== event) continue;
        for (const actual of list) emitter.removeListener.call(targetOf(registeredEvent), registeredEvent, actual);
        byEvent.delete(registeredEvent);
      }
      if (byEvent.size === 0) registered.delete(listener);
    }
    return view;
  };

  return {
    on: (event, listener) => add(event, listener, 'on', false),
    addListener: (event, listener) => add(event, listener, 'on', false),
    prependListener: (event, listener) => add(event, listener, 'prependListener', false),
    once: (event, listener) => add(event, listener, 'on', true),
    prependOnceListener: (event, listener) => add(event, listener, 'prependListener', true),
    off: (event, listener) => (remove(event, listener), view),
    removeListener: (event, listener) => (remove(event, listener), view),
    removeAllListeners: (event) => removeAll(event),
    emit: (event, ...args) => {
      const actuals = [...registered.values()].flatMap((byEvent) => byEvent.get(event) ?? []);
      for (const actual of actuals) actual(...args);
      return actuals.length > 0;
    },
    listeners: (event) => ownListeners(event),
    rawListeners: (event) => ownListeners(event),
    listenerCount: (event) => ownListeners(event).length,
  };
}
