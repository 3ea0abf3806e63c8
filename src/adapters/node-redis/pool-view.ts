import type { NamespaceGuard } from '../../core/index.js';
import type { Instrumentation } from '../../instrument/instrumentation.js';
import { defineClientSideCache } from './cache-facade.js';
import { commandLayer } from './command-methods.js';
import { closeViewOwn } from './client-view.js';
import type { NodeRedisClientLike } from './internals.js';
import { assertWrappable, completeBase, type NodeRedisViewOptions } from './view-common.js';
import { Bases, createView, defineOwn, stateOf, ViewState } from './view-state.js';

type Execute = (this: unknown, fn: (client: NodeRedisClientLike) => unknown) => Promise<unknown>;
type IsolateClient = (client: NodeRedisClientLike, guard: NamespaceGuard, instr: Instrumentation) => NodeRedisClientLike;

/** Duck-typed: a node-redis `RedisClientPool` (`createClientPool()`, `client.createPool()`). */
export function isNodeRedisPool(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate.execute === 'function' && typeof candidate.Multi === 'function' && typeof candidate._executeCommand !== 'function';
}

/** One base per pool (and kind of view); `isolateClient` is the client-view factory (passed in: client views create pools). */
const bases = new WeakMap<IsolateClient, Bases>();
const basesFor = (isolateClient: IsolateClient): Bases => {
  let made = bases.get(isolateClient);
  if (!made) {
    made = new Bases((pool: Record<string, unknown>, owned: boolean) => buildPoolBase(pool, owned, isolateClient));
    bases.set(isolateClient, made);
  }
  return made;
};

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
 *
 * Like a client view, a pool view is an object over the pool's view base with its state as one
 * own property; the views of the lent clients it needs are made on first need.
 */
export function createNodeRedisPoolView<P extends Record<string, unknown>>(
  pool: P,
  guard: NamespaceGuard,
  instr: Instrumentation,
  isolateClient: IsolateClient,
  options: NodeRedisViewOptions = {},
): P {
  const owned = options.owned === true;
  return createView<P>(basesFor(isolateClient).of(pool, owned), new ViewState(guard, instr));
}

function buildPoolBase(pool: Record<string, unknown>, owned: boolean, isolateClient: IsolateClient): object {
  assertWrappable(pool);
  // The command layer gives the pool view module and function namespaces bound to it (see
  // command-methods.ts). Pool commands call `this.execute`, so they need no receiver of their own.
  const base = Object.create(commandLayer(pool)) as object;
  /** The view of a lent client, one per view and client (its exclusive connection and WATCH are that view's). */
  const isolated = (state: ViewState, client: NodeRedisClientLike): NodeRedisClientLike => {
    const lent = (state.own().nodeViews ??= new Map());
    let view = lent.get(client);
    if (!view) {
      view = isolateClient(client, state.guard, state.instr);
      lent.set(client, view);
    }
    return view;
  };
  const execute = pool.execute as Execute;
  defineOwn(base, 'execute', function (this: unknown, fn: (client: NodeRedisClientLike) => unknown) {
    const state = stateOf(this);
    return execute.call(this, (client) => fn(isolated(state, client)));
  });

  const lentViews = (receiver: unknown): NodeRedisClientLike[] => [...(stateOf(receiver).parts?.nodeViews?.values() ?? [])];
  const closeLent = (receiver: unknown): Promise<unknown> => Promise.all(lentViews(receiver).map((clientView) => closeViewOwn(clientView, 'quit')));
  const destroyLent = (receiver: unknown): void => {
    for (const clientView of lentViews(receiver)) void closeViewOwn(clientView, 'disconnect').catch(() => undefined);
  };
  const close = pool.close as () => Promise<unknown>;
  const destroy = pool.destroy as () => unknown;
  if (owned) {
    defineOwn(base, 'close', async function (this: unknown) {
      await closeLent(this);
      return close.call(this);
    });
    defineOwn(base, 'destroy', function (this: unknown) {
      destroyLent(this);
      return destroy.call(this);
    });
  } else {
    defineOwn(base, 'close', async function (this: unknown) {
      await closeLent(this);
    });
    defineOwn(base, 'destroy', function (this: unknown) {
      destroyLent(this);
    });
  }
  // The pool's cache holds every namespace's cached replies, as a client's does.
  defineClientSideCache(base, pool, owned);
  completeBase(base, pool, owned, (duplicate: Record<string, unknown>, guard, instr) => createNodeRedisPoolView(duplicate, guard, instr, isolateClient, { owned: true }));
  return base;
}
