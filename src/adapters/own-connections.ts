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

/** How views over one client close every connection they opened: `quit` after pending replies, `disconnect` at once. */
export type CloseViewConnections = (how: 'quit' | 'disconnect') => Promise<void>;

/**
 * Per client, what closes the connections its views opened for themselves. One entry per client
 * (held weakly: a client nobody references takes it along), never one per view.
 */
const viewConnectionClosers = new WeakMap<object, CloseViewConnections[]>();

/**
 * Registers what closes the connections views over `client` opened (adapters call it once per
 * client, when its first view is made), for {@link closeViewConnections}.
 *
 * @example
 * ```ts
 * registerViewConnections(client, (how) => hub.close(how));
 * ```
 */
export function registerViewConnections(client: object, close: CloseViewConnections): void {
  const closers = viewConnectionClosers.get(client);
  if (closers !== undefined) {
    closers.push(close);
    return;
  }
  viewConnectionClosers.set(client, [close]);
}

interface EndEmitter {
  on(event: 'end', listener: () => void): unknown;
  once(event: 'end', listener: () => void): unknown;
  removeListener(event: 'end', listener: () => void): unknown;
  /** ioredis: `'end'` once closed for good. */
  readonly status?: string;
  /** node-redis: whether the socket is open (or opening). */
  readonly isOpen?: boolean;
}

const emitsEnd = (value: object): value is EndEmitter =>
  typeof (value as Partial<EndEmitter>).on === 'function' && typeof (value as Partial<EndEmitter>).removeListener === 'function';

/**
 * Whether the client really ended: an `end` event is also what any view could `emit()` on the
 * shared client, so the event alone closes nothing of other namespaces'.
 */
const hasEnded = (client: EndEmitter): boolean => client.status === 'end' || client.isOpen === false;

/** Per client, how many connections its views hold open, and the one listener that closes them with it. */
const ownerHolds = new WeakMap<object, { count: number; readonly onEnd: () => void }>();

/**
 * Ties `connection`, opened by a view over `client` (its exclusive connection, the shared
 * subscriber), to the client's life: when its owner closes the client for good (both drivers
 * emit `end` then), every connection views opened over it closes too, rather than outlive it
 * reconnecting and keep the process alive. One `end` listener per client while such a connection
 * is open, removed with the last: a view that opens none adds nothing to the client.
 *
 * @example
 * ```ts
 * const subscriber = client.duplicate();
 * followOwner(client, subscriber);
 * ```
 */
export function followOwner(client: object, connection: object): void {
  if (!emitsEnd(client) || !emitsEnd(connection)) return;
  let hold = ownerHolds.get(client);
  if (hold === undefined) {
    const onEnd = (): void => {
      if (!hasEnded(client)) return;
      ownerHolds.delete(client);
      client.removeListener('end', onEnd);
      void closeViewConnections(client, 'disconnect');
    };
    hold = { count: 0, onEnd };
    ownerHolds.set(client, hold);
    client.on('end', onEnd);
  }
  hold.count++;
  const held = hold;
  connection.once('end', () => {
    if (ownerHolds.get(client) !== held || --held.count > 0) return;
    ownerHolds.delete(client);
    client.removeListener('end', held.onEnd);
  });
}

/**
 * Closes every connection views over `client` opened for themselves (exclusive connections of
 * blocking or watching views, the shared subscriber connection), whether or not those views
 * are still referenced; their subscriptions end. The client itself stays open: closing it is
 * its owner's job, after this. A view used afterwards opens what it needs again.
 *
 * @example
 * ```ts
 * await closeViewConnections(shared); // a layout's quit(), before closing `shared`
 * await shared.quit();
 * ```
 */
export async function closeViewConnections(client: object, how: 'quit' | 'disconnect' = 'quit'): Promise<void> {
  const closers = viewConnectionClosers.get(client);
  if (closers !== undefined) await Promise.allSettled(closers.map((close) => close(how)));
}
