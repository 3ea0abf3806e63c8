import { BlockedCommandError, MalformedCommandError, type NamespaceGuard, type RedisArg } from '../../core/index.js';
import type { PubSubListener, PubSubType, SubscriptionHub } from './subscription-hubs.js';
import { defineOwn, stateOf, type ViewState } from './view-state.js';

/** node-redis's pub/sub methods, their listener-map type, and the command the guard checks them as. */
const METHODS = [
  { names: ['SUBSCRIBE', 'subscribe'], command: 'subscribe', type: 'CHANNELS', unsubscribe: false },
  { names: ['PSUBSCRIBE', 'pSubscribe'], command: 'psubscribe', type: 'PATTERNS', unsubscribe: false },
  { names: ['SSUBSCRIBE', 'sSubscribe'], command: 'ssubscribe', type: 'SHARDED', unsubscribe: false },
  { names: ['UNSUBSCRIBE', 'unsubscribe'], command: 'unsubscribe', type: 'CHANNELS', unsubscribe: true },
  { names: ['PUNSUBSCRIBE', 'pUnsubscribe'], command: 'punsubscribe', type: 'PATTERNS', unsubscribe: true },
  { names: ['SUNSUBSCRIBE', 'sUnsubscribe'], command: 'sunsubscribe', type: 'SHARDED', unsubscribe: true },
] as const;

const TYPES: readonly PubSubType[] = ['CHANNELS', 'PATTERNS', 'SHARDED'];

/** One channel's listeners of one view, as node-redis keeps a channel's: by the form they receive messages in. */
interface ChannelListeners {
  readonly strings: Set<PubSubListener>;
  readonly buffers: Set<PubSubListener>;
}

/**
 * One view's subscriptions (channels as sent, with the prefix) and the wrappers of its listeners.
 * A wrapper, one per view and listener, hands the listener the channel without the prefix (a
 * pattern listener, the matching channel), and keeps a listener that throws from breaking
 * node-redis's dispatch of the other messages of the same read, which other namespaces' views may
 * be waiting for: the error is reported after it, where node-redis would have (`error`).
 *
 * The record is the view's alone: `unsubscribe(channel)` without a listener removes the view's
 * listeners of that channel, and `unsubscribe()` the view's channels (subscriptions the server has
 * not confirmed yet included), never another view's.
 */
export class ViewSubscriptions {
  private readonly types: Record<PubSubType, Map<string, ChannelListeners>> = { CHANNELS: new Map(), PATTERNS: new Map(), SHARDED: new Map() };
  private readonly wrappers = new WeakMap<PubSubListener, PubSubListener>();
  private epoch: number;
  /** How many (channel, listener, form) registrations the view has. */
  private size = 0;

  constructor(
    private readonly guard: NamespaceGuard,
    private readonly hub: SubscriptionHub,
    /** Where an error a listener of the view threw goes: the view's own `error` listeners. */
    private readonly failed: (error: unknown) => void,
  ) {
    this.epoch = hub.epoch;
  }

  /** Whether the view subscribes to anything (its `isPubSubActive`). */
  get active(): boolean {
    this.current();
    return this.size > 0;
  }

  /** Adds `listener` to each channel (already guarded), subscribing where the channel is new on the connection. */
  subscribe(type: PubSubType, channels: readonly string[], listener: PubSubListener, buffers: boolean): Promise<void> {
    this.current();
    const wrapped = this.wrap(listener);
    const map = this.types[type];
    return settleAll(
      channels.map((channel) => {
        let entry = map.get(channel);
        if (!entry) {
          entry = { strings: new Set(), buffers: new Set() };
          map.set(channel, entry);
        }
        const set = buffers ? entry.buffers : entry.strings;
        const fresh = !set.has(listener);
        if (fresh) {
          set.add(listener);
          this.size++;
        }
        return this.hub.subscribe(type, channel, wrapped, buffers).catch((error: unknown) => {
          // The server refused it: node-redis did not keep the listener, nor does the view.
          if (fresh) this.forget(type, channel, listener, buffers);
          throw error;
        });
      }),
    );
  }

  /**
   * Removes the view's `listener` (or, without one, all the view's listeners) from each channel;
   * without channels, from every channel of the view of that type.
   */
  unsubscribe(type: PubSubType, channels: readonly string[] | undefined, listener: unknown, buffers: boolean): Promise<void> {
    this.current();
    const map = this.types[type];
    const removals: Array<Promise<void>> = [];
    for (const channel of channels ?? [...map.keys()]) {
      const entry = map.get(channel);
      if (!entry) continue;
      if (listener === undefined) {
        for (const each of entry.strings) removals.push(this.remove(type, channel, each, false));
        for (const each of entry.buffers) removals.push(this.remove(type, channel, each, true));
      } else if ((buffers ? entry.buffers : entry.strings).has(listener as PubSubListener)) {
        removals.push(this.remove(type, channel, listener as PubSubListener, buffers));
      }
    }
    return settleAll(removals);
  }

  /** Ends every subscription of the view (its `quit()`). */
  unsubscribeAll(): Promise<void> {
    return settleAll(TYPES.map((type) => this.unsubscribe(type, undefined, undefined, false)));
  }

  /** The view's channels of `type`, without the prefix, with its listeners, in node-redis's shape. */
  listeners(type: PubSubType): Map<string, { unsubscribing: boolean; buffers: Set<PubSubListener>; strings: Set<PubSubListener> }> {
    this.current();
    const own = new Map<string, { unsubscribing: boolean; buffers: Set<PubSubListener>; strings: Set<PubSubListener> }>();
    for (const [channel, entry] of this.types[type] ?? []) {
      const name = type === 'PATTERNS' ? this.guard.unprefixPattern(channel) : this.guard.unprefixKey(channel);
      own.set(name, { unsubscribing: false, buffers: new Set(entry.buffers), strings: new Set(entry.strings) });
    }
    return own;
  }

  private remove(type: PubSubType, channel: string, listener: PubSubListener, buffers: boolean): Promise<void> {
    this.forget(type, channel, listener, buffers);
    return this.hub.unsubscribe(type, channel, this.wrap(listener), buffers);
  }

  private forget(type: PubSubType, channel: string, listener: PubSubListener, buffers: boolean): void {
    const map = this.types[type];
    const entry = map.get(channel);
    if (!entry || !(buffers ? entry.buffers : entry.strings).delete(listener)) return;
    this.size--;
    if (entry.strings.size === 0 && entry.buffers.size === 0) map.delete(channel);
  }

  /** The subscriptions were all ended at once (the client's owner closed the connection): the record is void. */
  private current(): void {
    if (this.epoch === this.hub.epoch) return;
    this.epoch = this.hub.epoch;
    for (const type of TYPES) this.types[type].clear();
    this.size = 0;
  }

  private wrap(listener: PubSubListener): PubSubListener {
    let wrapped = this.wrappers.get(listener);
    if (!wrapped) {
      const { guard, failed } = this;
      const strict = guard.mode === 'strict';
      wrapped = (message, channel) => {
        try {
          listener(message, strict ? channel : guard.unprefixKey(channel as string | Buffer));
        } catch (error) {
          queueMicrotask(() => failed(error));
        }
      };
      this.wrappers.set(listener, wrapped);
    }
    return wrapped;
  }
}

/** Settles once every promise has; rejects with the first rejection (node-redis's record is then consistent). */
function settleAll(promises: ReadonlyArray<Promise<void>>): Promise<void> {
  if (promises.length === 0) return Promise.resolve();
  return Promise.allSettled(promises).then((results) => {
    for (const result of results) if (result.status === 'rejected') throw result.reason;
  });
}

/** The channels of a pub/sub call: one, a list, or none. */
function channelList(channels: unknown): readonly RedisArg[] {
  return channels === undefined ? [] : Array.isArray(channels) ? (channels as RedisArg[]) : [channels as RedisArg];
}

/** How the views of one base subscribe. */
export interface PubSubOptions {
  /** The hub of a view (its client's shared subscriber, the client it owns, the cluster). */
  readonly hubOf: (state: ViewState) => SubscriptionHub;
  /** Whether `sUnsubscribe()` without channels is allowed (a cluster refuses it: name the channels). */
  readonly bareSharded: boolean;
}

/**
 * Gives the views of `base` their pub/sub methods (node-redis sends them past `sendCommand`,
 * straight to its queue): channels and patterns go through the view's guard, and the view's
 * listeners are registered through its {@link ViewSubscriptions} on its hub. The wrapped
 * listener is what node-redis stores, so resubscription after a reconnect keeps delivering
 * un-prefixed channels. `getPubSubListeners` shows the view's own subscriptions, un-prefixed;
 * `extendPubSub*Listeners`, which subscribe past every check, are refused.
 */
export function definePubSub(base: object, client: Record<string, unknown>, options: PubSubOptions): void {
  for (const { names, command, type, unsubscribe } of METHODS) {
    if (typeof client[names[0]] !== 'function') continue;
    const method = function (this: unknown, channels: unknown, listener?: unknown, bufferMode?: unknown): Promise<void> {
      const state = stateOf(this);
      const { guard, instr } = state;
      let confined: string[] | undefined;
      try {
        const list = channelList(channels);
        if (list.length > 0) confined = guard.rewrite(command, list).map(String);
        else if (!unsubscribe) throw new MalformedCommandError(`${command.toUpperCase()} needs at least one channel`, { command, namespace: guard.namespace });
        else if (type === 'SHARDED' && !options.bareSharded) {
          throw new MalformedCommandError(`${command.toUpperCase()} with no channel is refused here: name the channels to leave`, { command, namespace: guard.namespace });
        }
        if (!unsubscribe && typeof listener !== 'function') {
          throw new MalformedCommandError(`${command.toUpperCase()} needs a listener function`, { command, namespace: guard.namespace });
        }
      } catch (error) {
        return Promise.reject(instr.rejected(error));
      }
      if (unsubscribe) {
        const subscriptions = state.parts?.subscriptions;
        return subscriptions ? subscriptions.unsubscribe(type, confined, listener, Boolean(bufferMode)) : Promise.resolve();
      }
      return subscriptionsOf(state, options).subscribe(type, confined as string[], listener as PubSubListener, Boolean(bufferMode));
    };
    for (const name of names) defineOwn(base, name, method);
  }

  if (typeof client.getPubSubListeners === 'function') {
    defineOwn(base, 'getPubSubListeners', function (this: unknown, type: PubSubType) {
      return stateOf(this).parts?.subscriptions?.listeners(type) ?? new Map();
    });
  }
  for (const name of ['extendPubSubChannelListeners', 'extendPubSubListeners']) {
    if (typeof client[name] !== 'function') continue;
    defineOwn(base, name, function (this: unknown) {
      const { guard, instr } = stateOf(this);
      return Promise.reject(
        instr.rejected(
          new BlockedCommandError(`${name}() is refused in namespace "${guard.namespace}": it subscribes past the guard; use subscribe(), pSubscribe() or sSubscribe()`, {
            command: 'subscribe',
            namespace: guard.namespace,
          }),
        ),
      );
    });
  }
}

/** The view's subscriptions, created on its first subscription. */
function subscriptionsOf(state: ViewState, options: PubSubOptions): ViewSubscriptions {
  const parts = state.own();
  return (parts.subscriptions ??= new ViewSubscriptions(state.guard, options.hubOf(state), (error) => failOnView(state, error)));
}

/**
 * An error a view's message listener threw, reported to the view's own `error` listeners: on the
 * shared client, the listeners of every namespace's views would receive it (and the message in
 * it). A view without one gets what an emitter without an `error` listener does: it is thrown
 * (uncaught), as node-redis's own client would.
 */
function failOnView(state: ViewState, error: unknown): void {
  const own = (state.parts?.listeners ?? []).filter(([event]) => event === 'error');
  if (own.length === 0) throw error;
  for (const [, , actual] of own) actual(error);
}
