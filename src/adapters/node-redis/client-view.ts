import type { ConnectionScope, NamespaceGuard, RedisArg, ReplyShape } from '../../core/index.js';
import type { Instrumentation } from '../../instrument/instrumentation.js';
import { registerViewConnections } from '../own-connections.js';
import { pubSubFrameRefusal, transactionFrameRefusal } from '../refusals.js';
import { defineClientSideCache } from './cache-facade.js';
import { commandLayer, lazyReceivers } from './command-methods.js';
import type { NodeRedisClientLike, NodeRedisParser, QueuedCommand, TransformReply } from './internals.js';
import { NodeRedisOwnClients } from './own-clients.js';
import { createNodeRedisPoolView } from './pool-view.js';
import { definePubSub } from './pubsub.js';
import { runsScript } from '../../core/scripts/script-refusal.js';
import { confinedScript, scriptError } from './scripts.js';
import { replySlot, rewriteBatch, rewriteParser, rewriteRawArgs, unprefixBatch, unprefixing, type RewrittenParser } from './rewrite.js';
import { assertTransactionLines, batchRoute, lineScope, sharedLineRefusal, type BatchRoute } from './scope.js';
import { DirectHub, SharedSubscriber } from './subscription-hubs.js';
import { assertWrappable, completeBase, type NodeRedisViewOptions } from './view-common.js';
import { Bases, createView, defineOwn, stateOf, ViewState, type ViewParts } from './view-state.js';

type Executor = (this: unknown, command: unknown, parser: NodeRedisParser, options: unknown, transformReply: TransformReply) => Promise<unknown>;
type BatchExecutor = (this: unknown, commands: QueuedCommand[], ...rest: unknown[]) => Promise<unknown[]>;
type Method = (this: unknown, ...args: unknown[]) => Promise<unknown>;

/** What the bases of client views give cluster and pool views, under module-private keys. */
const EXCLUSIVE = Symbol('isolated-redis.node-redis.exclusive');
const CLOSE_OWN = Symbol('isolated-redis.node-redis.close-own');

/**
 * The exclusive connection of a client view over a shared client (opened now if it has none):
 * where a cluster view runs a blocking command routed to that node. `undefined` for a view that
 * owns its client (it blocks on it).
 */
export function exclusiveConnectionOf(view: NodeRedisClientLike): Promise<NodeRedisClientLike> | undefined {
  return ((view as unknown as Record<symbol, unknown>)[EXCLUSIVE] as () => Promise<NodeRedisClientLike> | undefined).call(view);
}

/**
 * Closes what a client view over a shared client opened (its exclusive connection) and ends its
 * subscriptions: `quit` gracefully, `disconnect` at once. Nothing for a view that owns its client.
 */
export function closeViewOwn(view: NodeRedisClientLike, how: 'quit' | 'disconnect'): Promise<void> {
  return ((view as unknown as Record<symbol, unknown>)[CLOSE_OWN] as (how: 'quit' | 'disconnect') => Promise<void>).call(view, how);
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

/** Scopes a single command cannot have on a shared connection: refused here, before anything is sent. */
function assertMovable(guard: NamespaceGuard, scope: ConnectionScope, line: readonly RedisArg[]): void {
  if (scope === 'session') throw sharedLineRefusal(guard, line);
  if (scope === 'transaction') throw transactionFrameRefusal(guard, line[0]);
  if (scope === 'subscribe') throw pubSubFrameRefusal(guard, line[0]);
}

const bases = new Bases((client: NodeRedisClientLike, owned: boolean) => buildClientBase(client, owned));

/**
 * An isolated view of a node-redis client (`createClient()`, or a node client of a cluster or a
 * pool): an object whose prototype chain holds the client, so it has the client's whole API and
 * types. The client is never modified; any number of views can share its connection.
 *
 * A view is an object over the client's view *base* (built once per client, see
 * {@link buildClientBase}) with one own property, its state: its guard, its instrumentation, and
 * what it creates for itself on first need (an exclusive connection, subscriptions, listeners).
 * Creating one costs a couple of small objects, and a view dropped leaves nothing on the client.
 */
export function createNodeRedisClientView<C extends NodeRedisClientLike>(client: C, guard: NamespaceGuard, instr: Instrumentation, options: NodeRedisViewOptions = {}): C {
  const owned = options.owned === true;
  return createView<C>(bases.of(client, owned), new ViewState(guard, instr));
}

/**
 * On a cluster's ASK redirect node-redis runs the command in an "asking chain" (options with a
 * `chainId`) after sending ASKING on the node's shared client; a command the view moves to a
 * connection of its own needs ASKING there, in the same chain, or the node answers ASK again.
 */
function askingFirst(connection: NodeRedisClientLike, commandOptions: unknown): void {
  const chainId = (commandOptions as { chainId?: unknown } | undefined)?.chainId;
  if (chainId !== undefined) connection.sendCommand(['ASKING'], { chainId }).catch(() => undefined); // its failure fails the command after it
}

/**
 * The methods every view of `client` shares, each reading the view's state from `this`.
 *
 * node-redis funnels every command into a handful of executors: `_executeCommand` (typed
 * commands, module and function commands), `_executeScript` (scripts), `sendCommand` (raw
 * commands), `_executeMulti` and `_executePipeline` (`multi()`, `execAsPipeline()`, the legacy
 * client), plus the pub/sub methods and WATCH/UNWATCH, which write to its queue directly. The
 * base overrides exactly these: each one guards the arguments (what it sends is the guard's
 * private copy, never an array or Buffer the caller holds) and calls the client's own executor
 * with the rewritten command and a reply transform that strips the prefix first.
 *
 * Where a command runs follows its connection scope (core `connectionScope`). On a view over a
 * shared client: blocking commands, WATCH/UNWATCH and the `multi()` executed while the view
 * watches run on the view's exclusive connection (`client.duplicate()`, opened on first need,
 * never handed out); subscriptions on the client's one subscriber connection, shared by all its
 * views (see `SharedSubscriber`); session commands are refused with `SharedConnectionError`;
 * `quit()`, `close()`, `disconnect()`, `destroy()` and a raw QUIT close only the view's exclusive
 * connection and end its subscriptions. A view that owns its client (`duplicate()`, or a client
 * the library created) runs everything on it, as the raw driver would.
 */
function buildClientBase(client: NodeRedisClientLike, owned: boolean): object {
  assertWrappable(client);
  const base = Object.create(commandLayer(client)) as Record<string, unknown>;
  lazyReceivers(base);
  const self = client._self;

  // What the views of a shared client opened: their exclusive connections, and the one subscriber.
  const opened = new Set<NodeRedisOwnClients>();
  let subscriber: SharedSubscriber | undefined;
  const direct = owned ? new DirectHub(client) : undefined;
  if (!owned) {
    registerViewConnections(client, async (how) => {
      const closing: Array<Promise<void> | undefined> = [subscriber?.close(how)];
      for (const own of [...opened]) {
        if (how === 'quit') closing.push(own.closeAll());
        else own.destroyAll();
      }
      await Promise.allSettled(closing);
    });
  }

  /** The view's exclusive connection (shared client), created on first need. */
  const ownOf = (parts: ViewParts): NodeRedisOwnClients => {
    if (parts.own) return parts.own;
    const own = new NodeRedisOwnClients(client, opened);
    // The watch lives on the exclusive connection: closing it ends the watch, and the view's next
    // transaction must fail rather than commit unguarded on a new connection (node-redis fails one
    // after a reconnect the same way).
    own.onClose = () => {
      if (parts.watching === true && own.has('exclusive')) parts.dirtyWatch ??= 'the connection of the WATCH was closed before EXEC';
      parts.watching = false;
    };
    return (parts.own = own);
  };
  /** Runs `send` on the view's exclusive connection, with the command options of `receiver`. */
  const onOwn = <T>(state: ViewState, receiver: unknown, send: (connection: NodeRedisClientLike) => Promise<T>): Promise<T> =>
    ownOf(state.own())
      .get('exclusive')
      .then((connection) => send(withOptionsOf(connection, receiver)));
  /** Closes what the view opened (its exclusive connection) and ends its subscriptions. */
  const closeOwn = (state: ViewState): Promise<void> => {
    const parts = state.parts;
    return Promise.all([parts?.own?.closeAll(), parts?.subscriptions?.unsubscribeAll()]).then(() => undefined);
  };

  const executor = (original: Executor, scripting: boolean): Executor =>
    function (this: unknown, command, parser, commandOptions, transformReply) {
      let state: ViewState;
      let rewritten: RewrittenParser;
      let scope: ConnectionScope = 'shared';
      try {
        state = stateOf(this);
        // node-redis falls back to EVAL of the script object's text: it must be the wrapped one.
        if (scripting) command = confinedScript(state.guard, command);
        rewritten = rewriteParser(state.guard, parser);
        if (!owned) {
          scope = lineScope(rewritten.redisArgs);
          assertMovable(state.guard, scope, rewritten.redisArgs);
        }
      } catch (error) {
        return Promise.reject(rejected(this, error));
      }
      const { guard, instr } = state;
      if (scope === 'close') return closeOwn(state).then(() => 'OK');
      const transform = unprefixing(guard, rewritten.replyShape, transformReply);
      const line = rewritten.redisArgs;
      const send =
        scope === 'blocking' || scope === 'watch'
          ? (): Promise<unknown> =>
              onOwn(state, this, (connection) => {
                askingFirst(connection, commandOptions);
                return original.call(connection, command, rewritten, commandOptions, transform);
              })
          : (): Promise<unknown> => original.call(self, command, rewritten, commandOptions, transform);
      const sent = instr.observing() ? instr.commandLine(line, rewritten.keys.length, send) : send();
      return runsScript(line[0]) ? sent.catch((error: unknown) => Promise.reject(scriptError(guard, line, error))) : sent;
    };
  defineOwn(base, '_executeCommand', executor(client._executeCommand as Executor, false));
  defineOwn(base, '_executeScript', executor(client._executeScript as Executor, true));

  const watch = client.WATCH as Method | undefined;
  const unwatch = client.UNWATCH as Method | undefined;
  /** WATCH or UNWATCH of a view over a shared client, on its exclusive connection; what it was asked is `line`. */
  const watchOnOwn = (state: ViewState, receiver: unknown, line: readonly RedisArg[]): Promise<unknown> => {
    const parts = state.own();
    if (String(line[0]).toLowerCase() === 'unwatch') {
      parts.watching = false;
      parts.dirtyWatch = undefined;
      if (!parts.own?.has('exclusive')) return Promise.resolve('OK');
      return onOwn(state, receiver, (connection) => (unwatch ? unwatch.call(connection) : connection.sendCommand(['UNWATCH'])));
    }
    parts.watching = true;
    const keys = line.slice(1);
    return onOwn(state, receiver, (connection) => (watch ? watch.call(connection, keys) : connection.sendCommand(['WATCH', ...keys])));
  };

  const sendCommand = client.sendCommand;
  defineOwn(base, 'sendCommand', function (this: unknown, args: RedisArg[], commandOptions?: unknown) {
    let state: ViewState;
    let rewritten: RedisArg[];
    let shape: ReplyShape | undefined;
    let scope: ConnectionScope = 'shared';
    try {
      state = stateOf(this);
      rewritten = rewriteRawArgs(state.guard, args, replySlot);
      shape = replySlot.shape;
      if (!owned) {
        scope = lineScope(rewritten);
        assertMovable(state.guard, scope, rewritten);
      }
    } catch (error) {
      return Promise.reject(rejected(this, error));
    }
    const { guard, instr } = state;
    if (scope === 'close') return closeOwn(state).then(() => 'OK');
    const keys = replySlot.keys ?? 0;
    const send = (): Promise<unknown> => {
      const reply =
        scope === 'blocking'
          ? onOwn(state, this, (connection) => sendCommand.call(connection, rewritten, commandOptions))
          : scope === 'watch'
            ? watchOnOwn(state, this, rewritten)
            : sendCommand.call(this, rewritten, commandOptions);
      const mapped = runsScript(rewritten[0]) ? reply.catch((error: unknown) => Promise.reject(scriptError(guard, rewritten, error))) : reply;
      return shape === undefined ? mapped : mapped.then((value) => guard.unprefixShape(shape, value));
    };
    return instr.observing() ? instr.commandLine(rewritten, keys, send) : send();
  });

  // MULTI, execAsPipeline() and the legacy client's multi hand their queue to these.
  for (const name of ['_executeMulti', '_executePipeline'] as const) {
    const original = client[name] as BatchExecutor;
    const transaction = name === '_executeMulti';
    defineOwn(base, name, function (this: unknown, commands: QueuedCommand[], ...rest: unknown[]) {
      let state: ViewState;
      let batch: ReturnType<typeof rewriteBatch>;
      let route: BatchRoute = 'shared';
      try {
        state = stateOf(this);
        const { guard } = state;
        batch = rewriteBatch(guard, commands);
        if (!owned) route = batchRoute(guard, batch.commands.map((command) => command.args), transaction);
        else if (transaction) assertTransactionLines(guard, batch.commands.map((command) => command.args));
        // A transaction of a watching view runs where its WATCH was sent; so does one while the
        // client's owner watches on the shared connection (the view's EXEC would consume it).
        const parts = state.parts;
        if (!owned && transaction && (parts?.watching === true || parts?.dirtyWatch !== undefined || self.isWatching === true || self.isDirtyWatch === true)) {
          route = 'exclusive';
        }
        if (route === 'shared') assertRoom(self, batch.commands.length + (transaction ? 2 : 0));
      } catch (error) {
        return Promise.reject(rejected(this, error));
      }
      const { guard, instr } = state;
      let run: () => Promise<unknown[]>;
      if (route === 'exclusive') {
        const parts = state.own();
        const dirty = parts.dirtyWatch;
        if (transaction) {
          parts.watching = false;
          parts.dirtyWatch = undefined;
        } else {
          // A pipeline with WATCH or UNWATCH leaves the exclusive connection watching, or not.
          for (const { args } of batch.commands) if (lineScope(args) === 'watch') parts.watching = String(args[0]).toLowerCase() === 'watch';
        }
        run = () =>
          onOwn(state, this, (connection) => {
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
      let state: ViewState;
      let keys: readonly RedisArg[];
      try {
        state = stateOf(this);
        keys = state.guard.rewrite('watch', Array.isArray(key) ? key : [key]);
      } catch (error) {
        return Promise.reject(rejected(this, error));
      }
      return owned ? watch.call(this, [...keys]) : watchOnOwn(state, this, ['WATCH', ...keys]);
    };
    defineOwn(base, 'WATCH', guardedWatch);
    defineOwn(base, 'watch', guardedWatch);
  }
  if (!owned) {
    // UNWATCH also writes past the executors; on a shared client it would drop every view's watch.
    const guardedUnwatch = function (this: unknown): Promise<unknown> {
      return watchOnOwn(stateOf(this), this, ['UNWATCH']);
    };
    defineOwn(base, 'UNWATCH', guardedUnwatch);
    defineOwn(base, 'unwatch', guardedUnwatch);
    // setDirtyWatch() fails the view's next transaction, not the shared client's (another view's).
    defineOwn(base, 'setDirtyWatch', function (this: unknown, message: string) {
      stateOf(this).own().dirtyWatch = message;
    });
    Object.defineProperty(base, 'isWatching', {
      get(this: unknown) {
        return stateOf(this).parts?.watching === true;
      },
      configurable: true,
    });
    Object.defineProperty(base, 'isDirtyWatch', {
      get(this: unknown) {
        const parts = stateOf(this).parts;
        return parts?.dirtyWatch !== undefined || parts?.own?.peek('exclusive')?.isDirtyWatch === true;
      },
      configurable: true,
    });
    Object.defineProperty(base, 'isPubSubActive', {
      get(this: unknown) {
        return stateOf(this).parts?.subscriptions?.active === true;
      },
      configurable: true,
    });

    // Closing is the shared client's owner's job: a view closes what it opened.
    const quit = function (this: unknown): Promise<string> {
      return closeOwn(stateOf(this)).then(() => 'OK');
    };
    defineOwn(base, 'QUIT', quit);
    defineOwn(base, 'quit', quit);
    defineOwn(base, 'close', function (this: unknown) {
      return closeOwn(stateOf(this));
    });
    defineOwn(base, 'disconnect', function (this: NodeRedisClientLike) {
      return closeViewOwn(this, 'disconnect');
    });
    defineOwn(base, 'destroy', function (this: NodeRedisClientLike) {
      void closeViewOwn(this, 'disconnect').catch(() => undefined);
    });
  }

  defineOwn(base, EXCLUSIVE, function (this: unknown) {
    return owned ? undefined : ownOf(stateOf(this).own()).get('exclusive');
  });
  defineOwn(base, CLOSE_OWN, function (this: unknown, how: 'quit' | 'disconnect') {
    if (owned) return Promise.resolve();
    const state = stateOf(this);
    if (how === 'quit') return closeOwn(state);
    state.parts?.own?.destroyAll();
    return state.parts?.subscriptions?.unsubscribeAll() ?? Promise.resolve();
  });

  const createPool = client.createPool as ((options?: unknown) => Record<string, unknown>) | undefined;
  if (typeof createPool === 'function') {
    defineOwn(base, 'createPool', function (this: unknown, poolOptions?: unknown) {
      const { guard, instr } = stateOf(this);
      return createNodeRedisPoolView(createPool.call(client, poolOptions), guard, instr, createNodeRedisClientView, { owned: true });
    });
  }

  defineClientSideCache(base, client, owned);
  definePubSub(base, client, { hubOf: () => direct ?? (subscriber ??= new SharedSubscriber(client)), bareSharded: true });
  completeBase(base, client, owned, (duplicate: NodeRedisClientLike, guard, instr) => createNodeRedisClientView(duplicate, guard, instr, { owned: true }));
  return base;
}

/** Reports a refusal on the view's instrumentation (when `receiver` is a view) and returns it. */
function rejected(receiver: unknown, error: unknown): unknown {
  try {
    return stateOf(receiver).instr.rejected(error);
  } catch {
    return error;
  }
}
