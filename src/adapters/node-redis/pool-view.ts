import type { NamespaceGuard } from '../../core/index.js';
import type { Instrumentation } from '../../instrument/instrumentation.js';
import { isolateClientSideCache } from './cache-facade.js';
import { commandLayer } from './command-methods.js';
import type { NodeRedisClientLike } from './internals.js';
import { ownClientsOfView } from './client-view.js';
import { assertWrappable, completeView, defineOwn, memoizeByObject, type NodeRedisViewOptions } from './view-common.js';

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
 *
 * A pool lends each of its clients to one `execute` at a time, but to every namespace over
 * time: a lent client is shared, so the view over it is a view over a shared client (blocking
 * commands and WATCH on a connection of its own, session commands refused, QUIT closing only
 * what it opened), and nothing one namespace does stays on a connection the next borrower gets.
 * Closing the pool view closes those connections; the pool itself only when the view owns it
 * (`createPool()` of a view, `duplicate()`): a pool passed in is its owner's to close.
 */
export function createNodeRedisPoolView<P extends Record<string, unknown>>(
  pool: P,
  guard: NamespaceGuard,
  instr: Instrumentation,
  isolateClient: (client: NodeRedisClientLike, guard: NamespaceGuard, instr: Instrumentation) => NodeRedisClientLike,
  options: NodeRedisViewOptions = {},
): P {
  assertWrappable(pool);
  // The command layer gives the pool view module and function namespaces bound to it (see
  // command-methods.ts). Pool commands call `this.execute`, so they need no receiver of their own.
  const view = Object.create(commandLayer(pool)) as P;
  const lent = new Set<NodeRedisClientLike>();
  const isolated = memoizeByObject((client: NodeRedisClientLike) => {
    const clientView = isolateClient(client, guard, instr);
    lent.add(clientView);
    return clientView;
  });
  const execute = pool.execute as Execute;
  defineOwn(view, 'execute', function (this: unknown, fn: (client: NodeRedisClientLike) => unknown) {
    return execute.call(this, (client) => fn(isolated(client)));
  });

  const closeLent = (): Promise<unknown> => Promise.all([...lent].map((clientView) => ownClientsOfView(clientView)?.closeAll()));
  const destroyLent = (): void => {
    for (const clientView of lent) ownClientsOfView(clientView)?.destroyAll();
  };
  const close = pool.close as () => Promise<unknown>;
  const destroy = pool.destroy as () => unknown;
  if (options.owned === true) {
    defineOwn(view, 'close', async function (this: unknown) {
      await closeLent();
      return close.call(this);
    });
    defineOwn(view, 'destroy', function (this: unknown) {
      destroyLent();
      return destroy.call(this);
    });
  } else {
    defineOwn(view, 'close', async () => {
      await closeLent();
    });
    defineOwn(view, 'destroy', destroyLent);
  }
  // The pool's cache holds every namespace's cached replies, as a client's does.
  isolateClientSideCache(view, pool, guard, options.owned === true);
  completeView(view, pool, guard, instr, (duplicate: P) => createNodeRedisPoolView(duplicate, guard, instr, isolateClient, { owned: true }), options);
  return view;
}
