import type { NamespaceGuard } from '../../core/index.js';
import type { Instrumentation } from '../../instrument/instrumentation.js';
import { createNodeRedisClientView } from './client-view.js';
import { createNodeRedisClusterView } from './cluster-view.js';
import { isNodeRedisClient, isNodeRedisCluster } from './internals.js';
import { createNodeRedisPoolView, isNodeRedisPool } from './pool-view.js';

/** Duck-typed: a node-redis client, cluster or client pool (`redis` / `@redis/client` 5 or 6). */
export function isNodeRedis(value: unknown): boolean {
  return isNodeRedisCluster(value) || isNodeRedisClient(value) || isNodeRedisPool(value);
}

/** An isolated view of a node-redis client, cluster or pool; `client` must pass {@link isNodeRedis}. */
export function createNodeRedisView<C extends object>(client: C, guard: NamespaceGuard, instr: Instrumentation): C {
  if (isNodeRedisCluster(client)) return createNodeRedisClusterView(client, guard, instr);
  if (isNodeRedisClient(client)) return createNodeRedisClientView(client, guard, instr);
  if (isNodeRedisPool(client)) return createNodeRedisPoolView(client, guard, instr, createNodeRedisClientView) as C;
  throw new TypeError('not a node-redis client, cluster or pool');
}
