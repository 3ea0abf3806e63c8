import type { NodeRedisClientLike } from './internals.js';
import { defineOwn, memoizeByObject } from './view-common.js';

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

type IsolateClient = (client: NodeRedisClientLike) => NodeRedisClientLike;

/**
 * Everything through which a cluster hands out its node clients (`masters[i].client`,
 * `replicas`, `slots[n].master`, `nodeByAddress`, `pubSubNode`, `getRandomNode()`,
 * `getSlotMaster()`, `nodeClient()`...) returns, on a view, nodes whose clients are isolated views: a raw node
 * client would send commands past the guard. The node objects node-redis keeps are never
 * modified; the view's are read-only stand-ins, turned back into the real ones when they are
 * handed to the cluster (`nodeClient(node)`). `getNodeClientForKey(key)` routes by the prefixed key.
 */
export function isolateClusterNodes(view: object, cluster: Record<string, unknown>, isolate: IsolateClient, routingKey: (key: never) => unknown): void {
  const originals = new WeakMap<object, ShardNode>();
  const clientOf = (client: NodeRedisClientLike | undefined): NodeRedisClientLike | undefined => (client === undefined ? undefined : isolate(client));
  const wrapNode = memoizeByObject((node: ShardNode): ShardNode => {
    const stand_in = Object.create(node, {
      client: { get: () => clientOf(node.client) },
      connectPromise: { get: () => node.connectPromise?.then(isolate) },
      pubSub: {
        get: () =>
          node.pubSub &&
          Object.create(node.pubSub, {
            client: { get: () => clientOf(node.pubSub?.client) },
            connectPromise: { get: () => node.pubSub?.connectPromise?.then(isolate) },
          }),
      },
    }) as ShardNode;
    originals.set(stand_in, node);
    return stand_in;
  });
  // getMasters() and getSlotMaster() read the view's own masters and slots: their nodes are stand-ins already.
  const node = (value: unknown): unknown =>
    typeof value === 'object' && value !== null && !originals.has(value) ? wrapNode(value as ShardNode) : value;
  const wrapShard = memoizeByObject(
    (shard: Shard): Shard =>
      Object.create(shard, {
        master: { get: () => node(shard.master) },
        replicas: { get: () => shard.replicas?.map(node) },
      }) as Shard,
  );
  const original = (value: unknown): unknown => (typeof value === 'object' && value !== null ? (originals.get(value) ?? value) : value);

  const getter = (name: string, wrap: (value: unknown) => unknown): void => {
    const descriptor = findAccessor(cluster, name);
    if (!descriptor?.get) return;
    const get = descriptor.get;
    Object.defineProperty(view, name, { get() { return wrap(get.call(this)); }, configurable: true });
  };
  getter('masters', (nodes) => (nodes as ShardNode[]).map(node));
  getter('replicas', (nodes) => (nodes as ShardNode[]).map(node));
  getter('nodeByAddress', (map) => new Map([...(map as Map<string, ShardNode>)].map(([address, n]) => [address, node(n)])));
  // The node whose client carries the cluster's SUBSCRIBE/PSUBSCRIBE: raw, it would subscribe to any namespace's channels.
  getter('pubSubNode', node);
  getter('slots', (slots) =>
    new Proxy(slots as Shard[], {
      get: (target, key, receiver) => {
        const value = Reflect.get(target, key, receiver) as unknown;
        return typeof key === 'string' && /^\d+$/.test(key) && typeof value === 'object' && value !== null ? wrapShard(value as Shard) : value;
      },
    }),
  );

  for (const name of ['getMasters', 'getSlotMaster', 'getRandomNode', 'getSlotRandomNode']) {
    const method = cluster[name];
    if (typeof method !== 'function') continue;
    defineOwn(view, name, function (this: unknown, ...args: unknown[]) {
      const result = (method as (...a: unknown[]) => unknown).apply(this, args);
      return Array.isArray(result) ? result.map(node) : node(result);
    });
  }
  for (const name of ['nodeClient', 'getNodeClientForKey']) {
    const method = cluster[name];
    if (typeof method !== 'function') continue;
    defineOwn(view, name, function (this: unknown, ...args: unknown[]) {
      args[0] = name === 'nodeClient' ? original(args[0]) : routingKey(args[0] as never);
      const client = (method as (...a: unknown[]) => unknown).apply(this, args);
      return client instanceof Promise ? client.then((c: NodeRedisClientLike) => isolate(c)) : isolate(client as NodeRedisClientLike);
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
