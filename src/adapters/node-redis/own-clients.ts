import { OwnConnections, type OwnConnectionRole } from '../own-connections.js';
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
 * The connections a node-redis view over a shared client opens for itself (see
 * {@link OwnConnections}): raw clients from `client.duplicate()`, connected on first need. They
 * are never handed out; the view sends on them only what its guard returned. Their errors are
 * reported on the client's `error` listeners (when it has any), as the client's own would be.
 */
export class NodeRedisOwnClients {
  private readonly connections: OwnConnections<NodeRedisClientLike>;
  /** The connected clients, by role, for what must be read synchronously (pub/sub listeners, watch state). */
  private readonly ready = new Map<OwnConnectionRole, NodeRedisClientLike>();

  constructor(client: NodeRedisClientLike) {
    this.connections = new OwnConnections<NodeRedisClientLike>(
      async (role): Promise<NodeRedisClientLike> => {
        const duplicate = (client.duplicate as () => Emitting).call(client);
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
        this.ready.set(role, duplicate);
        return duplicate;
      },
      async (connection: NodeRedisClientLike) => {
        for (const [role, opened] of this.ready) if (opened === connection) this.ready.delete(role);
        const own = connection as Emitting;
        if (!own.isOpen) return;
        try {
          await (own.close ?? own.quit)?.call(own);
        } catch {
          if (own.isOpen) own.destroy?.();
        }
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
   * Called synchronously when the view's connections are closed (by the view, or by the cluster
   * or pool view it belongs to), before anything else is sent: state kept about them (a WATCH
   * sent on the exclusive connection) ends with them.
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
    for (const connection of this.ready.values()) {
      const own = connection as Emitting;
      if (own.isOpen) own.destroy?.();
    }
    this.ready.clear();
    void this.connections.closeAll();
  }
}
