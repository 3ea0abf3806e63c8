import type { ConnectionScope, NamespaceGuard, RedisArg, ReplyShape } from '../../core/index.js';
import type { Instrumentation } from '../../instrument/instrumentation.js';
import { runsScript } from '../../core/scripts/script-refusal.js';
import { confinedScript, knowConfiguredScript, scriptError } from './scripts.js';
import { closeViewOwn, createNodeRedisClientView, exclusiveConnectionOf } from './client-view.js';
import { commandLayer, lazyReceivers } from './command-methods.js';
import type { NodeFn, NodeRedisClientLike, NodeRedisClusterLike, NodeRedisParser, QueuedCommand, TransformReply } from './internals.js';
import { defineClusterNodes } from './cluster-nodes.js';
import { definePubSub } from './pubsub.js';
import { replySlot, rewriteBatch, rewriteParser, rewriteRawArgs, RewrittenParser, unprefixBatch, unprefixing } from './rewrite.js';
import { assertTransactionLines, batchRoute, lineScope, sharedLineRefusal } from './scope.js';
import { closeViewConnections, registerViewConnections } from '../own-connections.js';
import { DirectHub } from './subscription-hubs.js';
import { assertWrappable, completeBase, type NodeRedisViewOptions } from './view-common.js';
import { Bases, createView, defineOwn, stateOf, ViewState } from './view-state.js';

type Executor = (command: unknown, parser: NodeRedisParser, options: unknown, transformReply: TransformReply) => Promise<unknown>;
type ClusterBatchExecutor = (firstKey: RedisArg | undefined, isReadonly: unknown, commands: QueuedCommand[]) => Promise<unknown[]>;
type MultiConstructor = new (executeMulti: ClusterBatchExecutor, executePipeline: ClusterBatchExecutor, ...rest: unknown[]) => unknown;

const bases = new Bases((cluster: NodeRedisClusterLike, owned: boolean) => buildClusterBase(cluster, owned));

/**
 * An isolated view of a node-redis cluster (`createCluster()`). Keys must carry the prefix
 * *before* node-redis picks the slot, so the view rewrites each parsed command before routing:
 *
 * - node-redis 6.3+ routes every typed command through `_executeWithPolicies(parser, ...)`,
 *   which also splits multi-shard commands (MGET across slots) and fans out all-shard ones (KEYS,
 *   SCAN) from the parser's arguments: the view hands it the rewritten parser.
 * - node-redis 5 calls `_execute(firstKey, ...)` with the parser inside a closure: the view
 *   routes by the prefixed first key and runs the closure on an isolated view of the node
 *   client, which rewrites the command there, before anything is sent.
 *
 * Replies are un-prefixed on the node client, before the command's own reply transform, so the
 * aggregation of multi-shard replies sees un-prefixed keys. Every node client the cluster
 * exposes (`nodeClient()`, `masters`, `slots`, `getRandomNode()`...; see cluster-nodes.ts) comes
 * back as an isolated view too.
 *
 * Connection scopes (core `connectionScope`) on a cluster passed in (shared with other
 * namespaces): node clients are shared, so their views are views over shared clients (blocking
 * commands and WATCH on a connection of the view's own to that node, session commands refused);
 * a blocking command of the cluster view runs on the exclusive connection of the node view it is
 * routed to. WATCH belongs to one node's connection: use the node view (`getNodeClientForKey(key)`,
 * whose `multi()` then runs where its WATCH was sent). Pub/sub already has connections of its
 * own in a cluster (shared by the views of that cluster: unsubscribing from all ends only the
 * view's). `quit()`/`close()`/`disconnect()`/`destroy()` close only what the view's nodes
 * opened; a cluster the view owns (`duplicate()`) is closed by them.
 *
 * Like a client view, a cluster view is an object over the cluster's view base with its state as
 * one own property; node views, stand-ins and subscriptions are made on first need.
 */
export function createNodeRedisClusterView<C extends NodeRedisClusterLike>(cluster: C, guard: NamespaceGuard, instr: Instrumentation, options: NodeRedisViewOptions = {}): C {
  const owned = options.owned === true;
  return createView<C>(bases.of(cluster, owned), new ViewState(guard, instr));
}

function buildClusterBase(cluster: NodeRedisClusterLike, owned: boolean): object {
  assertWrappable(cluster);
  const base = Object.create(commandLayer(cluster)) as Record<string, unknown>;
  lazyReceivers(base);
  const self = cluster._self;

  if (!owned) {
    // The connections node views opened are the node clients' (see client-view.ts): those of the
    // cluster's current nodes are closed with it.
    registerViewConnections(cluster, async (how) => {
      await Promise.allSettled(nodeClientsOf(self).map((client) => closeViewConnections(client, how)));
    });
  }

  // node-redis 5 runs each typed command on such a view: it is observed there.
  const isolatedNode = (state: ViewState, client: NodeRedisClientLike): NodeRedisClientLike => {
    const nodes = (state.own().nodeViews ??= new Map());
    let node = nodes.get(client);
    if (!node) {
      node = createNodeRedisClientView(client, state.guard, state.instr, { owned });
      nodes.set(client, node);
    }
    return node;
  };
  const nodeViewsOf = (state: ViewState): NodeRedisClientLike[] => [...(state.parts?.nodeViews?.values() ?? [])];
  /** The connection a blocking command routed to node `client` runs on: the node view's exclusive one. */
  const exclusiveOf = (state: ViewState, client: NodeRedisClientLike): Promise<NodeRedisClientLike> => {
    return exclusiveConnectionOf(isolatedNode(state, client)) ?? Promise.resolve(client);
  };
  /**
   * The exclusive connection a blocking command runs on, ready for it. On an ASK redirect
   * (node-redis passes the options of an "asking chain"), node-redis sends ASKING on the node's
   * shared client, but the command goes to the view's own connection: ASKING must precede it
   * there, in the same chain, or the importing node answers ASK again until the redirections run out.
   */
  const blockingOn = async (state: ViewState, client: NodeRedisClientLike, opts: unknown): Promise<NodeRedisClientLike> => {
    const exclusive = await exclusiveOf(state, client);
    const chainId = (opts as { chainId?: unknown } | undefined)?.chainId;
    if (chainId !== undefined && exclusive !== client) {
      exclusive.sendCommand(['ASKING'], { chainId }).catch(() => undefined); // its failure fails the command after it
    }
    return exclusive;
  };
  /** Refuses, before anything is sent, what a command line cannot do through a cluster view. */
  const assertRoutable = (guard: NamespaceGuard, scope: ConnectionScope, line: readonly RedisArg[]): void => {
    if (owned) return;
    if (scope === 'session') throw sharedLineRefusal(guard, line);
    if (scope === 'watch') {
      throw sharedLineRefusal(guard, line, "a watch belongs to one node's connection; use getNodeClientForKey(key), whose multi() runs where its WATCH was sent");
    }
  };
  const closeNodes = (state: ViewState, how: 'quit' | 'disconnect' = 'quit'): Promise<unknown> => Promise.all(nodeViewsOf(state).map((node) => closeViewOwn(node, how)));
  /** Per view, node client and reply shape: executors that strip the prefix before the reply transform. */
  const unprefixingNode = (state: ViewState, client: NodeRedisClientLike, shape: ReplyShape): NodeRedisClientLike => {
    const byClient = (state.own().unprefixingNodes ??= new Map());
    let byShape = byClient.get(client);
    if (!byShape) {
      byShape = new Map();
      byClient.set(client, byShape);
    }
    let node = byShape.get(shape);
    if (!node) {
      node = Object.create(client) as NodeRedisClientLike;
      for (const name of ['_executeCommand', '_executeScript'] as const) {
        const original = client[name] as Executor;
        defineOwn(node, name, (command: unknown, parser: NodeRedisParser, options: unknown, transformReply: TransformReply) =>
          original.call(client, command, parser, options, unprefixing(state.guard, shape, transformReply)),
        );
      }
      byShape.set(shape, node);
    }
    return node;
  };
  /**
   * Per view and node client: a node whose `_executeScript` runs the script object behind the
   * namespace's Lua guard (node-redis falls back to EVAL of the object's text on NOSCRIPT).
   */
  const scriptingNode = (state: ViewState, client: NodeRedisClientLike): NodeRedisClientLike => {
    const byClient = (state.own().scriptingNodes ??= new Map());
    let node = byClient.get(client);
    if (!node) {
      node = Object.create(client) as NodeRedisClientLike;
      const original = client._executeScript as Executor;
      defineOwn(node, '_executeScript', (script: unknown, parser: NodeRedisParser, options: unknown, transformReply: TransformReply) =>
        original.call(client, confinedScript(state.guard, script), parser, options, transformReply),
      );
      byClient.set(client, node);
    }
    return node;
  };
  // A private copy, as the guard's output: the caller's Buffer could change before node-redis picks the slot.
  const routingKey = (state: ViewState, key: RedisArg | undefined): RedisArg | undefined => {
    if (key === undefined) return undefined;
    const routed = state.guard.prefixKey(typeof key === 'number' ? String(key) : key);
    return typeof routed === 'string' ? routed : Buffer.from(routed);
  };

  const executeWithPolicies = self._executeWithPolicies;
  if (typeof executeWithPolicies === 'function') {
    defineOwn(base, '_executeWithPolicies', function (this: unknown, parser: NodeRedisParser, isReadonly: unknown, options: unknown, makeFn: (p: NodeRedisParser) => NodeFn) {
      let state: ViewState;
      let rewritten: RewrittenParser;
      let scope: ConnectionScope;
      try {
        state = stateOf(this);
        knowConfiguredScript(state.guard, parser.redisArgs, (self as { _options?: { scripts?: unknown } })._options?.scripts);
        rewritten = rewriteParser(state.guard, parser);
        scope = lineScope(rewritten.redisArgs);
        assertRoutable(state.guard, scope, rewritten.redisArgs);
      } catch (error) {
        return Promise.reject(rejected(this, error));
      }
      const { instr, guard } = state;
      const shape = rewritten.replyShape;
      const blocking = scope === 'blocking' && !owned;
      const line = rewritten.redisArgs;
      const scripting = runsScript(line[0]);
      const make =
        shape === undefined && !blocking && !scripting
          ? makeFn
          : (p: NodeRedisParser): NodeFn => {
              const fn = makeFn(p);
              if (scripting) return (client, opts) => fn(scriptingNode(state, client), opts);
              if (!blocking) return (client, opts) => fn(unprefixingNode(state, client, shape as ReplyShape), opts);
              return async (client, opts) => {
                const exclusive = await blockingOn(state, client, opts);
                return fn(shape === undefined ? exclusive : unprefixingNode(state, exclusive, shape), opts);
              };
            };
      const send = (): Promise<unknown> => executeWithPolicies.call(self, rewritten, isReadonly, options, make);
      const sent = instr.observing() ? instr.commandLine(line, rewritten.keys.length, send) : send();
      return scripting ? sent.catch((error: unknown) => Promise.reject(scriptError(guard, line, error))) : sent;
    });
  } else {
    const execute = self._execute;
    defineOwn(base, '_execute', function (this: unknown, firstKey: RedisArg | undefined, isReadonly: unknown, options: unknown, fn: NodeFn, ...rest: unknown[]) {
      let state: ViewState;
      let key: RedisArg | undefined;
      try {
        state = stateOf(this);
        key = routingKey(state, firstKey);
      } catch (error) {
        return Promise.reject(rejected(this, error));
      }
      return execute.call(self, key, isReadonly, options, (client: NodeRedisClientLike, opts: unknown) => fn(isolatedNode(state, client), opts), ...rest);
    });
  }

  const sendCommand = cluster.sendCommand;
  /** A blocking raw command: routed by its key as node-redis would, sent on that node's exclusive connection. */
  const sendBlocking = (state: ViewState, key: RedisArg | undefined, isReadonly: unknown, line: RedisArg[], commandOptions: unknown): Promise<unknown> => {
    const opts = { ...(self._commandOptions as object | undefined), ...(commandOptions as object | undefined) };
    const fn: NodeFn = async (client, o) => (await blockingOn(state, client, o)).sendCommand(line, o);
    if (typeof executeWithPolicies === 'function') {
      return executeWithPolicies.call(self, new RewrittenParser(line, key === undefined ? [] : [key], undefined, undefined), isReadonly, opts, () => fn);
    }
    return self._execute(key, isReadonly, opts, fn);
  };
  defineOwn(base, 'sendCommand', function (this: unknown, firstKey: RedisArg | undefined, isReadonly: unknown, args: RedisArg[], options?: unknown) {
    let state: ViewState;
    let rewritten: RedisArg[];
    let shape: ReplyShape | undefined;
    let key: RedisArg | undefined;
    let scope: ConnectionScope;
    try {
      state = stateOf(this);
      rewritten = rewriteRawArgs(state.guard, args, replySlot);
      shape = replySlot.shape;
      key = routingKey(state, firstKey);
      scope = lineScope(rewritten);
      assertRoutable(state.guard, scope, rewritten);
    } catch (error) {
      return Promise.reject(rejected(this, error));
    }
    const { guard, instr } = state;
    if (scope === 'close' && !owned) return closeNodes(state).then(() => 'OK');
    const send = (): Promise<unknown> => {
      const reply = scope === 'blocking' && !owned ? sendBlocking(state, key, isReadonly, rewritten, options) : sendCommand.call(this, key, isReadonly, rewritten, options);
      return shape === undefined ? reply : reply.then((value) => guard.unprefixShape(shape, value));
    };
    return instr.observing() ? instr.commandLine(rewritten, replySlot.keys ?? 0, send) : send();
  });

  // The cluster's MULTI builds its executors in closures: the view hands node-redis a `Multi`
  // that wraps them, so that the whole queue is guarded and routed by the prefixed key.
  const multi = cluster.MULTI as (this: unknown, routing?: unknown) => unknown;
  const slots = self._slots as { getClientAndSlotNumber?(key: RedisArg | undefined, isReadonly: unknown): Promise<{ client: NodeRedisClientLike; slotNumber?: number }> };
  /** A pipeline with a blocking command, routed as node-redis would, on that node's exclusive connection. */
  const pipelineOnExclusive = async (state: ViewState, key: RedisArg | undefined, isReadonly: unknown, commands: QueuedCommand[]): Promise<unknown[]> => {
    const { client, slotNumber } = await (slots.getClientAndSlotNumber as NonNullable<typeof slots.getClientAndSlotNumber>).call(slots, key, isReadonly);
    const exclusive = await exclusiveOf(state, client);
    return (exclusive._executePipeline as (c: QueuedCommand[], db: undefined, slot?: number) => Promise<unknown[]>).call(exclusive, commands, undefined, slotNumber);
  };
  const guardedBatch =
    (state: ViewState, execute: ClusterBatchExecutor, name: 'multi' | 'pipeline'): ClusterBatchExecutor =>
    async (firstKey, isReadonly, commands) => {
      const { guard, instr } = state;
      let batch: ReturnType<typeof rewriteBatch>;
      let key: RedisArg | undefined;
      let exclusive = false;
      try {
        batch = rewriteBatch(guard, commands);
        key = routingKey(state, firstKey);
        if (owned && name === 'multi') assertTransactionLines(guard, batch.commands.map((command) => command.args));
        if (!owned) {
          const lines = batch.commands.map((command) => command.args);
          exclusive = batchRoute(guard, lines, name === 'multi') === 'exclusive';
          const watching = lines.find((line) => lineScope(line) === 'watch');
          if (exclusive && (watching || typeof slots.getClientAndSlotNumber !== 'function')) {
            throw sharedLineRefusal(guard, watching ?? lines.find((line) => lineScope(line) !== 'shared') ?? [], "in a cluster pipeline it would hold or watch a node's shared connection; use getNodeClientForKey(key)");
          }
        }
      } catch (error) {
        throw instr.rejected(error);
      }
      const run = exclusive ? () => pipelineOnExclusive(state, key, isReadonly, batch.commands) : () => execute(key, isReadonly, batch.commands);
      const send = async (): Promise<unknown[]> => unprefixBatch(guard, await run(), batch.shapes) as unknown[];
      return instr.observing() ? instr.batch(name, batch.keys, send) : send();
    };
  const guardedMulti = function (this: object, routing?: unknown): unknown {
    const state = stateOf(this);
    const Multi = (this as { Multi: MultiConstructor }).Multi;
    const shim = Object.create(this) as Record<string, unknown>;
    shim.Multi = function (executeMulti: ClusterBatchExecutor, executePipeline: ClusterBatchExecutor, ...rest: unknown[]) {
      return new Multi(guardedBatch(state, executeMulti, 'multi'), guardedBatch(state, executePipeline, 'pipeline'), ...rest);
    };
    return multi.call(shim, routing);
  };
  defineOwn(base, 'MULTI', guardedMulti);
  defineOwn(base, 'multi', guardedMulti);

  defineClusterNodes(base, cluster, isolatedNode, (state) => (state.own().standIns ??= { nodes: new WeakMap(), shards: new WeakMap() }), routingKey);

  // Channel and pattern subscriptions live on the cluster's pub/sub node, shard channels on each
  // shard's: node-redis keeps them per channel, with the views' own listeners.
  const hub = new DirectHub(self as unknown as NodeRedisClientLike, true);
  definePubSub(base, cluster, { hubOf: () => hub, bareSharded: false });

  if (!owned) {
    // Closing the cluster is its owner's job: a view closes what its node views opened.
    const closeAll = (state: ViewState): Promise<unknown> => Promise.all([closeNodes(state), state.parts?.subscriptions?.unsubscribeAll()]);
    const quit = function (this: unknown): Promise<string> {
      return closeAll(stateOf(this)).then(() => 'OK');
    };
    defineOwn(base, 'QUIT', quit);
    defineOwn(base, 'quit', quit);
    defineOwn(base, 'close', function (this: unknown) {
      return closeAll(stateOf(this)).then(() => undefined);
    });
    const destroyNodes = (state: ViewState): void => {
      void Promise.all([closeNodes(state, 'disconnect'), state.parts?.subscriptions?.unsubscribeAll()]).catch(() => undefined);
    };
    defineOwn(base, 'disconnect', function (this: unknown) {
      destroyNodes(stateOf(this));
      return Promise.resolve();
    });
    defineOwn(base, 'destroy', function (this: unknown) {
      destroyNodes(stateOf(this));
    });
  }
  completeBase(base, cluster, owned, (duplicate: NodeRedisClusterLike, guard, instr) => createNodeRedisClusterView(duplicate, guard, instr, { owned: true }));
  return base;
}

/** The node clients a cluster has now: masters, replicas, and their pub/sub clients. */
function nodeClientsOf(cluster: NodeRedisClusterLike): object[] {
  type Node = { client?: object; pubSub?: { client?: object } };
  const nodes = [...((cluster.masters as Node[] | undefined) ?? []), ...((cluster.replicas as Node[] | undefined) ?? [])];
  return nodes.flatMap((node) => [node.client, node.pubSub?.client]).filter((client): client is object => client !== undefined);
}

/** Reports a refusal on the view's instrumentation (when `receiver` is a view) and returns it. */
function rejected(receiver: unknown, error: unknown): unknown {
  try {
    return stateOf(receiver).instr.rejected(error);
  } catch {
    return error;
  }
}
