import type { NamespaceGuard } from '../../core/index.js';
import type { Instrumentation } from '../../instrument/instrumentation.js';
import { commandLayer } from './command-methods.js';
import type { NodeRedisClientLike } from './internals.js';
import { assertWrappable, completeView, defineOwn, memoizeByObject } from './view-common.js';

type Execute = (this: unknown, fn: (client: NodeRedisClientLike) => unknown) => Promise<unknown>;

/** Duck-typed: a node-redis `RedisClientPool` (`createClientPool()`, `client.createPool()`). */
export function isNodeRedisPool(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate.execute === 'function' && typeof candidate.Multi === 'function' && typeof candidate._executeCommand !== 'function';
}

/**
 * An isolated view of a node-redis client pool. Every command of a pool, typed, raw, scripted or
 * in a MULTI, and every `execute(fn)` of the user, runs as `execute(client => ...)` on one of the
 * pool's clients: the view hands those functions an isolated view of that client instead, so
 * they go through the same guard as a single client's commands.
 */
export function createNodeRedisPoolView<P extends Record<string, unknown>>(
  pool: P,
  guard: NamespaceGuard,
  instr: Instrumentation,
  isolateClient: (client: NodeRedisClientLike, guard: NamespaceGuard, instr: Instrumentation) => NodeRedisClientLike,
): P {
  assertWrappable(pool);
  // The command layer gives the pool view module and function namespaces bound to it (see
  // command-methods.ts). Pool commands call `this.execute`, so they need no receiver of their own.
  const view = Object.create(commandLayer(pool)) as P;
  const isolated = memoizeByObject((client: NodeRedisClientLike) => isolateClient(client, guard, instr));
  const execute = pool.execute as Execute;
  defineOwn(view, 'execute', function (this: unknown, fn: (client: NodeRedisClientLike) => unknown) {
    return execute.call(this, (client) => fn(isolated(client)));
  });
  completeView(view, pool, guard, instr, (duplicate: P) => createNodeRedisPoolView(duplicate, guard, instr, isolateClient));
  return view;
}
