/**
 * Which connection of its own a view over a shared client runs a command on (see
 * `connectionScope` in the core): `exclusive` for blocking commands and WATCH with the
 * transaction that follows it, `subscriber` for subscriptions (a RESP2 connection in subscriber
 * mode takes no other command).
 */
export type OwnConnectionRole = 'exclusive' | 'subscriber';

/**
 * The connections a view over a shared client opens for itself, one per role, on first need,
 * from the client's own options (`duplicate()`), and closes with the view. The shared
 * connection is never among them: closing it is its owner's job.
 *
 * @typeParam V - what the adapter keeps per connection (an isolated view over the duplicate).
 */
export class OwnConnections<V> {
  private readonly opened = new Map<OwnConnectionRole, Promise<V>>();

  /**
   * @param open - creates (and, for drivers that need it, connects) the connection of a role.
   * @param close - closes one connection gracefully.
   */
  constructor(
    private readonly open: (role: OwnConnectionRole) => Promise<V>,
    private readonly close: (connection: V) => Promise<unknown>,
  ) {}

  /** The connection of `role`, opened now if the view has none yet. */
  get(role: OwnConnectionRole): Promise<V> {
    let connection = this.opened.get(role);
    if (!connection) {
      connection = this.open(role);
      this.opened.set(role, connection);
      // A failed open is forgotten, so the next command tries again rather than failing for ever.
      connection.catch(() => {
        if (this.opened.get(role) === connection) this.opened.delete(role);
      });
    }
    return connection;
  }

  /** The connection of `role` if the view has opened one (no connection is opened). */
  peek(role: OwnConnectionRole): Promise<V> | undefined {
    return this.opened.get(role);
  }

  /** Closes every connection the view opened; a later command that needs one opens it again. */
  async closeAll(): Promise<void> {
    const connections = [...this.opened.values()];
    this.opened.clear();
    await Promise.allSettled(connections.map((connection) => connection.then((opened) => this.close(opened))));
  }
}
