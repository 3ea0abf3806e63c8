import type { ConnectionScope, NamespaceGuard, RedisArg, ReplyShape } from '../../core/index.js';
import type { Instrumentation } from '../../instrument/instrumentation.js';
import { pubSubFrameRefusal, transactionFrameRefusal } from '../refusals.js';
import { isolateClientSideCache } from './cache-facade.js';
import { bindReceiver, commandLayer } from './command-methods.js';
import type { NodeRedisClientLike, NodeRedisParser, QueuedCommand, TransformReply } from './internals.js';
import { NodeRedisOwnClients } from './own-clients.js';
import { createNodeRedisPoolView } from './pool-view.js';
import { isolatePubSub, type PubSubConnection, type SubscribeMethod } from './pubsub.js';
import { replySlot, rewriteBatch, rewriteParser, rewriteRawArgs, unprefixBatch, unprefixing, type RewrittenParser } from './rewrite.js';
import { assertTransactionLines, batchRoute, lineScope, sharedLineRefusal, type BatchRoute } from './scope.js';
import { assertWrappable, completeView, defineOwn, type NodeRedisViewOptions } from './view-common.js';

type Executor = (this: unknown, command: unknown, parser: NodeRedisParser, options: unknown, transformReply: TransformReply) => Promise<unknown>;
type BatchExecutor = (this: unknown, commands: QueuedCommand[], ...rest: unknown[]) => Promise<unknown[]>;
type Method = (this: unknown, ...args: unknown[]) => Promise<unknown>;

/** The connections each client view over a shared client opened (for cluster and pool views, which close their node views' too). */
const ownClientsOf = new WeakMap<object, NodeRedisOwnClients>();

/** The connections `view` (a client view over a shared client) opened for itself; `undefined` for other views. */
export function ownClientsOfView(view: object): NodeRedisOwnClients | undefined {
  return ownClientsOf.get(view);
}

/**
 * `connection` as the command of `receiver` must see it: node-redis's executors read the
 * command options (`withTypeMapping()` and friends) from `this`, and the connection from
 * `this._self`.
 */
function withOptionsOf(connection: NodeRedisClientLike, receiver: unknown): NodeRedisClientLike {
  const options = (receiver as { _commandOptions?: unknown } | null)?._commandOptions;
  return Object.create(connection, { _commandOptions: { value: options, writable: true, configurable: true } }) as NodeRedisClientLike;
}

/**
 * node-redis refuses a command once `commandsQueueMaxLength` commands wait: a MULTI refused
 * half-way would leave the connection inside a transaction (other namespaces' commands queued
 * in it). A batch that does not fit is refused whole, before any of it is queued.
 */
function assertRoom(connection: NodeRedisClientLike, count: number): void {
  const max = (connection.options as { commandsQueueMaxLength?: number } | undefined)?.commandsQueueMaxLength;
  if (!max) return;
  const pending = (connection._getQueue as (() => { pendingCount?: number }) | undefined)?.call(connection).pendingCount;
  if (pending !== undefined && pending + count > max) {
    throw new Error(`The queue is full: a batch of ${count} commands does not fit in commandsQueueMaxLength (${max}); nothing of it was queued`);
  }
}

/**
 * An isolated view of a node-redis client (`createClient()`, or a node client of a cluster or a
 * pool): an object whose prototype is the client, so it has the client's whole API and types.
 * The client is never modified; any number of views can share its connection.
 *
 * node-redis funnels every command into a handful of executors: `_executeCommand` (typed
 * commands, module and function commands), `_executeScript` (scripts), `sendCommand` (raw
 * commands), `_executeMulti` and `_executePipeline` (`multi()`, `execAsPipeline()`, the legacy
 * client), plus the pub/sub methods and WATCH/UNWATCH, which write to its queue directly. The
 * view overrides exactly these: each one guards the arguments (what it sends is the guard's
 * private copy, never an array or Buffer the caller holds) and calls the client's own executor
 * with the rewritten command and a reply transform that strips the prefix first.
 *
 * Where a command runs follows its connection scope (core `connectionScope`). On a view over a
 * shared client: blocking commands, WATCH/UNWATCH and the `multi()` executed while the view
 * watches run on the view's exclusive connection; subscriptions on its subscriber connection
 * (both `client.duplicate()`, opened on first need, never handed out); session commands are
 * refused with `SharedConnectionError`; `quit()`, `close()`, `disconnect()`, `destroy()` and a
 * raw QUIT close only those connections. A view that owns its client (`duplicate()`, or a
 * client the library created) runs everything on it, as the raw driver would.
 */
export function createNodeRedisClientView<C extends NodeRedisClientLike>(client: C, guard: NamespaceGuard, instr: Instrumentation, options: NodeRedisViewOptions = {}): C {
  assertWrappable(client);
  const view = Object.create(commandLayer(client)) as C;
  const self = client._self;
  const owned = options.owned === true;
  bindReceiver(view);
  const own = owned ? undefined : new NodeRedisOwnClients(client);
  if (own) ownClientsOf.set(view, own);

  /** Runs `send` on the view's own connection of `role`, with the command options of `receiver`. */
  const onOwn = <T>(role: 'exclusive' | 'subscriber', receiver: unknown, send: (connection: NodeRedisClientLike) => Promise<T>): Promise<T> =>
    (own as NodeRedisOwnClients).get(role).then((connection) => send(withOptionsOf(connection, receiver)));

  /** Scopes a single command cannot have on a shared connection: refused here, before anything is sent. */
  const assertMovable = (scope: ConnectionScope, line: readonly RedisArg[]): void => {
    if (scope === 'session') throw sharedLineRefusal(guard, line);
    if (scope === 'transaction') throw transactionFrameRefusal(guard, line[0]);
    if (scope === 'subscribe') throw pubSubFrameRefusal(guard, line[0]);
  };

  const closeOwn = (): Promise<void> => own?.closeAll() ?? Promise.resolve();

  // The view's watch (shared client): set when its WATCH is sent on its exclusive connection,
  // cleared by its EXEC, DISCARD or UNWATCH. Kept synchronously so that a multi() that follows
  // a WATCH without awaiting it still runs after it, on the same connection.
  let watching = false;
  let dirtyWatch: string | undefined;
  // The watch lives on the exclusive connection: closing it ends the watch, and the view's next
  // transaction must fail rather than commit unguarded on a new connection (node-redis fails one
  // after a reconnect the same way).
  if (own) {
    own.onClose = () => {
      if (watching && own.has('exclusive')) dirtyWatch ??= 'the connection of the WATCH was closed before EXEC';
      watching = false;
    };
  }

  const executor = (original: Executor): Executor =>
    function (this: unknown, command, parser, commandOptions, transformReply) {
      let rewritten: RewrittenParser;
      let scope: ConnectionScope = 'shared';
      try {
        rewritten = rewriteParser(guard, parser);
        if (own) {
          scope = lineScope(rewritten.redisArgs);
          assertMovable(scope, rewritten.redisArgs);
        }
      } catch (error) {
        return Promise.reject(instr.rejected(error));
      }
      if (scope === 'close') return closeOwn().then(() => 'OK');
      const transform = unprefixing(guard, rewritten.replyShape, transformReply);
      const send =
        scope === 'blocking' || scope === 'watch'
          ? (): Promise<unknown> => onOwn('exclusive', this, (connection) => original.call(connection, command, rewritten, commandOptions, transform))
          : (): Promise<unknown> => original.call(self, command, rewritten, commandOptions, transform);
      return instr.observing() ? instr.commandLine(rewritten.redisArgs, rewritten.keys.length, send) : send();
    };
  defineOwn(view, '_executeCommand', executor(client._executeCommand as Executor));
  defineOwn(view, '_executeScript', executor(client._executeScript as Executor));

  const watch = client.WATCH as Method | undefined;
  const unwatch = client.UNWATCH as Method | undefined;
  /** WATCH or UNWATCH of the view (shared client), on its exclusive connection; what it was asked is `line`. */
  const watchOnOwn = (receiver: unknown, line: readonly RedisArg[]): Promise<unknown> => {
    if (String(line[0]).toLowerCase() === 'unwatch') {
      watching = false;
      dirtyWatch = undefined;
      if (!own?.has('exclusive')) return Promise.resolve('OK');
      return onOwn('exclusive', receiver, (connection) => (unwatch ? unwatch.call(connection) : connection.sendCommand(['UNWATCH'])));
    }
    watching = true;
    const keys = line.slice(1);
    return onOwn('exclusive', receiver, (connection) => (watch ? watch.call(connection, keys) : connection.sendCommand(['WATCH', ...keys])));
  };

  const sendCommand = client.sendCommand;
  defineOwn(view, 'sendCommand', function (this: unknown, args: RedisArg[], commandOptions?: unknown) {
    let rewritten: RedisArg[];
    let shape: ReplyShape | undefined;
    let scope: ConnectionScope = 'shared';
    try {
      rewritten = rewriteRawArgs(guard, args, replySlot);
      shape = replySlot.shape;
      if (own) {
        scope = lineScope(rewritten);
        assertMovable(scope, rewritten);
      }
    } catch (error) {
      return Promise.reject(instr.rejected(error));
    }
    if (scope === 'close') return closeOwn().then(() => 'OK');
    const keys = replySlot.keys ?? 0;
    const send = (): Promise<unknown> => {
      const reply =
        scope === 'blocking'
          ? onOwn('exclusive', this, (connection) => sendCommand.call(connection, rewritten, commandOptions))
          : scope === 'watch'
            ? watchOnOwn(this, rewritten)
            : sendCommand.call(this, rewritten, commandOptions);
      return shape === undefined ? reply : reply.then((value) => guard.unprefixShape(shape, value));
    };
    return instr.observing() ? instr.commandLine(rewritten, keys, send) : send();
  });

  // MULTI, execAsPipeline() and the legacy client's multi hand their queue to these.
  for (const name of ['_executeMulti', '_executePipeline'] as const) {
    const original = client[name] as BatchExecutor;
    const transaction = name === '_executeMulti';
    defineOwn(view, name, function (this: unknown, commands: QueuedCommand[], ...rest: unknown[]) {
      let batch: ReturnType<typeof rewriteBatch>;
      let route: BatchRoute = 'shared';
      try {
        batch = rewriteBatch(guard, commands);
        if (own) route = batchRoute(guard, batch.commands.map((command) => command.args), transaction);
        else if (transaction) assertTransactionLines(guard, batch.commands.map((command) => command.args));
        // A transaction of a watching view runs where its WATCH was sent; so does one while the
        // client's owner watches on the shared connection (the view's EXEC would consume it).
        if (own && transaction && (watching || dirtyWatch !== undefined || self.isWatching === true || self.isDirtyWatch === true)) route = 'exclusive';
        if (route === 'shared') assertRoom(self, batch.commands.length + (transaction ? 2 : 0));
      } catch (error) {
        return Promise.reject(instr.rejected(error));
      }
      let run: () => Promise<unknown[]>;
      if (route === 'exclusive') {
        const dirty = dirtyWatch;
        if (transaction) {
          watching = false;
          dirtyWatch = undefined;
        } else {
          // A pipeline with WATCH or UNWATCH leaves the exclusive connection watching, or not.
          for (const { args } of batch.commands) if (lineScope(args) === 'watch') watching = String(args[0]).toLowerCase() === 'watch';
        }
        run = () =>
          onOwn('exclusive', this, (connection) => {
            assertRoom(connection, batch.commands.length + (transaction ? 2 : 0));
            if (dirty !== undefined) (connection.setDirtyWatch as (message: string) => void).call(connection, dirty);
            return original.call(connection, batch.commands, ...rest);
          });
      } else {
        run = () => original.call(this, batch.commands, ...rest);
      }
      const send = (): Promise<unknown> => run().then((replies) => unprefixBatch(guard, replies, batch.shapes));
      return instr.observing() ? instr.batch(transaction ? 'multi' : 'pipeline', batch.keys, send) : send();
    });
  }

  // WATCH writes past the executors (and records the watch on the instance).
  if (typeof watch === 'function') {
    const guardedWatch = function (this: unknown, key: RedisArg | RedisArg[]): Promise<unknown> {
      let keys: readonly RedisArg[];
      try {
        keys = guard.rewrite('watch', Array.isArray(key) ? key : [key]);
      } catch (error) {
        return Promise.reject(instr.rejected(error));
      }
      return own ? watchOnOwn(this, ['WATCH', ...keys]) : watch.call(this, [...keys]);
    };
    defineOwn(view, 'WATCH', guardedWatch);
    defineOwn(view, 'watch', guardedWatch);
  }
  if (own) {
    // UNWATCH also writes past the executors; on a shared client it would drop every view's watch.
    const guardedUnwatch = function (this: unknown): Promise<unknown> {
      return watchOnOwn(this, ['UNWATCH']);
    };
    defineOwn(view, 'UNWATCH', guardedUnwatch);
    defineOwn(view, 'unwatch', guardedUnwatch);
    // setDirtyWatch() fails the view's next transaction, not the shared client's (another view's).
    defineOwn(view, 'setDirtyWatch', (message: string) => {
      dirtyWatch = message;
    });
    Object.defineProperty(view, 'isWatching', { get: () => watching, configurable: true });
    Object.defineProperty(view, 'isDirtyWatch', { get: () => dirtyWatch !== undefined || own.peek('exclusive')?.isDirtyWatch === true, configurable: true });
    Object.defineProperty(view, 'isPubSubActive', { get: () => own.peek('subscriber')?.isPubSubActive === true, configurable: true });
  }

  if (own) {
    // Closing is the shared client's owner's job: a view closes what it opened.
    const quit = (): Promise<string> => closeOwn().then(() => 'OK');
    defineOwn(view, 'QUIT', quit);
    defineOwn(view, 'quit', quit);
    defineOwn(view, 'close', closeOwn);
    defineOwn(view, 'disconnect', () => {
      own.destroyAll();
      return Promise.resolve();
    });
    defineOwn(view, 'destroy', () => own.destroyAll());
  }

  const createPool = client.createPool as ((options?: unknown) => Record<string, unknown>) | undefined;
  if (typeof createPool === 'function') {
    defineOwn(view, 'createPool', (poolOptions?: unknown) =>
      createNodeRedisPoolView(createPool.call(client, poolOptions), guard, instr, createNodeRedisClientView, { owned: true }),
    );
  }

  isolateClientSideCache(view, client, guard, owned);
  isolatePubSub(view, client, guard, instr, own ? subscriberConnection(own) : ownedConnection(client));
  completeView(view, client, guard, instr, (duplicate: C) => createNodeRedisClientView(duplicate, guard, instr, { owned: true }), options);
  return view;
}

/** Subscriptions of a view over a shared client: on its own subscriber connection. */
function subscriberConnection(own: NodeRedisOwnClients): PubSubConnection {
  return {
    listeners: (type) => {
      const connection = own.peek('subscriber');
      return connection ? (connection.getPubSubListeners as (t: string) => Map<string, unknown>).call(connection, type) : new Map();
    },
    run: (_receiver, method, channels, listener, bufferMode, open) => {
      if (!open && !own.has('subscriber')) return Promise.resolve();
      return own.get('subscriber').then((connection) => method.call(connection, channels === undefined ? undefined : [...channels], listener, bufferMode));
    },
  };
}

/** Subscriptions of a view that owns its client: on that client. */
function ownedConnection(client: NodeRedisClientLike): PubSubConnection {
  const listenersOf = client.getPubSubListeners as ((type: string) => Map<string, unknown>) | undefined;
  return {
    listeners: (type) => listenersOf?.call(client, type),
    run: (receiver, method: SubscribeMethod, channels, listener, bufferMode) =>
      method.call(receiver, channels === undefined ? undefined : [...channels], listener, bufferMode),
  };
}
