import type { ReplyShape } from '../../core/index.js';
import { ViewState as SharedViewState, stateReader } from '../view-state.js';
import type { IsolationInfo } from '../isolation-info.js';
import type { NamespaceCache } from './cache-facade.js';
import type { ClusterStandIns } from './cluster-nodes.js';
import type { ViewListeners } from './emitter.js';
import type { NodeRedisClientLike } from './internals.js';
import type { NodeRedisOwnClients } from './own-clients.js';
import type { ViewSubscriptions } from './pubsub.js';

/** Where a node-redis view keeps its {@link ViewState}: its one own property (derived views inherit it). */
export const STATE = Symbol('isolated-redis.node-redis-view');

/**
 * What a view has of its own beyond its guard and instrumentation, each part created the first
 * time the view needs it: most views never need any, and then cost none of it.
 */
export interface ViewParts {
  /** A client view over a shared client: its exclusive connection (blocking commands, WATCH), opened on first need. */
  own?: NodeRedisOwnClients;
  /** A client view over a shared client: its WATCH was sent on its exclusive connection and not yet ended. */
  watching?: boolean;
  /** A client view over a shared client: why its next transaction must fail (`setDirtyWatch()`, a closed watch connection). */
  dirtyWatch?: string | undefined;
  /** The view's subscriptions (channels, patterns, shard channels) and its wrapped listeners. */
  subscriptions?: ViewSubscriptions;
  /** The listeners the view added to the client's events (`on`, `once`...), so that it removes only its own. */
  listeners?: ViewListeners;
  isolation?: IsolationInfo;
  /** The namespace's facade of the client's (or pool's) `clientSideCache`, for the cache object it was made for. */
  cache?: { readonly of: object; readonly facade: NamespaceCache };
  /** Cluster and pool views: isolated views of the node (or lent) clients, one per raw client. */
  nodeViews?: Map<NodeRedisClientLike, NodeRedisClientLike>;
  /** Cluster views: stand-ins of node-redis's node and shard objects (see cluster-nodes.ts). */
  standIns?: ClusterStandIns;
  /** Cluster views: per node client and reply shape, the node with executors that strip the prefix. */
  unprefixingNodes?: Map<NodeRedisClientLike, Map<ReplyShape, NodeRedisClientLike>>;
  /** Per node client: a node that runs script objects behind the namespace's Lua guard. */
  scriptingNodes?: Map<NodeRedisClientLike, NodeRedisClientLike>;
}

/** The state of one view (see the shared {@link SharedViewState}), with the parts of a node-redis view. */
export class ViewState extends SharedViewState<ViewParts> {}

/**
 * The state of the view a shared method was called on. Called on anything else (the per-client
 * base itself, an object borrowing the method), it refuses: nothing is sent unguarded.
 */
export const stateOf = stateReader<ViewState>(STATE, 'node-redis');

/** Defines an own, non-enumerable property of a view or a base. */
export function defineOwn(target: object, name: string | symbol, value: unknown): void {
  Object.defineProperty(target, name, { value, writable: true, configurable: true, enumerable: false });
}

/** A new view over `base`: the base's methods, and the view's own state. */
export function createView<T>(base: object, state: ViewState): T {
  const view = Object.create(base) as { [STATE]: ViewState };
  view[STATE] = state;
  return view as T;
}

/**
 * The per-client bases of one kind of view, at most one for views that share the client and one
 * for views that own it, held weakly by client: one entry per client, never one per view.
 */
export class Bases {
  private readonly byClient = new WeakMap<object, { shared?: object; owned?: object }>();

  constructor(private readonly build: (client: never, owned: boolean) => object) {}

  /** The base of `client`'s views, built on the first one. */
  of(client: object, owned: boolean): object {
    let entry = this.byClient.get(client);
    if (!entry) {
      entry = {};
      this.byClient.set(client, entry);
    }
    return owned ? (entry.owned ??= this.build(client as never, true)) : (entry.shared ??= this.build(client as never, false));
  }
}
