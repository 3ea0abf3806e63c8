import type { NamespaceGuard } from '../../core/index.js';
import type { Instrumentation } from '../../instrument/instrumentation.js';
import { closeViewConnections, registerViewConnections } from '../own-connections.js';
import { defineClientSideCache } from './cache-facade.js';
import { closeViewOwn, createNodeRedisClientView } from './client-view.js';
import { bindReceiver, commandLayer, lazyReceivers } from './command-methods.js';
import type { NodeRedisClientLike } from './internals.js';
import { definePubSub } from './pubsub.js';
import { namedNodeClients, type NodeRedisSentinelLike } from './sentinel-internals.js';
import { DirectHub } from './subscription-hubs.js';
import { assertWrappable, completeBase, type NodeRedisViewOptions } from './view-common.js';
import { Bases, createView, defineOwn, stateOf, ViewState } from './view-state.js';

export { isNodeRedisSentinel, isNodeRedisSentinelLease } from './sentinel-internals.js';

type NodeFn = (client: NodeRedisClientLike) => Promise<unknown>;
type Execute = (this: unknown, isReadonly: unknown, fn: NodeFn) => Promise<unknown>;
type Method = (this: unknown, ...args: unknown[]) => unknown;

const sentinelBases = new Bases((sentinel: NodeRedisSentinelLike, owned: boolean) => buildBase(sentinel, owned, 'sentinel'));
const leaseBases = new Bases((lease: NodeRedisSentinelLike, owned: boolean) => buildBase(lease, owned, 'lease'));

/**
 * An isolated view of a node-redis Sentinel client (`createSentinel({ name, sentinelRootNodes })`,
 * node-redis 5 and 6): an object over the Sentinel's view base with its state as one own property,
 * like the other node-redis views.
 *
 * A Sentinel runs every command, typed, raw, scripted, in a MULTI or a pipeline, as
 * `_execute(isReadonly, client => ...)` on one of its node clients: the master's (one of its
 * pool, leased for the command) or, for reads with `replicaPoolSize`, a replica's. The view hands
 * those functions an isolated view of that node client instead, so each command goes through the
 * guard there, and a command the Sentinel retries after a failover (a READONLY reply, a lost
 * connection) is guarded again from the caller's arguments on the new master's client: the
 * prefix is applied once per attempt, never twice.
 *
 * The node clients are shared: between the namespaces of a Sentinel passed in, and, for the
 * master's pool, between every lease over time. Their views are views over shared clients
 * (blocking commands and WATCH with the `multi()` that follows on a connection of the view's own
 * to that node, session commands refused), one per view and node client; those of clients the
 * Sentinel replaced at a failover are dropped with them. Subscriptions go through the Sentinel's
 * own pub/sub connection, which it moves to the new master at a failover, the views' listeners
 * (un-prefixing wrappers) with it. `use(fn)` and `acquire()` hand out views of the lease, with
 * WATCH and blocking commands on connections of the lease view's own, closed when it is released.
 * `close()`/`destroy()` close what the view opened; a Sentinel the view owns (`duplicate()`) too.
 *
 * @example
 * ```ts
 * const view = createNodeRedisSentinelView(sentinel, guard, instr);
 * await view.set('k', 'v'); // SET mcp2:k v on the current master
 * ```
 */
export function createNodeRedisSentinelView<S extends object>(sentinel: S, guard: NamespaceGuard, instr: Instrumentation, options: NodeRedisViewOptions = {}): S {
  return createView<S>(sentinelBases.of(sentinel, options.owned === true), new ViewState(guard, instr));
}

/** An isolated view of a lease of a Sentinel's master pool (`sentinel.acquire()`, the client `use(fn)` hands `fn`). */
export function createNodeRedisSentinelLeaseView<L extends object>(lease: L, guard: NamespaceGuard, instr: Instrumentation, options: NodeRedisViewOptions = {}): L {
  return createView<L>(leaseBases.of(lease, options.owned === true), new ViewState(guard, instr));
}

function buildBase(client: NodeRedisSentinelLike, owned: boolean, kind: 'sentinel' | 'lease'): object {
  assertWrappable(client);
  const base = Object.create(commandLayer(client)) as Record<string, unknown>;
  lazyReceivers(base);
  const self = client._self;

  // The raw node clients the views were handed, to close what views opened over them (their
  // exclusive connections) with the Sentinel; those the Sentinel closed are forgotten.
  const nodeClients = new Set<NodeRedisClientLike>();
  if (!owned && kind === 'sentinel') {
    registerViewConnections(client, async (how) => {
      await Promise.allSettled([...nodeClients].map((node) => closeViewConnections(node, how)));
    });
  }

  /** The isolated view of node client `node` for the view of `state`. */
  const isolatedNode = (state: ViewState, node: NodeRedisClientLike): NodeRedisClientLike => {
    const views = (state.own().nodeViews ??= new Map());
    let view = views.get(node);
    if (!view) {
      // A failover replaces the node clients: views of closed ones (their connections closed with them) are dropped.
      for (const [old] of views) if (old.isOpen === false) views.delete(old);
      for (const old of nodeClients) if (old.isOpen === false) nodeClients.delete(old);
      view = createNodeRedisClientView(node, state.guard, state.instr, { owned });
      views.set(node, view);
      nodeClients.add(node);
    }
    return view;
  };
  const closeNodes = (state: ViewState, how: 'quit' | 'disconnect'): Promise<unknown> =>
    Promise.allSettled([...(state.parts?.nodeViews?.values() ?? [])].map((view) => closeViewOwn(view, how)));

  const execute = self._execute as Execute;
  defineOwn(base, '_execute', function (this: unknown, isReadonly: unknown, fn: NodeFn) {
    let state: ViewState;
    try {
      state = stateOf(this);
    } catch (error) {
      return Promise.reject(error);
    }
    return execute.call(self, isReadonly, (node) => fn(isolatedNode(state, node)));
  });

  // The generated commands read `this.commandOptions` on their receiver, whose `_self` is the view:
  // the driver's getter would read a private field of the view. The view merges as node-redis 6 does.
  Object.defineProperty(base, 'commandOptions', {
    get(this: { _commandOptions?: object }) {
      const own = this._commandOptions;
      const options = self.commandOptions as object | undefined;
      return own === undefined ? options : { ...options, ...own };
    },
    configurable: true,
    enumerable: false,
  });

  if (kind === 'sentinel') defineLeases(base, client, owned);
  else defineRelease(base, client, closeNodes);

  if (kind === 'sentinel') {
    // The Sentinel's pub/sub connection is its own, moved to the new master at a failover; it is
    // closed as soon as it has no subscription left: one operation at a time.
    const hub = new DirectHub(self as unknown as NodeRedisClientLike, true);
    definePubSub(base, client, { hubOf: () => hub, bareSharded: true });
    defineClientSideCache(base, client, owned);
    defineClose(base, client, owned, closeNodes);
  }
  completeBase(base, client, owned, (duplicate: NodeRedisSentinelLike, guard, instr) => createNodeRedisSentinelView(duplicate, guard, instr, { owned: true }));
  defineDerivation(base);
  if (kind === 'sentinel') defineDuplicate(base, client);
  return base;
}

/** `use(fn)` hands `fn` a view of the lease; `acquire()` resolves with one. */
function defineLeases(base: object, sentinel: NodeRedisSentinelLike, owned: boolean): void {
  const use = sentinel.use as Method;
  const acquire = sentinel.acquire as Method;
  defineOwn(base, 'use', function (this: unknown, fn: (lease: unknown) => unknown) {
    let state: ViewState;
    try {
      state = stateOf(this);
    } catch (error) {
      return Promise.reject(error);
    }
    return use.call(this, async (lease: NodeRedisSentinelLike) => {
      const view = createNodeRedisSentinelLeaseView(lease, state.guard, state.instr, { owned });
      try {
        return await fn(view);
      } finally {
        await closeLeaseOwn(view);
      }
    });
  });
  defineOwn(base, 'acquire', async function (this: unknown) {
    const { guard, instr } = stateOf(this);
    const lease = (await acquire.call(this)) as NodeRedisSentinelLike;
    return createNodeRedisSentinelLeaseView(lease, guard, instr, { owned });
  });
}

/** What closes what a lease view opened (its exclusive connections), under a module-private key. */
const CLOSE_LEASE = Symbol('isolated-redis.node-redis.close-lease');
const closeLeaseOwn = (view: object): Promise<unknown> => ((view as Record<symbol, () => Promise<unknown>>)[CLOSE_LEASE] as () => Promise<unknown>).call(view);

/** A lease view's `release()` closes the connections it opened (ending its WATCH) before the lease goes back to the pool. */
function defineRelease(base: object, lease: NodeRedisSentinelLike, closeNodes: (state: ViewState, how: 'quit' | 'disconnect') => Promise<unknown>): void {
  defineOwn(base, CLOSE_LEASE, function (this: unknown) {
    return closeNodes(stateOf(this), 'quit');
  });
  const release = lease.release as Method;
  defineOwn(base, 'release', function (this: unknown) {
    const state = stateOf(this);
    // Released at once, as node-redis does (a second release throws); the connections close after.
    const released = release.call(this);
    void closeNodes(state, 'quit');
    return released;
  });
}

/** Closing: a view over a shared Sentinel closes what it opened; one that owns it, the Sentinel too. */
function defineClose(base: object, sentinel: NodeRedisSentinelLike, owned: boolean, closeNodes: (state: ViewState, how: 'quit' | 'disconnect') => Promise<unknown>): void {
  const closeOwn = (state: ViewState, how: 'quit' | 'disconnect'): Promise<unknown> =>
    Promise.allSettled([closeNodes(state, how), state.parts?.subscriptions?.unsubscribeAll()]);
  const close = sentinel.close as Method;
  const destroy = sentinel.destroy as Method;
  defineOwn(base, 'close', async function (this: unknown) {
    await closeOwn(stateOf(this), 'quit');
    if (owned) return close.call(this);
  });
  defineOwn(base, 'destroy', async function (this: unknown) {
    await closeOwn(stateOf(this), 'disconnect');
    if (owned) return destroy.call(this);
  });
}

/**
 * `withCommandOptions()`, `withTypeMapping()` and `_commandOptionsProxy()` return a view with
 * other command options. node-redis 5's Sentinel would write them into the shared Sentinel
 * itself (its private options, every namespace's): the view derives its own instead, merging as
 * node-redis 6 does.
 */
function defineDerivation(base: object): void {
  const derive = (parent: object, options: unknown): object => {
    const derived = Object.create(parent) as object;
    defineOwn(derived, '_commandOptions', options);
    bindReceiver(derived);
    return derived;
  };
  defineOwn(base, 'withCommandOptions', function (this: object, options: unknown) {
    return derive(this, options);
  });
  defineOwn(base, '_commandOptionsProxy', function (this: { commandOptions?: object }, key: string, value: unknown) {
    return derive(this, { ...this.commandOptions, [key]: value });
  });
  defineOwn(base, 'withTypeMapping', function (this: { commandOptions?: object }, typeMapping: unknown) {
    return derive(this, { ...this.commandOptions, typeMapping });
  });
}

/**
 * node-redis 6's `duplicate(overrides)`: a new Sentinel, owned by the view it is returned as.
 * `name` is the master group's name there, left alone; the node clients' connection name
 * (`nodeClientOptions.name`, set with CLIENT SETNAME) is put in the namespace.
 */
function defineDuplicate(base: object, sentinel: NodeRedisSentinelLike): void {
  const duplicate = sentinel.duplicate as Method | undefined;
  if (typeof duplicate !== 'function') return;
  defineOwn(base, 'duplicate', function (this: unknown, overrides?: Record<string, unknown>) {
    const { guard, instr } = stateOf(this);
    let named: Record<string, unknown> | undefined;
    try {
      named = namedNodeClients(guard, overrides);
    } catch (error) {
      throw instr.rejected(error);
    }
    return createNodeRedisSentinelView(duplicate.call(sentinel, named) as object, guard, instr, { owned: true });
  });
}
