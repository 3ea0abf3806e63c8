import { IsolationConfigError, connectionScope, type ConnectionScope, type NamespaceGuard } from '../../core/index.js';
import type { Instrumentation } from '../../instrument/instrumentation.js';
import { isolationInfo } from '../isolation-info.js';
import { rejectedLikeIoredis, type IoredisCommand, type IoredisLike, type IoredisPipeline } from './internals.js';
import { isTransactionFrame, monitorRefusal, sharedConnectionRefusal, transactionFrameRefusal, unpipelinedMultiRefusal } from '../refusals.js';
import { AutoPipeline } from './auto-pipeline.js';
import { IoredisOwnConnections } from './connections.js';
import { guardPipeline, isJudged, isPipelineWrite, unjudgedPipelineRefusal, type PipelineContext } from './pipeline.js';
import { preparedKeyCount, prepareOrReject } from './prepare-command.js';
import { isolatePubSubEvents } from './pubsub-events.js';
import { expandUnsubscribeAll } from './unsubscribe-all.js';

/**
 * Options of {@link createIoredisView}.
 *
 * @example
 * ```ts
 * createIoredisView(client.duplicate(), guard, instr, { owned: true });
 * ```
 */
export interface IoredisViewOptions {
  /**
   * The view owns the client's connection (a `duplicate()`, a client the library created): every
   * command runs on it as on the raw driver, and closing the view closes the client. Otherwise
   * the connection is shared with other namespaces' views: commands that need a connection of
   * their own run on the view's own connections, or are refused (see `connectionScope`).
   * @defaultValue `false`
   */
  readonly owned?: boolean;
}

type Callback = (error: Error | null, reply?: unknown) => void;

/** Settles `promise` ioredis-style: a callback, when given, receives the outcome (and handles a rejection). */
function asCallback<T>(promise: Promise<T>, callback?: unknown): Promise<T> {
  if (typeof callback === 'function') promise.then((value) => (callback as Callback)(null, value), (error: Error) => (callback as Callback)(error));
  return promise;
}

/**
 * An isolated view of an ioredis client: an object whose prototype is the client, so it has the
 * client's whole API and types, with the few methods that reach the socket replaced. The client
 * itself is never modified: it stays raw, and any number of views (one per namespace) can share
 * its connection.
 *
 * Every command of the view (typed methods, `call`, scripts, `scanStream`, auto-pipelining)
 * reaches `sendCommand` with the view as `this`; the view guards it there and hands it to the
 * client's own `sendCommand`, called on the client so that connection state stays the client's.
 * What a command needs of its connection decides where it goes (`connectionScope`): on a view
 * over a shared client, blocking commands and WATCH run on the view's own exclusive connection,
 * subscriptions on its own subscriber connection, session commands are refused, QUIT closes only
 * what the view opened.
 */
export function createIoredisView<C extends IoredisLike>(client: C, guard: NamespaceGuard, instr: Instrumentation, options: IoredisViewOptions = {}): C {
  if (client.options.keyPrefix) {
    throw new IsolationConfigError(
      `the client has ioredis's own keyPrefix ${JSON.stringify(client.options.keyPrefix)}; remove it: isolated-redis prefixes keys itself, ` +
        'patterns, channels and replies included',
    );
  }
  const existing = (client as { isolation?: { namespace: string } }).isolation;
  if (existing) {
    throw new IsolationConfigError(
      `the client is already isolated in namespace "${existing.namespace}"; wrap the raw client instead (views share its connection)`,
    );
  }
  const view = Object.create(client) as C & Record<string, unknown>;
  const sendCommand = client.sendCommand;
  const autoPipeline = client.options.enableAutoPipelining ? new AutoPipeline(client) : undefined;
  const owned = options.owned === true;
  // The connections a view over a shared client opens for itself: owning views over duplicates.
  const own = owned ? undefined : new IoredisOwnConnections(client, (connection) => createIoredisView(connection, guard, instr, { owned: true }));
  const pipelines: PipelineContext = { guard, instr, own };

  const send = (command: IoredisCommand, stream?: unknown, node?: unknown): unknown => {
    if (autoPipeline && stream === undefined && node === undefined && autoPipeline.accepts(command)) return autoPipeline.enqueue(command);
    return sendCommand.call(client, command, stream, node);
  };

  const defineOwn = (name: string, value: unknown): void => {
    Object.defineProperty(view, name, { value, writable: true, configurable: true, enumerable: false });
  };

  // Views over a Cluster's nodes (`nodes()`), one per node: they open connections of their own too.
  const nodeViews = new Map<IoredisLike, C>();

  /** Closes what the view opened (and its node views); on an owning view, the caller then closes the client. */
  const closeOwn = async (how: 'quit' | 'disconnect'): Promise<void> => {
    const nodes = [...nodeViews.values()];
    nodeViews.clear();
    await Promise.all([
      own?.closeAll(how),
      ...nodes.map((node) => (how === 'quit' ? node.quit().then(() => undefined) : node.disconnect())),
    ]);
  };

  /**
   * A command that needs more of its connection than to be sent on it (`connectionScope`), on a
   * view over a shared client: run on a connection of the view's own, or refused.
   */
  const route = (command: IoredisCommand, scope: ConnectionScope, sharedOwn: IoredisOwnConnections): unknown => {
    switch (scope) {
      case 'blocking':
        return sharedOwn.get('exclusive').sendCommand(command);
      case 'watch':
        sharedOwn.watching = String(command.name).toLowerCase() === 'watch';
        return sharedOwn.get('exclusive').sendCommand(command);
      case 'subscribe':
        // Nothing to end on a subscriber connection the view never opened: 0 subscriptions left,
        // as Redis answers. (Channels named are still checked.)
        if (!sharedOwn.isOpen('subscriber') && /unsubscribe$/i.test(String(command.name))) {
          if (command.args.length === 0 || prepareOrReject(guard, command, instr)) command.resolve(0);
          return command.promise;
        }
        return sharedOwn.get('subscriber').sendCommand(command);
      case 'session':
        command.reject(instr.rejected(sharedConnectionRefusal(guard, command.name, command.args)));
        return command.promise;
      case 'close':
        // QUIT closes what the view opened; the shared connection is its owner's to close.
        sharedOwn.closeAll('quit').then(() => command.resolve(Buffer.from('OK')), (error: Error) => command.reject(error));
        return command.promise;
      default:
        return undefined;
    }
  };

  defineOwn('sendCommand', function (command: IoredisCommand, stream?: unknown, node?: unknown) {
    // A command of a pipeline judged whole (guardPipeline): prefixed and accepted with its batch.
    if (isJudged(command)) return send(command, stream, node);
    // A pipeline the view did not judge (one built over the view by hand, past its pipeline()):
    // accepting some of its commands would queue them on the connection, unwritten, while a
    // refused one keeps the batch from being written: every later reply would go to the wrong
    // caller. None of it is accepted.
    if (isPipelineWrite(stream)) {
      command.reject(instr.rejected(unjudgedPipelineRefusal(guard, command.name)));
      return command.promise;
    }
    // MULTI/EXEC/DISCARD sent on their own open a transaction on the connection that would
    // swallow other views' commands (and hand their replies to this view's EXEC); multi() and
    // pipelines that frame their own transactions are judged whole instead.
    if (isTransactionFrame(command.name)) {
      command.reject(instr.rejected(transactionFrameRefusal(guard, command.name)));
      return command.promise;
    }
    const scope = connectionScope(command.name, command.args);
    // ioredis follows connection state (subscriber mode, QUIT, transactions) by lower-case names
    // only: an upper-case SUBSCRIBE would leave it reading pushed messages as replies.
    if (scope !== 'shared') command.name = String(command.name).toLowerCase();
    // A view over a shared client moves or refuses what needs a connection of its own; a view
    // that owns its connection sends everything there, as the raw driver would.
    if (own) {
      const routed = route(command, scope, own);
      if (routed !== undefined) return routed;
    } else if (expandUnsubscribeAll(client, command)) {
      return command.promise;
    }
    if (!prepareOrReject(guard, command, instr, owned)) return command.promise;
    if (stream === undefined && node === undefined && instr.observing()) {
      return instr.command(command.name, command.args, preparedKeyCount(command), () => send(command) as Promise<unknown>, (error) => command.reject(error));
    }
    return send(command, stream, node);
  });
  // ioredis's own auto-pipelining would batch commands before the guard sees them: the view
  // turns it off for itself and batches guarded commands instead (see AutoPipeline).
  defineOwn('options', { ...client.options, enableAutoPipelining: false });
  Object.defineProperty(view, 'autoPipelineQueueSize', { get: () => autoPipeline?.size ?? 0, configurable: true, enumerable: false });

  defineOwn('pipeline', function (this: C, commands?: unknown[][]) {
    const pipeline = guardPipeline(client.pipeline.call(this) as IoredisPipeline, pipelines, false);
    if (Array.isArray(commands)) (pipeline.addBatch as (c: unknown[][]) => unknown).call(pipeline, commands);
    return pipeline;
  });

  defineOwn('multi', function (this: C, commands?: unknown, multiOptions?: { pipeline?: boolean }) {
    const opts = !Array.isArray(commands) && multiOptions === undefined ? (commands as { pipeline?: boolean } | undefined) : multiOptions;
    if (opts?.pipeline === false) {
      throw instr.rejected(unpipelinedMultiRefusal(guard));
    }
    const transaction = guardPipeline(client.multi.call(this) as IoredisPipeline, pipelines, true);
    if (Array.isArray(commands)) (transaction.addBatch as (c: unknown[][]) => unknown).call(transaction, commands);
    return transaction;
  });

  // Redis#duplicate(options) and Cluster#duplicate(startupNodes, options): pass both through. The
  // duplicate's connection is the view's own.
  defineOwn('duplicate', function (...args: unknown[]) {
    let named: unknown[];
    try {
      named = namedInNamespace(guard, client, args);
    } catch (error) {
      throw instr.rejected(error as Error);
    }
    const copy = client.duplicate(...named);
    try {
      return createIoredisView(copy, guard, instr, { owned: true });
    } catch (error) {
      copy.disconnect(); // refused (its own keyPrefix...): the copy is nobody's to close
      throw error;
    }
  });

  // Closing a view closes what it opened; on an owning view, its client too (on a shared one, the
  // client is its owner's to close).
  const clientQuit = client.quit;
  defineOwn('quit', function (callback?: Callback) {
    // Redis's quit() is a command: sent through the view (guarded, observed). Cluster's is a method
    // that changes the instance's state: called on the client.
    const closed = closeOwn('quit').then(() => (owned ? clientQuit.call(client.isCluster ? client : view) : 'OK'));
    return asCallback(closed, callback);
  });
  const clientDisconnect = client.disconnect;
  const disconnect = function (reconnect?: boolean): void {
    void closeOwn('disconnect');
    if (owned) clientDisconnect.call(client, reconnect);
  };
  defineOwn('disconnect', disconnect);
  if (typeof (client as { end?: unknown }).end === 'function') defineOwn('end', () => disconnect());

  defineOwn('monitor', function (callback?: (error: Error) => void) {
    return rejectedLikeIoredis(instr.rejected(monitorRefusal(guard)), callback);
  });

  // State ioredis keeps per instance and mutates: the view gets its own, so that nothing the
  // view does lands in the client (its scripts, its auto-pipelines).
  defineOwn('scriptsSet', { ...(client.scriptsSet ?? {}) });
  defineOwn('addedBuiltinSet', new Set(client.addedBuiltinSet ?? []));
  defineOwn('_autoPipelines', new Map());
  defineOwn('_runningAutoPipelines', new Set());
  defineOwn('isolation', isolationInfo(guard, instr));

  // A Cluster's node connections are the Cluster's, shared by its views.
  defineOwn('nodes', function (role?: unknown) {
    const nodes = (client as unknown as { nodes?: (role?: unknown) => IoredisLike[] }).nodes;
    if (typeof nodes !== 'function') return undefined;
    return nodes.call(client, role).map((node) => {
      let nodeView = nodeViews.get(node);
      if (!nodeView) nodeViews.set(node, (nodeView = createIoredisView(node as C, guard, instr)));
      return nodeView;
    });
  });

  // A view over a shared client hears messages on its own subscriber connection.
  isolatePubSubEvents(view, client, guard, own?.messages);
  delegateConnectionMethods(view, client);
  return view;
}

/**
 * `duplicate()`'s arguments with the connection name the copy will give itself (`connectionName`,
 * on a Cluster `redisOptions.connectionName`) in the namespace, as CLIENT SETNAME's would be: a
 * name left as given could pass for another namespace's connection in its CLIENT LIST.
 */
function namedInNamespace(guard: NamespaceGuard, client: IoredisLike, args: unknown[]): unknown[] {
  const inNamespace = (name: unknown): unknown =>
    typeof name === 'string' && name !== '' ? guard.rewrite('client', ['setname', name], { shape: undefined, keys: 0 })[1] : name;
  const named = <T extends { connectionName?: unknown } | undefined>(options: T): T =>
    options !== undefined && options !== null && typeof options === 'object' && 'connectionName' in options
      ? { ...options, connectionName: inNamespace(options.connectionName) }
      : options;
  if (!client.isCluster) return [named(args[0] as { connectionName?: unknown } | undefined), ...args.slice(1)];
  const options = args[1] as { redisOptions?: { connectionName?: unknown } } | undefined;
  if (options?.redisOptions === undefined) return args;
  return [args[0], { ...options, redisOptions: named(options.redisOptions) }, ...args.slice(2)];
}

/**
 * Methods that must see the view as `this`: they send commands (which must pass the view's
 * guard) or create objects that will (scan streams).
 */
const VIEW_METHODS = new Set([
  'constructor', 'exec', 'createScanStream',
  'scanStream', 'scanBufferStream', 'sscanStream', 'sscanBufferStream',
  'hscanStream', 'hscanBufferStream', 'zscanStream', 'zscanBufferStream',
]);

/**
 * Connection and emitter methods of Redis/Cluster (connect, disconnect, quit on Cluster, emit,
 * setStatus...) write state to `this`. Called on a view, that state would land on the view
 * instead of the client; so the view calls them on the client. Command methods, which live on
 * ioredis's Commander prototype, keep the view as `this` and so go through its guard.
 */
function delegateConnectionMethods(view: Record<string, unknown>, client: IoredisLike): void {
  for (let proto = Object.getPrototypeOf(client) as object | null; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    if (Object.prototype.hasOwnProperty.call(proto, 'callBuffer')) break; // Commander: the commands
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (VIEW_METHODS.has(name) || Object.prototype.hasOwnProperty.call(view, name)) continue;
      const descriptor = Object.getOwnPropertyDescriptor(proto, name);
      if (typeof descriptor?.value !== 'function') continue;
      const method = descriptor.value as (...args: unknown[]) => unknown;
      Object.defineProperty(view, name, {
        value: function (...args: unknown[]) {
          const result = method.apply(client, args);
          return result === client ? view : result;
        },
        writable: true,
        configurable: true,
        enumerable: false,
      });
    }
  }
}
