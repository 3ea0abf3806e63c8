import type { ConnectionScope, NamespaceGuard, RedisArg, ReplyShape } from '../../core/index.js';
import type { Instrumentation } from '../../instrument/instrumentation.js';
import { createNodeRedisClientView, ownClientsOfView } from './client-view.js';
import { bindReceiver, commandLayer } from './command-methods.js';
import type { NodeFn, NodeRedisClientLike, NodeRedisClusterLike, NodeRedisParser, QueuedCommand, TransformReply } from './internals.js';
import { isolateClusterNodes } from './cluster-nodes.js';
import { isolatePubSub } from './pubsub.js';
import { replySlot, rewriteBatch, rewriteParser, rewriteRawArgs, RewrittenParser, unprefixBatch, unprefixing } from './rewrite.js';
import { assertTransactionLines, batchRoute, lineScope, sharedLineRefusal } from './scope.js';
import { assertWrappable, completeView, defineOwn, memoizeByObject, type NodeRedisViewOptions } from './view-common.js';

type Executor = (command: unknown, parser: NodeRedisParser, options: unknown, transformReply: TransformReply) => Promise<unknown>;
type ClusterBatchExecutor = (firstKey: RedisArg | undefined, isReadonly: unknown, commands: QueuedCommand[]) => Promise<unknown[]>;
type MultiConstructor = new (executeMulti: ClusterBatchExecutor, executePipeline: ClusterBatchExecutor, ...rest: unknown[]) => unknown;

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
 * namespace's). `quit()`/`close()`/`disconnect()`/`destroy()` close only what the view's nodes
 * opened; a cluster the view owns (`duplicate()`) is closed by them.
 */
export function createNodeRedisClusterView<C extends NodeRedisClusterLike>(cluster: C, guard: NamespaceGuard, instr: Instrumentation, options: NodeRedisViewOptions = {}): C {
  assertWrappable(cluster);
  const view = Object.create(commandLayer(cluster)) as C;
  const self = cluster._self;
  const owned = options.owned === true;
  bindReceiver(view);

  // node-redis 5 runs each typed command on such a view: it is observed there.
  const nodeViews = new Set<NodeRedisClientLike>();
  const isolatedNode = memoizeByObject((client: NodeRedisClientLike) => {
    const node = createNodeRedisClientView(client, guard, instr, { owned });
    nodeViews.add(node);
    return node;
  });
  /** The connection a blocking command routed to node `client` runs on: the node view's exclusive one. */
  const exclusiveOf = (client: NodeRedisClientLike): Promise<NodeRedisClientLike> =>
    ownClientsOfView(isolatedNode(client))?.get('exclusive') ?? Promise.resolve(client);
  /** Refuses, before anything is sent, what a command line cannot do through a cluster view. */
  const assertRoutable = (scope: ConnectionScope, line: readonly RedisArg[]): void => {
    if (owned) return;
    if (scope === 'session') throw sharedLineRefusal(guard, line);
    if (scope === 'watch') {
      throw sharedLineRefusal(guard, line, "a watch belongs to one node's connection; use getNodeClientForKey(key), whose multi() runs where its WATCH was sent");
    }
  };
  const closeNodes = (): Promise<unknown> => Promise.all([...nodeViews].map((node) => ownClientsOfView(node)?.closeAll()));
  /** Per node client and reply shape: executors that strip the prefix before the reply transform. */
  const shapesOf = memoizeByObject((): Map<ReplyShape, NodeRedisClientLike> => new Map());
  const unprefixingNode = (client: NodeRedisClientLike, shape: ReplyShape): NodeRedisClientLike => {
    const byShape = shapesOf(client);
    let node = byShape.get(shape);
    if (!node) {
      node = Object.create(client) as NodeRedisClientLike;
      for (const name of ['_executeCommand', '_executeScript'] as const) {
        const original = client[name] as Executor;
        defineOwn(node, name, (command: unknown, parser: NodeRedisParser, options: unknown, transformReply: TransformReply) =>
          original.call(client, command, parser, options, unprefixing(guard, shape, transformReply)),
        );
      }
      byShape.set(shape, node);
    }
    return node;
  };
  // A private copy, as the guard's output: the caller's Buffer could change before node-redis picks the slot.
  const routingKey = (key: RedisArg | undefined): RedisArg | undefined => {
    if (key === undefined) return undefined;
    const routed = guard.prefixKey(typeof key === 'number' ? String(key) : key);
    return typeof routed === 'string' ? routed : Buffer.from(routed);
  };

  const executeWithPolicies = self._executeWithPolicies;
  if (typeof executeWithPolicies === 'function') {
    defineOwn(view, '_executeWithPolicies', function (parser: NodeRedisParser, isReadonly: unknown, options: unknown, makeFn: (p: NodeRedisParser) => NodeFn) {
      let rewritten: RewrittenParser;
      let scope: ConnectionScope;
      try {
        rewritten = rewriteParser(guard, parser);
        scope = lineScope(rewritten.redisArgs);
        assertRoutable(scope, rewritten.redisArgs);
      } catch (error) {
        return Promise.reject(instr.rejected(error));
      }
      const shape = rewritten.replyShape;
      const blocking = scope === 'blocking' && !owned;
      const make = shape === undefined && !blocking ? makeFn : (p: NodeRedisParser): NodeFn => {
        const fn = makeFn(p);
        if (!blocking) return (client, opts) => fn(unprefixingNode(client, shape as ReplyShape), opts);
        return async (client, opts) => {
          const exclusive = await exclusiveOf(client);
          return fn(shape === undefined ? exclusive : unprefixingNode(exclusive, shape), opts);
        };
      };
      const send = (): Promise<unknown> => executeWithPolicies.call(self, rewritten, isReadonly, options, make);
      return instr.observing() ? instr.commandLine(rewritten.redisArgs, rewritten.keys.length, send) : send();
    });
  } else {
    const execute = self._execute;
    defineOwn(view, '_execute', function (firstKey: RedisArg | undefined, isReadonly: unknown, options: unknown, fn: NodeFn, ...rest: unknown[]) {
      let key: RedisArg | undefined;
      try {
        key = routingKey(firstKey);
      } catch (error) {
        return Promise.reject(instr.rejected(error));
      }
      return execute.call(self, key, isReadonly, options, (client: NodeRedisClientLike, opts: unknown) => fn(isolatedNode(client), opts), ...rest);
    });
  }

  const sendCommand = cluster.sendCommand;
  /** A blocking raw command: routed by its key as node-redis would, sent on that node's exclusive connection. */
  const sendBlocking = (key: RedisArg | undefined, isReadonly: unknown, line: RedisArg[], commandOptions: unknown): Promise<unknown> => {
    const opts = { ...(self._commandOptions as object | undefined), ...(commandOptions as object | undefined) };
    const fn: NodeFn = async (client, o) => (await exclusiveOf(client)).sendCommand(line, o);
    if (typeof executeWithPolicies === 'function') {
      return executeWithPolicies.call(self, new RewrittenParser(line, key === undefined ? [] : [key], undefined, undefined), isReadonly, opts, () => fn);
    }
    return self._execute(key, isReadonly, opts, fn);
  };
  defineOwn(view, 'sendCommand', function (this: unknown, firstKey: RedisArg | undefined, isReadonly: unknown, args: RedisArg[], options?: unknown) {
    let rewritten: RedisArg[];
    let shape: ReplyShape | undefined;
    let key: RedisArg | undefined;
    let scope: ConnectionScope;
    try {
      rewritten = rewriteRawArgs(guard, args, replySlot);
      shape = replySlot.shape;
      key = routingKey(firstKey);
      scope = lineScope(rewritten);
      assertRoutable(scope, rewritten);
    } catch (error) {
      return Promise.reject(instr.rejected(error));
    }
    if (scope === 'close' && !owned) return closeNodes().then(() => 'OK');
    const send = (): Promise<unknown> => {
      const reply = scope === 'blocking' && !owned ? sendBlocking(key, isReadonly, rewritten, options) : sendCommand.call(this, key, isReadonly, rewritten, options);
      return shape === undefined ? reply : reply.then((value) => guard.unprefixShape(shape, value));
    };
    return instr.observing() ? instr.commandLine(rewritten, replySlot.keys ?? 0, send) : send();
  });

  // The cluster's MULTI builds its executors in closures: the view hands node-redis a `Multi`
  // that wraps them, so that the whole queue is guarded and routed by the prefixed key.
  const multi = cluster.MULTI as (this: unknown, routing?: unknown) => unknown;
  const slots = self._slots as { getClientAndSlotNumber?(key: RedisArg | undefined, isReadonly: unknown): Promise<{ client: NodeRedisClientLike; slotNumber?: number }> };
  /** A pipeline with a blocking command, routed as node-redis would, on that node's exclusive connection. */
  const pipelineOnExclusive = async (key: RedisArg | undefined, isReadonly: unknown, commands: QueuedCommand[]): Promise<unknown[]> => {
    const { client, slotNumber } = await (slots.getClientAndSlotNumber as NonNullable<typeof slots.getClientAndSlotNumber>).call(slots, key, isReadonly);
    const exclusive = await exclusiveOf(client);
    return (exclusive._executePipeline as (c: QueuedCommand[], db: undefined, slot?: number) => Promise<unknown[]>).call(exclusive, commands, undefined, slotNumber);
  };
  const guardedBatch = (execute: ClusterBatchExecutor, name: 'multi' | 'pipeline'): ClusterBatchExecutor => async (firstKey, isReadonly, commands) => {
    let batch: ReturnType<typeof rewriteBatch>;
    let key: RedisArg | undefined;
    let exclusive = false;
    try {
      batch = rewriteBatch(guard, commands);
      key = routingKey(firstKey);
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
    const run = exclusive ? () => pipelineOnExclusive(key, isReadonly, batch.commands) : () => execute(key, isReadonly, batch.commands);
    const send = async (): Promise<unknown[]> => unprefixBatch(guard, await run(), batch.shapes) as unknown[];
    return instr.observing() ? instr.batch(name, batch.keys, send) : send();
  };
  const guardedMulti = function (this: object, routing?: unknown): unknown {
    const Multi = (this as { Multi: MultiConstructor }).Multi;
    const shim = Object.create(this) as Record<string, unknown>;
    shim.Multi = function (executeMulti: ClusterBatchExecutor, executePipeline: ClusterBatchExecutor, ...rest: unknown[]) {
      return new Multi(guardedBatch(executeMulti, 'multi'), guardedBatch(executePipeline, 'pipeline'), ...rest);
    };
    return multi.call(shim, routing);
  };
  defineOwn(view, 'MULTI', guardedMulti);
  defineOwn(view, 'multi', guardedMulti);

  isolateClusterNodes(view, cluster, isolatedNode, routingKey);

  // Channel and pattern subscriptions live on one node client; sharded ones on each shard's.
  isolatePubSub(view, cluster, guard, instr, {
    listeners: (type) => {
      if (type === 'SHARDED') return undefined;
      const node = (cluster._slots as { pubSubNode?: { client: { getPubSubListeners(type: string): Map<string, unknown> } } }).pubSubNode;
      return node ? node.client.getPubSubListeners(type) : new Map();
    },
    run: (receiver, method, channels, listener, bufferMode) => method.call(receiver, channels, listener, bufferMode),
  });

  if (!owned) {
    // Closing the cluster is its owner's job: a view closes what its node views opened.
    const quit = (): Promise<string> => closeNodes().then(() => 'OK');
    defineOwn(view, 'QUIT', quit);
    defineOwn(view, 'quit', quit);
    defineOwn(view, 'close', () => closeNodes().then(() => undefined));
    const destroyNodes = (): void => {
      for (const node of nodeViews) ownClientsOfView(node)?.destroyAll();
    };
    defineOwn(view, 'disconnect', () => {
      destroyNodes();
      return Promise.resolve();
    });
    defineOwn(view, 'destroy', destroyNodes);
  }
  completeView(view, cluster, guard, instr, (duplicate: C) => createNodeRedisClusterView(duplicate, guard, instr, { owned: true }), options);
  return view;
}
