import { EventEmitter } from 'node:events';
import { OwnConnections, type OwnConnectionRole } from '../own-connections.js';
import type { IoredisLike } from './internals.js';
import { relayMessageEvents } from './pubsub-events.js';

/**
 * The connections a view over a shared ioredis client opens for itself (see `connectionScope`):
 * an `exclusive` one for blocking commands and for WATCH with the transaction that follows it,
 * and a `subscriber` one for subscriptions. Each is an owning isolated view over
 * `client.duplicate()` (same guard, same instrumentation), opened on first need and closed with
 * the view; the shared client is never among them.
 *
 * ioredis's `duplicate()` is synchronous (the copy connects in the background and queues commands
 * meanwhile), so a connection is usable the moment it is asked for: a command routed to it keeps
 * its order with the view's next ones.
 */
export class IoredisOwnConnections {
  /**
   * Whether the view sent a WATCH that no EXEC, DISCARD or UNWATCH has ended since: while it
   * does, its `multi()` and pipelines run on the exclusive connection, where the WATCH is.
   */
  watching = false;
  /** Relays the messages of the subscriber connection to the view's message listeners. */
  readonly messages = new EventEmitter();
  private readonly views = new Map<OwnConnectionRole, IoredisLike>();
  private readonly connections: OwnConnections<IoredisLike>;
  /** Connections already dropped by `closeAll('disconnect')`: nothing more to close. */
  private readonly dropped = new WeakSet<IoredisLike>();

  /** @param makeView - an owning isolated view over a new connection (a duplicate of the client). */
  constructor(client: IoredisLike, makeView: (connection: IoredisLike) => IoredisLike) {
    const open = (role: OwnConnectionRole): IoredisLike => {
      const connection = client.duplicate();
      if (role === 'subscriber') {
        relayMessageEvents(connection, this.messages);
      }
      const view = makeView(connection);
      this.views.set(role, view);
      return view;
    };
    // QUIT after the replies pending on the connection; a connection QUIT cannot reach is dropped.
    const close = (view: IoredisLike): Promise<unknown> =>
      this.dropped.has(view) ? Promise.resolve() : view.quit().catch(() => view.disconnect());
    this.connections = new OwnConnections((role) => Promise.resolve(open(role)), close);
  }

  /** The view over the connection of `role`, opened now if the view has none yet. */
  get(role: OwnConnectionRole): IoredisLike {
    void this.connections.get(role);
    return this.views.get(role) as IoredisLike;
  }

  /** Whether the connection of `role` is open. */
  isOpen(role: OwnConnectionRole): boolean {
    return this.views.has(role);
  }

  /**
   * Closes every connection the view opened: `quit` after the replies pending on them,
   * `disconnect` at once. A later command that needs one opens it again.
   */
  async closeAll(how: 'quit' | 'disconnect'): Promise<void> {
    this.watching = false;
    if (how === 'disconnect') {
      for (const view of this.views.values()) {
        this.dropped.add(view);
        view.disconnect();
      }
    }
    this.views.clear();
    await this.connections.closeAll();
  }
}
