import { followOwner, OwnConnections } from '../own-connections.js';
import type { IoredisLike } from './internals.js';

/**
 * What a pipeline of a view over a shared client needs of the view's exclusive connection: where
 * a batch that blocks or watches runs, and whether the view watches.
 */
export interface ExclusiveAccess {
  /**
   * Whether the view sent a WATCH that no EXEC, DISCARD or UNWATCH has ended since: while it
   * does, its `multi()` and pipelines run on the exclusive connection, where the WATCH is.
   */
  watching: boolean;
  /** The view over the exclusive connection, opened now if the view has none yet. */
  get(role: 'exclusive'): IoredisLike;
}

/**
 * The exclusive connection a view over a shared ioredis client opens for itself (see
 * `connectionScope`): blocking commands, and WATCH with the transaction that follows it, run
 * there. It is an owning isolated view over `client.duplicate()` (same guard, same
 * instrumentation), opened on first need and closed with the view; the shared client is never
 * it. (Subscriptions run on the client's shared subscriber connections: see `SubscriberHub`.)
 *
 * ioredis's `duplicate()` is synchronous (the copy connects in the background and queues commands
 * meanwhile), so the connection is usable the moment it is asked for: a command routed to it
 * keeps its order with the view's next ones.
 */
export class IoredisOwnConnections implements ExclusiveAccess {
  watching = false;
  private view: IoredisLike | undefined;
  private readonly connections: OwnConnections<IoredisLike>;
  /** Connections already dropped by `closeAll('disconnect')`: nothing more to close. */
  private readonly dropped = new WeakSet<IoredisLike>();

  /** @param makeView - an owning isolated view over a new connection (a duplicate of the client). */
  constructor(client: IoredisLike, makeView: (connection: IoredisLike) => IoredisLike) {
    const open = (): Promise<IoredisLike> => {
      const connection = client.duplicate();
      followOwner(client, connection);
      reportErrorsOn(client, connection);
      const view = makeView(connection);
      this.view = view;
      return Promise.resolve(view);
    };
    // QUIT after the replies pending on the connection; a connection QUIT cannot reach is dropped.
    const close = (view: IoredisLike): Promise<unknown> =>
      this.dropped.has(view) ? Promise.resolve() : view.quit().catch(() => view.disconnect());
    this.connections = new OwnConnections(open, close);
  }

  get(role: 'exclusive'): IoredisLike {
    void this.connections.get(role);
    return this.view as IoredisLike;
  }

  /**
   * Closes the connection the view opened: `quit` after the replies pending on it, `disconnect`
   * at once. A later command that needs one opens it again.
   */
  async closeAll(how: 'quit' | 'disconnect'): Promise<void> {
    this.watching = false;
    if (how === 'disconnect' && this.view !== undefined) {
      this.dropped.add(this.view);
      this.view.disconnect();
    }
    this.view = undefined;
    await this.connections.closeAll();
  }
}

type ErrorEmitter = { on(event: 'error', listener: (error: unknown) => void): unknown; emit?(event: 'error', error: unknown): boolean; listenerCount?(event: 'error'): number };

/**
 * The errors of a connection a view opened over `client` (its exclusive connection, a shared
 * subscriber) go to the client's own `error` listeners, when it has any, as the client's own
 * would: without a listener of its own, ioredis would print "Unhandled error event" for each
 * failed reconnection while the server is down, past the listener the user gave the client.
 *
 * @example
 * ```ts
 * const subscriber = client.duplicate();
 * reportErrorsOn(client, subscriber);
 * ```
 */
export function reportErrorsOn(client: object, connection: object): void {
  const source = client as ErrorEmitter;
  (connection as ErrorEmitter).on('error', (error) => {
    if ((source.listenerCount?.('error') ?? 0) > 0) source.emit?.('error', error);
  });
}
