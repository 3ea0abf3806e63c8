import type { NamespaceGuard, RedisArg, ReplyShape } from '../../core/index.js';
import type { Instrumentation } from '../../instrument/instrumentation.js';
import { createNodeRedisClientView } from './client-view.js';
import { bindReceiver, commandLayer } from './command-methods.js';
import type { NodeFn, NodeRedisClientLike, NodeRedisClusterLike, NodeRedisParser, QueuedCommand, TransformReply } from './internals.js';
import { isolateClusterNodes } from './cluster-nodes.js';
import { isolatePubSub } from './pubsub.js';
import { replySlot, rewriteBatch, rewriteParser, rewriteRawArgs, unprefixBatch, unprefixing, type RewrittenParser } from './rewrite.js';
import { assertWrappable, completeView, defineOwn, memoizeByObject } from './view-common.js';

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
 */
export function createNodeRedisClusterView<C extends NodeRedisClusterLike>(cluster: C, guard: NamespaceGuard, instr: Instrumentation): C {
  assertWrappable(cluster);
  const view = Object.create(commandLayer(cluster)) as C;
  const self = cluster._self;
  bindReceiver(view);

  // node-redis 5 runs each typed command on such a view: it is observed there.
  const isolatedNode = memoizeByObject((client: NodeRedisClientLike) => createNodeRedisClientView(client, guard, instr));
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
  const routingKey = (key: RedisArg | undefined): RedisArg | undefined =>
    key === undefined ? undefined : guard.prefixKey(typeof key === 'number' ? String(key) : key);

  const executeWithPolicies = self._executeWithPolicies;
  if (typeof executeWithPolicies === 'function') {
    defineOwn(view, '_executeWithPolicies', function (parser: NodeRedisParser, isReadonly: unknown, options: unknown, makeFn: (p: NodeRedisParser) => NodeFn) {
      let rewritten: RewrittenParser;
      try {
        rewritten = rewriteParser(guard, parser);
      } catch (error) {
        return Promise.reject(instr.rejected(error));
      }
      const shape = rewritten.replyShape;
      const make = shape === undefined ? makeFn : (p: NodeRedisParser): NodeFn => {
        const fn = makeFn(p);
        return (client, opts) => fn(unprefixingNode(client, shape), opts);
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
  defineOwn(view, 'sendCommand', function (this: unknown, firstKey: RedisArg | undefined, isReadonly: unknown, args: RedisArg[], options?: unknown) {
    let rewritten: RedisArg[];
    let shape: ReplyShape | undefined;
    let key: RedisArg | undefined;
    try {
      rewritten = rewriteRawArgs(guard, args, replySlot);
      shape = replySlot.shape;
      key = routingKey(firstKey);
    } catch (error) {
      return Promise.reject(instr.rejected(error));
    }
    const send = (): Promise<unknown> => {
      const reply = sendCommand.call(this, key, isReadonly, rewritten, options);
      return shape === undefined ? reply : reply.then((value) => guard.unprefixShape(shape, value));
    };
    return instr.observing() ? instr.commandLine(rewritten, replySlot.keys ?? 0, send) : send();
  });

  // The cluster's MULTI builds its executors in closures: the view hands node-redis a `Multi`
  // that wraps them, so that the whole queue is guarded and routed by the prefixed key.
  const multi = cluster.MULTI as (this: unknown, routing?: unknown) => unknown;
  const guardedBatch = (execute: ClusterBatchExecutor, name: 'multi' | 'pipeline'): ClusterBatchExecutor => async (firstKey, isReadonly, commands) => {
    let batch: ReturnType<typeof rewriteBatch>;
    let key: RedisArg | undefined;
    try {
      batch = rewriteBatch(guard, commands);
      key = routingKey(firstKey);
    } catch (error) {
      throw instr.rejected(error);
    }
    const send = async (): Promise<unknown[]> => unprefixBatch(guard, await execute(key, isReadonly, batch.commands), batch.shapes) as unknown[];
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
  isolatePubSub(view, cluster, guard, instr, (type) => {
    if (type === 'SHARDED') return undefined;
    const node = (cluster._slots as { pubSubNode?: { client: { getPubSubListeners(type: string): Map<string, unknown> } } }).pubSubNode;
    return node ? node.client.getPubSubListeners(type) : new Map();
  });
  completeView(view, cluster, guard, instr, (duplicate: C) => createNodeRedisClusterView(duplicate, guard, instr));
  return view;
}
