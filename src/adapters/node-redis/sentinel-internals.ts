/**
 * The parts of node-redis's Sentinel client (`createSentinel()`, node-redis 5 and 6) and of its
 * leases (`acquire()`, `use(fn)`) the adapter touches, typed structurally (no node-redis import).
 */
import type { NamespaceGuard } from '../../core/index.js';

/** What a `RedisSentinel` or a `RedisSentinelClient` lease (or a proxy of one) has that the adapter uses. */
export interface NodeRedisSentinelLike {
  readonly _self: NodeRedisSentinelLike;
  /** Runs `fn` on a node client: the master's (a lease of its pool) or, for reads with replicas, a replica's. */
  _execute(isReadonly: unknown, fn: (client: never) => Promise<unknown>): Promise<unknown>;
  readonly commandOptions?: object;
  readonly Multi: (...args: never[]) => unknown;
  [name: string]: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

const runsOnNodes = (value: unknown): value is NodeRedisSentinelLike =>
  isObject(value) && isObject(value._self) && typeof value._execute === 'function' && typeof value.sendCommand === 'function' && typeof value.Multi === 'function';

/** Duck-typed: a node-redis Sentinel client from `createSentinel()` (connected or not), or a proxy of one. */
export function isNodeRedisSentinel(value: unknown): value is NodeRedisSentinelLike {
  return runsOnNodes(value) && typeof value.use === 'function' && typeof value.acquire === 'function' && typeof value.getMasterNode === 'function';
}

/** Duck-typed: a lease of a Sentinel's master pool (`sentinel.acquire()`). */
export function isNodeRedisSentinelLease(value: unknown): value is NodeRedisSentinelLike {
  return runsOnNodes(value) && typeof value.release === 'function' && typeof value.use !== 'function' && value._slots === undefined;
}

/**
 * `duplicate(overrides)` of a Sentinel view: the node clients' connection name
 * (`nodeClientOptions.name`, sent with CLIENT SETNAME) in the view's namespace, as CLIENT SETNAME
 * through the view would set it. `name` (the master group) is not a connection name: left alone.
 *
 * @throws what the guard throws for a name it refuses.
 */
export function namedNodeClients(guard: NamespaceGuard, overrides: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const nodeClientOptions = overrides?.nodeClientOptions as { name?: unknown } | undefined;
  if (!isObject(nodeClientOptions) || typeof nodeClientOptions.name !== 'string' || nodeClientOptions.name === '') return overrides;
  const name = guard.rewrite('client', ['setname', nodeClientOptions.name], { shape: undefined, keys: 0 })[1];
  return { ...overrides, nodeClientOptions: { ...nodeClientOptions, name } };
}
