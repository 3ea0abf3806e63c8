import { BlockedCommandError, MalformedCommandError, type NamespaceGuard, type RedisArg } from '../../core/index.js';
import type { Instrumentation } from '../../instrument/instrumentation.js';

type Listener = (message: unknown, channel: unknown) => unknown;
/** One of node-redis's (un)subscribe methods. */
export type SubscribeMethod = (this: unknown, channels: unknown, listener?: unknown, bufferMode?: unknown) => unknown;

/** node-redis's pub/sub methods, their listener-map type, and the command the guard checks them as. */
const METHODS = [
  { names: ['SUBSCRIBE', 'subscribe'], command: 'subscribe', type: 'CHANNELS', unsubscribe: false },
  { names: ['PSUBSCRIBE', 'pSubscribe'], command: 'psubscribe', type: 'PATTERNS', unsubscribe: false },
  { names: ['SSUBSCRIBE', 'sSubscribe'], command: 'ssubscribe', type: 'SHARDED', unsubscribe: false },
  { names: ['UNSUBSCRIBE', 'unsubscribe'], command: 'unsubscribe', type: 'CHANNELS', unsubscribe: true },
  { names: ['PUNSUBSCRIBE', 'pUnsubscribe'], command: 'punsubscribe', type: 'PATTERNS', unsubscribe: true },
  { names: ['SUNSUBSCRIBE', 'sUnsubscribe'], command: 'sunsubscribe', type: 'SHARDED', unsubscribe: true },
] as const;

/** The channels (or patterns) of one type a client is subscribed to, with their listeners. */
export type ListenersOf = (type: 'CHANNELS' | 'PATTERNS' | 'SHARDED') => Map<string, unknown> | undefined;

/**
 * Where a view's subscriptions live: the view's own subscriber connection (client views), or a
 * connection other namespaces' subscriptions share too (a cluster's pub/sub node).
 */
export interface PubSubConnection {
  /**
   * Runs node-redis's method there with the guarded channels; `open: false` (unsubscribing)
   * does not open a connection the view does not have yet, it resolves at once.
   */
  run(receiver: unknown, method: SubscribeMethod, channels: readonly RedisArg[] | undefined, listener: unknown, bufferMode: unknown, open: boolean): unknown;
  /** The subscriptions of one type there (where subscriptions are shared, every namespace's). */
  readonly listeners: ListenersOf;
}

/**
 * Gives `view` its own pub/sub methods (node-redis sends them past `sendCommand`, straight to its
 * queue): channels and patterns go through the guard, and listeners are wrapped so that they
 * receive the channel without the prefix (a pattern listener receives the matching channel, also
 * without it). The wrapped listener is what node-redis stores, so resubscription after a
 * reconnect keeps delivering un-prefixed channels. They run where `where` says: on a client
 * view, its own subscriber connection (a RESP2 connection in subscriber mode takes no other
 * command, and the subscription counts would be other namespaces'), or a cluster's pub/sub node.
 * Unsubscribing with no channel at all names the namespace's channels (node-redis 5 never
 * settles a bare PUNSUBSCRIBE while other kinds of subscriptions remain, and where
 * subscriptions are shared a bare one would end every namespace's), including subscriptions the
 * view asked for that the server has not confirmed yet.
 * `getPubSubListeners` shows only the namespace's channels, un-prefixed; the low-level
 * `extendPubSub*Listeners`, which subscribe past every check, are refused.
 */
export function isolatePubSub(view: object, client: Record<string, unknown>, guard: NamespaceGuard, instr: Instrumentation, where: PubSubConnection): void {
  const wrappers = new WeakMap<Listener, Listener>();
  const wrap = (listener: unknown): unknown => {
    if (typeof listener !== 'function' || guard.mode === 'strict') return listener;
    let wrapped = wrappers.get(listener as Listener);
    if (!wrapped) {
      wrapped = (message, channel) => (listener as Listener)(message, guard.unprefixKey(channel as string | Buffer));
      wrappers.set(listener as Listener, wrapped);
    }
    return wrapped;
  };

  /** Channels and patterns this view asked for, by type: the listener map has them only once the server confirmed. */
  const asked = { CHANNELS: new Set<string>(), PATTERNS: new Set<string>(), SHARDED: new Set<string>() };

  for (const { names, command, type, unsubscribe } of METHODS) {
    const original = client[names[0]] as SubscribeMethod | undefined;
    if (typeof original !== 'function') continue;
    const method = function (this: unknown, channels: unknown, listener?: unknown, bufferMode?: unknown): unknown {
      let confined: readonly RedisArg[];
      try {
        const list = channels === undefined ? [] : Array.isArray(channels) ? (channels as RedisArg[]) : [channels as RedisArg];
        if (list.length === 0) {
          if (!unsubscribe) throw new MalformedCommandError(`${command.toUpperCase()} needs at least one channel`, { command, namespace: guard.namespace });
          confined = [...new Set([...ownChannels(where.listeners, type, command, guard), ...asked[type]])];
          asked[type].clear();
          if (confined.length === 0) return Promise.resolve();
        } else {
          confined = guard.rewrite(command, list);
          for (const channel of confined) asked[type][unsubscribe ? 'delete' : 'add'](String(channel));
        }
      } catch (error) {
        return Promise.reject(instr.rejected(error));
      }
      const target = listener === undefined ? undefined : unsubscribe ? (wrappers.get(listener as Listener) ?? listener) : wrap(listener);
      return where.run(this, original, confined, target, bufferMode, !unsubscribe);
    };
    for (const name of names) Object.defineProperty(view, name, { value: method, writable: true, configurable: true, enumerable: false });
  }

  if (typeof client.getPubSubListeners === 'function') {
    Object.defineProperty(view, 'getPubSubListeners', {
      value: (type: 'CHANNELS' | 'PATTERNS' | 'SHARDED') => {
        const prefix = type === 'PATTERNS' ? guard.patternPrefix : guard.prefix;
        const own = new Map<string, unknown>();
        for (const [channel, listeners] of where.listeners(type) ?? []) {
          if (!channel.startsWith(prefix)) continue;
          own.set(type === 'PATTERNS' ? guard.unprefixPattern(channel) : guard.unprefixKey(channel), listeners);
        }
        return own;
      },
      writable: true,
      configurable: true,
    });
  }
  for (const name of ['extendPubSubChannelListeners', 'extendPubSubListeners']) {
    if (typeof client[name] !== 'function') continue;
    Object.defineProperty(view, name, {
      value: () =>
        Promise.reject(
          instr.rejected(
            new BlockedCommandError(`${name}() is refused in namespace "${guard.namespace}": it subscribes past the guard; use subscribe(), pSubscribe() or sSubscribe()`, {
              command: 'subscribe',
              namespace: guard.namespace,
            }),
          ),
        ),
      writable: true,
      configurable: true,
    });
  }
}

/** The channels (or patterns) of `type` this view's namespace is subscribed to on the connection. */
function ownChannels(listenersOf: ListenersOf, type: 'CHANNELS' | 'PATTERNS' | 'SHARDED', command: string, guard: NamespaceGuard): RedisArg[] {
  const listeners = listenersOf(type);
  if (!listeners) {
    throw new MalformedCommandError(`${command.toUpperCase()} with no channel is refused here: name the channels to leave`, { command, namespace: guard.namespace });
  }
  const prefix = type === 'PATTERNS' ? guard.patternPrefix : guard.prefix;
  return [...listeners.keys()].filter((channel) => channel.startsWith(prefix));
}
