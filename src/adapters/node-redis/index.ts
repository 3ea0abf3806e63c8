import type { NamespaceGuard } from '../../core/index.js';
import type { Instrumentation } from '../../instrument/instrumentation.js';
import { createNodeRedisClientView } from './client-view.js';
import { createNodeRedisClusterView } from './cluster-view.js';
import { isNodeRedisClient, isNodeRedisCluster } from './internals.js';
import { createNodeRedisPoolView, isNodeRedisPool } from './pool-view.js';
import { createNodeRedisSentinelLeaseView, createNodeRedisSentinelView, isNodeRedisSentinel, isNodeRedisSentinelLease } from './sentinel-view.js';
import type { NodeRedisViewOptions } from './view-common.js';

export type { NodeRedisViewOptions } from './view-common.js';

/** Duck-typed: a node-redis client, cluster, client pool, Sentinel or Sentinel lease (`redis` / `@redis/client` 5 or 6). */
export function isNodeRedis(value: unknown): boolean {
  return isNodeRedisCluster(value) || isNodeRedisClient(value) || isNodeRedisPool(value) || isNodeRedisSentinel(value) || isNodeRedisSentinelLease(value);
}

/**
 * An isolated view of a node-redis client, cluster, pool, Sentinel or Sentinel lease; `client` must pass {@link isNodeRedis}.
 * `options.owned`: the library created the client, so the view owns it (see {@link NodeRedisViewOptions}).
 */
export function createNodeRedisView<C extends object>(client: C, guard: NamespaceGuard, instr: Instrumentation, options: NodeRedisViewOptions = {}): C {
  if (isNodeRedisCluster(client)) return createNodeRedisClusterView(client, guard, instr, options);
  if (isNodeRedisClient(client)) return createNodeRedisClientView(client, guard, instr, options);
  if (isNodeRedisPool(client)) return createNodeRedisPoolView(client, guard, instr, createNodeRedisClientView, options) as C;
  if (isNodeRedisSentinel(client)) return createNodeRedisSentinelView(client, guard, instr, options);
  if (isNodeRedisSentinelLease(client)) return createNodeRedisSentinelLeaseView(client, guard, instr, options);
  throw new TypeError('not a node-redis client, cluster, pool or Sentinel');
}
