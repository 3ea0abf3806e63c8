import type { NodeRedisClientLike } from './internals.js';
import { closeDuplicate, openDuplicate } from './own-clients.js';

/** node-redis's listener-map types: channels, patterns, shard channels. */
export type PubSubType = 'CHANNELS' | 'PATTERNS' | 'SHARDED';

/** A listener as node-redis calls it: `(message, channel)`. */
export type PubSubListener = (message: unknown, channel: unknown) => unknown;

type SubscribeMethod = (this: unknown, channels: string[], listener: PubSubListener, bufferMode: boolean) => Promise<unknown> | undefined;

/** node-redis's methods per type (the upper-case names exist on clients and clusters of both majors). */
const METHODS: Readonly<Record<PubSubType, { readonly subscribe: string; readonly unsubscribe: string }>> = {
  CHANNELS: { subscribe: 'SUBSCRIBE', unsubscribe: 'UNSUBSCRIBE' },
  PATTERNS: { subscribe: 'PSUBSCRIBE', unsubscribe: 'PUNSUBSCRIBE' },
  SHARDED: { subscribe: 'SSUBSCRIBE', unsubscribe: 'SUNSUBSCRIBE' },
};

const ignore = (): void => undefined;

/**
 * Where the views of one client (or cluster) subscribe, each registration being one listener of
 * one view on one channel (node-redis keeps the listeners per channel, sends SUBSCRIBE when a
 * channel gets its first listener and UNSUBSCRIBE when it loses its last: the refcount of the
 * views' registrations). The listeners are the views' own wrappers, one per view and listener, so
 * that no two views ever share one in node-redis's sets.
 *
 * Operations on one channel run one after another: node-redis records a channel's listeners only
 * once the server confirmed its SUBSCRIBE, and an UNSUBSCRIBE of one view's listener sent before
 * that would end the channel for every view.
 */
export abstract class SubscriptionHub {
  private readonly tails = new Map<string, Promise<void>>();

  /** `serial`: every operation waits for the previous one, whatever its channel. */
  constructor(private readonly serial = false) {}

  /**
   * Changes when every subscription on the hub was ended at once (its connection closed by the
   * client's owner): a view's record of its subscriptions from before is void.
   */
  epoch = 0;

  /** Adds `listener` to `channel` (of `type`), subscribing if it is the channel's first. */
  subscribe(type: PubSubType, channel: string, listener: PubSubListener, bufferMode: boolean): Promise<void> {
    return this.inTurn(type, channel, async () => {
      const target = await this.target(true);
      if (target) await call(target, METHODS[type].subscribe, channel, listener, bufferMode);
    });
  }

  /** Removes `listener` from `channel`, unsubscribing if it was the channel's last. */
  unsubscribe(type: PubSubType, channel: string, listener: PubSubListener, bufferMode: boolean): Promise<void> {
    return this.inTurn(type, channel, async () => {
      const target = await this.target(false);
      if (target) await call(target, METHODS[type].unsubscribe, channel, listener, bufferMode);
    });
  }


  /** Where subscriptions are sent; `open: false` (unsubscribing) opens nothing, and `undefined` means nothing is subscribed there. */
  protected abstract target(open: boolean): Promise<NodeRedisClientLike | undefined>;

  /** Called when no operation is pending on any channel. */
  protected idle(): void {}

  /** Runs `op` once the previous operation on the same channel settled. */
  private inTurn(type: PubSubType, channel: string, op: () => Promise<void>): Promise<void> {
    const key = this.serial ? '' : `${type}\u0000${channel}`;
    const previous = this.tails.get(key);
    const run = previous === undefined ? op() : previous.then(op);
    const tail = run.then(ignore, ignore);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
      if (this.tails.size === 0) this.idle();
    });
    return run;
  }
}

function call(target: NodeRedisClientLike, name: string, channel: string, listener: PubSubListener, bufferMode: boolean): Promise<unknown> | undefined {
  return (target[name] as SubscribeMethod).call(target, [channel], listener, bufferMode);
}

/**
 * The one subscriber connection of a shared node-redis client: a `duplicate()` of it, opened when
 * a view of any namespace first subscribes, shared by every view over the client (a RESP2
 * connection in subscriber mode takes no other command, so it is never the client's own), and
 * closed when its last subscription ends or by `closeViewConnections()`. Dispatching a message is
 * node-redis's own: one lookup of the channel, then that channel's listeners only, whatever the
 * number of views subscribed to other channels.
 */
export class SharedSubscriber extends SubscriptionHub {
  private connection: Promise<NodeRedisClientLike> | undefined;
  private ready: NodeRedisClientLike | undefined;

  constructor(private readonly client: NodeRedisClientLike) {
    super(false);
  }

  protected target(open: boolean): Promise<NodeRedisClientLike | undefined> {
    if (this.connection === undefined) {
      if (!open) return Promise.resolve(undefined);
      const connection = openDuplicate(this.client);
      this.connection = connection;
      connection.then(
        (ready) => {
          if (this.connection === connection) this.ready = ready;
          // Closed (by the owner) while it was connecting.
          else void closeDuplicate(ready, 'quit');
        },
        () => {
          // A failed open is forgotten, so the next subscription tries again rather than failing for ever.
          if (this.connection === connection) this.connection = undefined;
        },
      );
    }
    const connection = this.connection;
    // An operation waiting for a connection that was closed meanwhile (closeViewConnections, the
    // client ending) fails rather than be sent to a connection being closed, where it would never
    // settle and hold every later operation on its channel.
    return connection.then((ready) => {
      if (this.connection !== connection) throw new Error('the shared subscriber connection was closed before the subscription was made');
      return ready;
    });
  }

  /** With nothing pending and nothing subscribed any more, the connection is closed (a later subscription opens another). */
  protected override idle(): void {
    const ready = this.ready;
    if (ready === undefined || ready.isPubSubActive === true) return;
    this.connection = undefined;
    this.ready = undefined;
    void closeDuplicate(ready, 'quit');
  }

  /** Closes the connection, ending every view's subscriptions on it. */
  async close(how: 'quit' | 'disconnect'): Promise<void> {
    const connection = this.connection;
    if (connection === undefined) return;
    this.epoch++;
    this.connection = undefined;
    this.ready = undefined;
    const ready = await connection.catch(() => undefined);
    if (ready) await closeDuplicate(ready, how);
  }
}

/**
 * Subscriptions sent on a connection that is there already: a client the view owns, or a
 * cluster, whose node-redis routes channels to its pub/sub node and shard channels to their shard
 * (connections already separate from command traffic, shared by the views of the cluster). A
 * cluster's operations run one at a time (`serial`): node-redis destroys a pub/sub node client as
 * soon as an unsubscription leaves it idle, under any other operation still using it.
 */
export class DirectHub extends SubscriptionHub {
  constructor(
    private readonly connection: NodeRedisClientLike,
    serial = false,
  ) {
    super(serial);
  }

  protected target(): Promise<NodeRedisClientLike> {
    return Promise.resolve(this.connection);
  }
}
