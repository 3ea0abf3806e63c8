import type { NamespaceGuard, RedisArg, ReplyShape } from '../../core/index.js';
import type { Instrumentation } from '../../instrument/instrumentation.js';
import { bindReceiver, commandLayer } from './command-methods.js';
import type { NodeRedisClientLike, NodeRedisParser, QueuedCommand, TransformReply } from './internals.js';
import { createNodeRedisPoolView } from './pool-view.js';
import { isolatePubSub, type ListenersOf } from './pubsub.js';
import { replySlot, rewriteBatch, rewriteParser, rewriteRawArgs, unprefixBatch, unprefixing, type RewrittenParser } from './rewrite.js';
import { assertWrappable, completeView, defineOwn } from './view-common.js';

type Executor = (this: unknown, command: unknown, parser: NodeRedisParser, options: unknown, transformReply: TransformReply) => Promise<unknown>;
type BatchExecutor = (this: unknown, commands: QueuedCommand[], ...rest: unknown[]) => Promise<unknown[]>;

/**
 * An isolated view of a node-redis client (`createClient()`, or a node client of a cluster or a
 * pool): an object whose prototype is the client, so it has the client's whole API and types.
 * The client is never modified; any number of views can share its connection.
 *
 * node-redis funnels every command into a handful of executors: `_executeCommand` (typed
 * commands, module and function commands), `_executeScript` (scripts), `sendCommand` (raw
 * commands), `_executeMulti` and `_executePipeline` (`multi()`, `execAsPipeline()`, the legacy
 * client), plus the pub/sub methods and WATCH, which write to its queue directly. The view
 * overrides exactly these: each one guards the arguments and calls the client's own executor,
 * on the real instance, with the rewritten command and a reply transform that strips the prefix
 * first. Connection methods (connect, quit, reconnection, SELECT of the configured database,
 * resubscription) stay the client's.
 */
export function createNodeRedisClientView<C extends NodeRedisClientLike>(client: C, guard: NamespaceGuard, instr: Instrumentation): C {
  assertWrappable(client);
  const view = Object.create(commandLayer(client)) as C;
  const self = client._self;
  bindReceiver(view);

  const executor = (original: Executor): Executor =>
    function (command, parser, options, transformReply) {
      let rewritten: RewrittenParser;
      try {
        rewritten = rewriteParser(guard, parser);
      } catch (error) {
        return Promise.reject(instr.rejected(error));
      }
      const transform = unprefixing(guard, rewritten.replyShape, transformReply);
      if (instr.observing()) {
        return instr.commandLine(rewritten.redisArgs, rewritten.keys.length, () => original.call(self, command, rewritten, options, transform));
      }
      return original.call(self, command, rewritten, options, transform);
    };
  defineOwn(view, '_executeCommand', executor(client._executeCommand as Executor));
  defineOwn(view, '_executeScript', executor(client._executeScript as Executor));

  const sendCommand = client.sendCommand;
  defineOwn(view, 'sendCommand', function (this: unknown, args: RedisArg[], options?: unknown) {
    let rewritten: RedisArg[];
    let shape: ReplyShape | undefined;
    try {
      rewritten = rewriteRawArgs(guard, args, replySlot);
      shape = replySlot.shape;
    } catch (error) {
      return Promise.reject(instr.rejected(error));
    }
    const send = (): Promise<unknown> => {
      const reply = sendCommand.call(this, rewritten, options);
      return shape === undefined ? reply : reply.then((value) => guard.unprefixShape(shape, value));
    };
    return instr.observing() ? instr.commandLine(rewritten, replySlot.keys ?? 0, send) : send();
  });

  // MULTI, execAsPipeline() and the legacy client's multi hand their queue to these.
  for (const name of ['_executeMulti', '_executePipeline'] as const) {
    const original = client[name] as BatchExecutor;
    defineOwn(view, name, function (this: unknown, commands: QueuedCommand[], ...rest: unknown[]) {
      let batch: ReturnType<typeof rewriteBatch>;
      try {
        batch = rewriteBatch(guard, commands);
      } catch (error) {
        return Promise.reject(instr.rejected(error));
      }
      const send = (): Promise<unknown> => original.call(this, batch.commands, ...rest).then((replies) => unprefixBatch(guard, replies, batch.shapes));
      return instr.observing() ? instr.batch(name === '_executeMulti' ? 'multi' : 'pipeline', batch.keys, send) : send();
    });
  }

  // WATCH writes past the executors (and records the watch on the instance).
  const watch = client.WATCH as ((this: unknown, keys: RedisArg[]) => Promise<unknown>) | undefined;
  if (typeof watch === 'function') {
    const guardedWatch = function (this: unknown, key: RedisArg | RedisArg[]): Promise<unknown> {
      let keys: readonly RedisArg[];
      try {
        keys = guard.rewrite('watch', Array.isArray(key) ? key : [key]);
      } catch (error) {
        return Promise.reject(instr.rejected(error));
      }
      return watch.call(this, [...keys]);
    };
    defineOwn(view, 'WATCH', guardedWatch);
    defineOwn(view, 'watch', guardedWatch);
  }

  const createPool = client.createPool as ((options?: unknown) => Record<string, unknown>) | undefined;
  if (typeof createPool === 'function') {
    defineOwn(view, 'createPool', (options?: unknown) => createNodeRedisPoolView(createPool.call(client, options), guard, instr, createNodeRedisClientView));
  }

  const getPubSubListeners = client.getPubSubListeners as ListenersOf | undefined;
  isolatePubSub(view, client, guard, instr, (type) => getPubSubListeners?.call(client, type));
  completeView(view, client, guard, instr, (duplicate: C) => createNodeRedisClientView(duplicate, guard, instr));
  return view;
}
