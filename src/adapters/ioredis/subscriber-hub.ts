import type { EventEmitter } from 'node:events';
import type { IoredisLike } from './internals.js';

/** What a subscription names: channels, patterns, or shard channels. */
export type SubscriptionKind = 'subscribe' | 'psubscribe' | 'ssubscribe';

const KINDS: Readonly<Record<string, SubscriptionKind>> = {
  subscribe: 'subscribe',
  unsubscribe: 'subscribe',
  psubscribe: 'psubscribe',
  punsubscribe: 'psubscribe',
  ssubscribe: 'ssubscribe',
  sunsubscribe: 'ssubscribe',
};
const ENDING: Readonly<Record<SubscriptionKind, string>> = { subscribe: 'unsubscribe', psubscribe: 'punsubscribe', ssubscribe: 'sunsubscribe' };

/** The kind of subscription a (lower-case) (P|S)(UN)SUBSCRIBE is about. */
export const subscriptionKind = (name: string): SubscriptionKind | undefined => KINDS[name];

/**
 * Which of a client's two shared subscriber connections carries a kind. Redis counts shard
 * channels apart from channels and patterns, and ioredis leaves subscriber mode when the count
 * a reply gives is 0: on one connection carrying both, the last SUNSUBSCRIBE (answered 0 while
 * channels remain) would take it out of subscriber mode under other views' channels, and the
 * last UNSUBSCRIBE under their shard channels. Each connection carries one counter only.
 */
export type HubRole = 'channels' | 'shards';

/** The connection (see {@link HubRole}) a kind of subscription goes on. */
export const hubRole = (kind: SubscriptionKind): HubRole => (kind === 'ssubscribe' ? 'shards' : 'channels');

/** Every role, for what concerns both connections (a view leaving, the owner closing). */
export const HUB_ROLES: readonly HubRole[] = ['channels', 'shards'];

const ROLE_KINDS: Readonly<Record<HubRole, readonly SubscriptionKind[]>> = { channels: ['subscribe', 'psubscribe'], shards: ['ssubscribe'] };

type Channel = string | Buffer;
type Send = (...channels: Channel[]) => Promise<unknown>;
type Listener = (...args: unknown[]) => void;

/**
 * The registry key of a channel: its bytes (as latin1 text, one character a byte), so that two
 * channels whose bytes differ never share an entry, even when they are not UTF-8. A pattern's key
 * is its text, as ioredis gives it in `pmessage` events. Every key carries the namespace prefix of
 * the view that asked for it.
 */
const keyOf = (kind: SubscriptionKind, channel: Channel): string => {
  if (kind === 'psubscribe') return typeof channel === 'string' ? channel : channel.toString();
  return (typeof channel === 'string' ? Buffer.from(channel) : channel).toString('latin1');
};

/** Resolves nothing, rejects nothing: what a view's previous (un)subscription leaves for its next one. */
const settled = (): undefined => undefined;

/**
 * One view's subscriptions on the client's shared subscriber connections, and the emitter its
 * message listeners hear. Counts are the view's own, as Redis would give them on a connection
 * of the view's alone: channels and patterns together, shard channels apart.
 */
export class HubMember {
  readonly channels: Readonly<Record<SubscriptionKind, Set<string>>> = { subscribe: new Set(), psubscribe: new Set(), ssubscribe: new Set() };
  /** Settles once the view's previous (un)subscription has: the view's replies come in the order it asked. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(readonly messages: EventEmitter) {}

  /** What Redis answers this view to a (un)subscription of `kind`. */
  count(kind: SubscriptionKind): number {
    return kind === 'ssubscribe' ? this.channels.ssubscribe.size : this.channels.subscribe.size + this.channels.psubscribe.size;
  }

  /** `count` once the server answered `waits`, and after the view's previous (un)subscriptions. */
  inOrder(waits: ReadonlyArray<Promise<unknown> | undefined>, count: number): Promise<number> {
    const done = Promise.all([this.tail, ...waits]);
    this.tail = done.then(settled, settled);
    return done.then(() => count);
  }

  /** Settles once every (un)subscription the view asked for so far was answered. */
  drained(): Promise<unknown> {
    return this.tail;
  }
}

/** A channel (or pattern) the connection subscribes to, and the views it subscribes for. */
interface Entry {
  /** As the first view named it (prefixed): what SUBSCRIBE and UNSUBSCRIBE send. */
  readonly channel: Channel;
  readonly members: Set<HubMember>;
  /** The server's answer to the SUBSCRIBE that added it. */
  ready: Promise<unknown> | undefined;
}

/**
 * One subscriber connection for every view over one client, whatever their namespaces, for the
 * kinds of one {@link HubRole} (a client has one hub per role): a `duplicate()` of the client,
 * opened when the first view subscribes and closed when the last subscription ends (or by
 * `closeViewConnections`).
 *
 * It keeps, per kind, which views subscribe to each prefixed channel: SUBSCRIBE goes to the
 * server when the first view asks for a channel, UNSUBSCRIBE when the last one leaves it. A
 * message is one map lookup and an emit on each view subscribed to that channel: what other
 * views subscribe to costs it nothing. The channels reaching a view's listeners are the ones its
 * own guard prefixed; the listeners still check the prefix, and strip it (see `createViewEvents`).
 */
export class SubscriberHub {
  private connection: IoredisLike | undefined;
  private readonly entries: Readonly<Record<SubscriptionKind, Map<string, Entry>>> = { subscribe: new Map(), psubscribe: new Map(), ssubscribe: new Map() };

  private readonly kinds: readonly SubscriptionKind[];

  /**
   * @param open - a new connection of the client's (its `duplicate()`), not connected yet.
   * @param role - the kinds of subscription the hub carries; it is given no other.
   */
  constructor(
    private readonly open: () => IoredisLike,
    readonly role: HubRole,
  ) {
    this.kinds = ROLE_KINDS[role];
  }

  /** Subscribes `member` to prefixed `channels`; settles with the view's count once the server subscribed them all. */
  subscribe(member: HubMember, kind: SubscriptionKind, channels: readonly Channel[]): Promise<number> {
    if (channels.length === 0) return Promise.reject(new Error(`ERR wrong number of arguments for '${kind}' command`));
    const entries = this.entries[kind];
    const mine = member.channels[kind];
    const waits: Array<Promise<unknown> | undefined> = [];
    const fresh: Entry[] = [];
    for (const channel of channels) {
      const key = keyOf(kind, channel);
      let entry = entries.get(key);
      if (entry === undefined) {
        entry = { channel, members: new Set(), ready: undefined };
        entries.set(key, entry);
        fresh.push(entry);
      } else {
        // Subscribed already, or about to be: the view's reply waits for the server's.
        waits.push(entry.ready);
      }
      entry.members.add(member);
      mine.add(key);
    }
    const count = member.count(kind);
    if (fresh.length > 0) {
      const sent = this.send(kind, fresh.map((entry) => entry.channel));
      for (const entry of fresh) entry.ready = sent;
      // Refused or failed: none of those channels is subscribed, for any view that asked.
      sent.catch(() => this.forget(kind, fresh));
      waits.push(sent);
    }
    return member.inOrder(waits, count);
  }

  /**
   * Ends `member`'s subscriptions to prefixed `channels` (all of its subscriptions of `kind`
   * when `undefined`); settles with the view's count. Other views' subscriptions stay.
   */
  unsubscribe(member: HubMember, kind: SubscriptionKind, channels: readonly Channel[] | undefined): Promise<number> {
    const sent = this.end(member, kind, channels === undefined ? undefined : channels.map((channel) => keyOf(kind, channel)));
    this.closeIfIdle('quit');
    return member.inOrder([sent], member.count(kind));
  }

  /** Ends every subscription of `member` (its view quits or disconnects); `quit` waits for the server's answers. */
  async leave(member: HubMember, how: 'quit' | 'disconnect'): Promise<void> {
    // Only the hub's own kinds: the member's others are the other hub's to end.
    const sent = this.kinds.map((kind) => this.end(member, kind, undefined));
    for (const promise of sent) promise?.catch(settled);
    this.closeIfIdle(how);
    if (how === 'quit') await Promise.allSettled([member.drained(), ...sent]);
  }

  /** Ends every view's subscriptions and closes the connection (the client's owner closes it). */
  async close(how: 'quit' | 'disconnect'): Promise<void> {
    for (const [kind, entries] of Object.entries(this.entries) as Array<[SubscriptionKind, Map<string, Entry>]>) {
      for (const [key, entry] of entries) for (const member of entry.members) member.channels[kind].delete(key);
      entries.clear();
    }
    await this.closeIfIdle(how);
  }

  /** Delivers a message of a channel: to the views subscribed to it. */
  private readonly onMessage = (channel: Buffer, message: Buffer | undefined): void => {
    const entry = this.entries.subscribe.get(channel.toString('latin1'));
    if (entry !== undefined) deliver(entry, 'message', 'messageBuffer', () => [channel.toString(), textOf(message)], [channel, message]);
  };

  /** Delivers a message of a pattern (ioredis gives the pattern as text): to the views subscribed to the pattern. */
  private readonly onPatternMessage = (pattern: string, channel: Buffer, message: Buffer): void => {
    const entry = this.entries.psubscribe.get(pattern);
    if (entry !== undefined) deliver(entry, 'pmessage', 'pmessageBuffer', () => [pattern, channel.toString(), textOf(message)], [pattern, channel, message]);
  };

  /** Delivers a message of a shard channel: to the views subscribed to it. */
  private readonly onShardMessage = (channel: Buffer, message: Buffer | undefined): void => {
    const entry = this.entries.ssubscribe.get(channel.toString('latin1'));
    if (entry !== undefined) deliver(entry, 'smessage', 'smessageBuffer', () => [channel.toString(), textOf(message)], [channel, message]);
  };

  /** The message events of the hub's kinds, and what delivers them. */
  private listeners(): Array<[string, Listener]> {
    if (this.role === 'shards') return [['smessageBuffer', this.onShardMessage as Listener]];
    return [
      ['messageBuffer', this.onMessage as Listener],
      ['pmessageBuffer', this.onPatternMessage as Listener],
    ];
  }

  private send(command: string, channels: Channel[]): Promise<unknown> {
    if (this.connection === undefined) {
      let connection: IoredisLike;
      try {
        connection = this.open();
      } catch (error) {
        return Promise.reject(error as Error);
      }
      // Only the Buffer events: ioredis then skips turning every message into text, which the
      // hub does once per message, and only for views with text listeners.
      for (const [event, listener] of this.listeners()) connection.on(event, listener);
      this.connection = connection;
    }
    try {
      const method = (this.connection as unknown as Record<string, Send>)[command] as Send;
      return method.apply(this.connection, channels);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** Removes `member` from `keys` of `kind` (all of its own when `undefined`); sends UNSUBSCRIBE for channels nobody wants any more. */
  private end(member: HubMember, kind: SubscriptionKind, keys: readonly string[] | undefined): Promise<unknown> | undefined {
    const entries = this.entries[kind];
    const mine = member.channels[kind];
    const ending: Channel[] = [];
    for (const key of keys ?? [...mine]) {
      if (!mine.delete(key)) continue;
      const entry = entries.get(key);
      if (entry === undefined || !entry.members.delete(member) || entry.members.size > 0) continue;
      entries.delete(key);
      ending.push(entry.channel);
    }
    if (ending.length === 0 || this.connection === undefined) return undefined;
    return this.send(ENDING[kind], ending);
  }

  /** Forgets channels whose SUBSCRIBE failed, for every view that asked for them. */
  private forget(kind: SubscriptionKind, failed: readonly Entry[]): void {
    const entries = this.entries[kind];
    for (const entry of failed) {
      const key = keyOf(kind, entry.channel);
      if (entries.get(key) !== entry) continue;
      entries.delete(key);
      for (const member of entry.members) member.channels[kind].delete(key);
    }
    this.closeIfIdle('quit');
  }

  /** Closes the connection once no view subscribes to anything: QUIT after the answers pending on it, or at once. */
  private closeIfIdle(how: 'quit' | 'disconnect'): Promise<void> {
    const connection = this.connection;
    if (connection === undefined || this.entries.subscribe.size + this.entries.psubscribe.size + this.entries.ssubscribe.size > 0) {
      return Promise.resolve();
    }
    this.connection = undefined;
    // What still arrives on it was for subscriptions that ended: not for views that subscribe again meanwhile, on the next connection.
    for (const [event, listener] of this.listeners()) connection.removeListener(event, listener);
    if (how === 'disconnect') {
      connection.disconnect();
      return Promise.resolve();
    }
    return connection.quit().then(settled, () => connection.disconnect());
  }
}

const textOf = (message: Buffer | undefined): string => (message === undefined ? '' : message.toString());

/**
 * Emits one message on each view subscribed to its channel: the text form (`message`) first,
 * made once and only when a view listens to it, then the Buffer form, as ioredis does. A
 * listener that throws does not keep the message from the other views, nor disturb the shared
 * connection's reader: its error is thrown again on the next tick, uncaught, as an emitter's would be.
 */
function deliver(entry: Entry, textEvent: string, bufferEvent: string, text: () => unknown[], buffers: unknown[]): void {
  let failure: { error: unknown } | undefined;
  let textArgs: unknown[] | undefined;
  for (const member of entry.members) {
    const emitter = member.messages;
    try {
      if (emitter.listenerCount(textEvent) > 0) emitter.emit(textEvent, ...(textArgs ??= text()));
      if (emitter.listenerCount(bufferEvent) > 0) emitter.emit(bufferEvent, ...buffers);
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure !== undefined) {
    const { error } = failure;
    process.nextTick(() => {
      throw error;
    });
  }
}
