import { followOwner, OwnConnections, type OwnConnectionRole } from '../own-connections.js';
import type { NodeRedisClientLike } from './internals.js';

type Emitting = NodeRedisClientLike & {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  emit?(event: string, ...args: unknown[]): boolean;
  listenerCount?(event: string): number;
  connect(): Promise<unknown>;
  close?(): Promise<unknown>;
  quit?(): Promise<unknown>;
  destroy?(): unknown;
  readonly isOpen?: boolean;
};

/**
 * A new connection from `client`'s options (`client.duplicate()`), connected. It is never handed
 * out: views send on it only what their guard returned. Its errors are reported on the client's
 * `error` listeners (when it has any), as the client's own would be.
 */
export async function openDuplicate(client: NodeRedisClientLike): Promise<NodeRedisClientLike> {
  const duplicate = (client.duplicate as () => Emitting).call(client);
  followOwner(client, duplicate);
  const source = client as unknown as Emitting;
  duplicate.on('error', (error: unknown) => {
    if ((source.listenerCount?.('error') ?? 0) > 0) source.emit?.('error', error);
  });
  try {
    await duplicate.connect();
  } catch (error) {
    if (duplicate.isOpen) duplicate.destroy?.();
    throw error;
  }
  return duplicate;
}

/** Closes a connection `openDuplicate` opened: `quit` after its pending replies, `disconnect` at once. */
export async function closeDuplicate(connection: NodeRedisClientLike, how: 'quit' | 'disconnect'): Promise<void> {
  const own = connection as Emitting;
  if (!own.isOpen) return;
  if (how === 'disconnect') {
    own.destroy?.();
    return;
  }
  try {
    await (own.close ?? own.quit)?.call(own);
  } catch {
    if (own.isOpen) own.destroy?.();
  }
}

/**
 * The exclusive connection a node-redis view over a shared client opens for itself (see
 * {@link OwnConnections}) for blocking commands and WATCH: a raw client from `client.duplicate()`,
 * connected on first need. While it is open, it is listed in `opened` (one set per client), so
 * that the client's owner can close it with `closeViewConnections()` even if the view was dropped.
 */
export class NodeRedisOwnClients {
  private readonly connections: OwnConnections<NodeRedisClientLike>;
  /** The connected clients, by role, for what must be read synchronously (watch state). */
  private readonly ready = new Map<OwnConnectionRole, NodeRedisClientLike>();

  constructor(
    client: NodeRedisClientLike,
    private readonly opened: Set<NodeRedisOwnClients>,
  ) {
    this.connections = new OwnConnections<NodeRedisClientLike>(
      async (role): Promise<NodeRedisClientLike> => {
        const duplicate = await openDuplicate(client);
        this.ready.set(role, duplicate);
        opened.add(this);
        return duplicate;
      },
      async (connection: NodeRedisClientLike) => {
        for (const [role, open] of this.ready) if (open === connection) this.ready.delete(role);
        if (this.ready.size === 0) opened.delete(this);
        await closeDuplicate(connection, 'quit');
      },
    );
  }

  /** The connection of `role`, opened (and connected) now if the view has none yet. */
  get(role: OwnConnectionRole): Promise<NodeRedisClientLike> {
    return this.connections.get(role);
  }

  /** The connection of `role` if it is open and connected (nothing is opened). */
  peek(role: OwnConnectionRole): NodeRedisClientLike | undefined {
    return this.ready.get(role);
  }

  /** Whether a connection of `role` was opened or is being opened. */
  has(role: OwnConnectionRole): boolean {
    return this.connections.peek(role) !== undefined;
  }

  /**
   * Called synchronously when the view's connections are closed (by the view, by the cluster or
   * pool view it belongs to, or by the client's owner), before anything else is sent: state kept
   * about them (a WATCH sent on the exclusive connection) ends with them.
   */
  onClose: (() => void) | undefined;

  /** Closes every connection the view opened, gracefully (pending replies arrive). */
  closeAll(): Promise<void> {
    this.onClose?.();
    return this.connections.closeAll();
  }

  /** Drops every connection the view opened at once, failing their pending commands. */
  destroyAll(): void {
    this.onClose?.();
    for (const connection of this.ready.values()) void closeDuplicate(connection, 'disconnect');
    this.ready.clear();
    this.opened.delete(this);
    void this.connections.closeAll();
  }
}
