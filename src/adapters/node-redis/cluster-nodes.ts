import type { RedisArg } from '../../core/index.js';
import type { NodeRedisClientLike } from './internals.js';
import { defineOwn, stateOf, type ViewState } from './view-state.js';

/** A cluster node as node-redis describes it: its address, and its client once connected. */
interface ShardNode {
  readonly client?: NodeRedisClientLike;
  readonly connectPromise?: Promise<NodeRedisClientLike>;
  readonly pubSub?: { readonly client?: NodeRedisClientLike; readonly connectPromise?: Promise<NodeRedisClientLike> };
}
interface Shard {
  readonly master: ShardNode;
  readonly replicas?: readonly ShardNode[];
}

/** A cluster view's read-only stand-ins for node-redis's node and shard objects, made on first need. */
export interface ClusterStandIns {
  readonly nodes: WeakMap<object, ShardNode>;
  readonly shards: WeakMap<object, Shard>;
}

/** The isolated view of a node client for the view of `state`. */
export type IsolateNode = (state: ViewState, client: NodeRedisClientLike) => NodeRedisClientLike;

/** Every stand-in of every view, to its node-redis original (handed back to the cluster by `nodeClient(node)`). */
const originals = new WeakMap<object, ShardNode>();

/**
 * Everything through which a cluster hands out its node clients (`masters[i].client`,
 * `replicas`, `slots[n].master`, `nodeByAddress`, `pubSubNode`, `getRandomNode()`,
 * `getSlotMaster()`, `nodeClient()`...) returns, on a view, nodes whose clients are isolated
 * views: a raw node client would send commands past the guard. The node objects node-redis keeps
 * are never modified; the view's are read-only stand-ins, turned back into the real ones when
 * they are handed to the cluster (`nodeClient(node)`). `getNodeClientForKey(key)` routes by the
 * prefixed key. Defined once on the base of the cluster's views; each view's stand-ins are its
 * own, made on first need.
 */
export function defineClusterNodes(
  base: object,
  cluster: Record<string, unknown>,
  isolate: IsolateNode,
  standInsOf: (state: ViewState) => ClusterStandIns,
  routingKey: (state: ViewState, key: RedisArg | undefined) => RedisArg | undefined,
): void {
  const clientOf = (state: ViewState, client: NodeRedisClientLike | undefined): NodeRedisClientLike | undefined => (client === undefined ? undefined : isolate(state, client));
  const wrapNode = (state: ViewState, node: ShardNode): ShardNode => {
    const made = standInsOf(state).nodes;
    let standIn = made.get(node);
    if (!standIn) {
      const connected = (promise: Promise<NodeRedisClientLike> | undefined): Promise<NodeRedisClientLike> | undefined => promise?.then((client) => isolate(state, client));
      standIn = Object.create(node, {
        client: { get: () => clientOf(state, node.client) },
        connectPromise: { get: () => connected(node.connectPromise) },
        pubSub: {
          get: () =>
            node.pubSub &&
            Object.create(node.pubSub, {
              client: { get: () => clientOf(state, node.pubSub?.client) },
              connectPromise: { get: () => connected(node.pubSub?.connectPromise) },
            }),
        },
      }) as ShardNode;
      originals.set(standIn, node);
      made.set(node, standIn);
    }
    return standIn;
  };
  // getMasters() and getSlotMaster() read the view's own masters and slots: their nodes are stand-ins already.
  const node = (state: ViewState, value: unknown): unknown =>
    typeof value === 'object' && value !== null && !originals.has(value) ? wrapNode(state, value as ShardNode) : value;
  const wrapShard = (state: ViewState, shard: Shard): Shard => {
    const made = standInsOf(state).shards;
    let standIn = made.get(shard);
    if (!standIn) {
      standIn = Object.create(shard, {
        master: { get: () => node(state, shard.master) },
        replicas: { get: () => shard.replicas?.map((replica) => node(state, replica)) },
      }) as Shard;
      made.set(shard, standIn);
    }
    return standIn;
  };
  const original = (value: unknown): unknown => (typeof value === 'object' && value !== null ? (originals.get(value) ?? value) : value);

  const getter = (name: string, wrap: (state: ViewState, value: unknown) => unknown): void => {
    const descriptor = findAccessor(cluster, name);
    if (!descriptor?.get) return;
    const get = descriptor.get;
    Object.defineProperty(base, name, {
      get(this: unknown) {
        return wrap(stateOf(this), get.call(this));
      },
      configurable: true,
    });
  };
  const nodes = (state: ViewState, list: unknown): unknown => (list as ShardNode[]).map((n) => node(state, n));
  getter('masters', nodes);
  getter('replicas', nodes);
  getter('nodeByAddress', (state, map) => new Map([...(map as Map<string, ShardNode>)].map(([address, n]) => [address, node(state, n)])));
  // The node whose client carries the cluster's SUBSCRIBE/PSUBSCRIBE: raw, it would subscribe to any namespace's channels.
  getter('pubSubNode', node);
  getter('slots', (state, slots) =>
    new Proxy(slots as Shard[], {
      get: (target, key, receiver) => {
        const value = Reflect.get(target, key, receiver) as unknown;
        return typeof key === 'string' && /^\d+$/.test(key) && typeof value === 'object' && value !== null ? wrapShard(state, value as Shard) : value;
      },
    }),
  );

  for (const name of ['getMasters', 'getSlotMaster', 'getRandomNode', 'getSlotRandomNode']) {
    const method = cluster[name];
    if (typeof method !== 'function') continue;
    defineOwn(base, name, function (this: unknown, ...args: unknown[]) {
      const state = stateOf(this);
      const result = (method as (...a: unknown[]) => unknown).apply(this, args);
      return Array.isArray(result) ? result.map((n) => node(state, n)) : node(state, result);
    });
  }
  for (const name of ['nodeClient', 'getNodeClientForKey']) {
    const method = cluster[name];
    if (typeof method !== 'function') continue;
    defineOwn(base, name, function (this: unknown, ...args: unknown[]) {
      const state = stateOf(this);
      args[0] = name === 'nodeClient' ? original(args[0]) : routingKey(state, args[0] as RedisArg | undefined);
      const client = (method as (...a: unknown[]) => unknown).apply(this, args);
      return client instanceof Promise ? client.then((c: NodeRedisClientLike) => isolate(state, c)) : isolate(state, client as NodeRedisClientLike);
    });
  }
}

function findAccessor(object: object, name: string): PropertyDescriptor | undefined {
  for (let proto: object | null = object; proto; proto = Object.getPrototypeOf(proto) as object | null) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, name);
    if (descriptor) return descriptor;
  }
  return undefined;
}
