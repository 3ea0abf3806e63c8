import { EventEmitter } from 'node:events';
import { connectionScope, type ConnectionScope } from '../../core/index.js';
import { isolationInfo } from '../isolation-info.js';
import { followOwner, registerViewConnections } from '../own-connections.js';
import { isTransactionFrame, monitorRefusal, sharedConnectionRefusal, transactionFrameRefusal, unpipelinedMultiRefusal } from '../refusals.js';
import { AutoPipeline, autoPipelined } from './auto-pipeline.js';
import { IoredisOwnConnections, reportErrorsOn, type ExclusiveAccess } from './connections.js';
import { rejectedLikeIoredis, type IoredisCommand, type IoredisLike, type IoredisPipeline } from './internals.js';
import { namedInNamespace } from './named-duplicate.js';
import { guardPipeline, isJudged, isPipelineWrite, unjudgedPipelineRefusal } from './pipeline.js';
import { preparedKeyCount, prepareOrReject } from './prepare-command.js';
import { createViewEvents, VIEW_EVENT_METHODS, type ViewEvents } from './pubsub-events.js';
import { HUB_ROLES, HubMember, hubRole, SubscriberHub, subscriptionKind, type HubRole } from './subscriber-hub.js';
import { expandUnsubscribeAll } from './unsubscribe-all.js';
import { STATE, stateOf, ViewState } from './view-state.js';

type Callback = (error: Error | null, reply?: unknown) => void;
type Fn = (...args: unknown[]) => unknown;

/** Makes an owning view over a connection a view opened (its exclusive connection, its `duplicate()`). */
export type MakeOwningView = (connection: IoredisLike, state: ViewState) => IoredisLike;

/**
 * What every view over one client shares: the prototype carrying the view methods (each reads
 * the view's own {@link ViewState} from `this`), the client's subscriber connections for views'
 * subscriptions (one for channels and patterns, one for shard channels), and the views holding
 * an exclusive connection.
 */
export interface ClientBase {
  readonly client: IoredisLike;
  /** Whether views over the client own its connection (a `duplicate()`, a client the library created). */
  readonly owned: boolean;
  /** A new view over the client: the prototype plus the view's state. */
  readonly create: (state: ViewState) => IoredisLike;
  /** Views over the client that opened an exclusive connection, until they close it. */
  readonly exclusive: Set<ViewState>;
  /** The shared subscriber connections, per role, each made on first need. */
  readonly hubs: Partial<Record<HubRole, SubscriberHub>>;
}

/** Per client, the base of its views: one entry per client (weakly held), never one per view. */
const shared = new WeakMap<object, ClientBase>();
const owning = new WeakMap<object, ClientBase>();
/** The prototypes themselves: not clients a view can be made over. */
const prototypes = new WeakSet<object>();

/** Whether `value` is the prototype of some client's views (never to be wrapped itself). */
export const isViewPrototype = (value: object): boolean => prototypes.has(value);

/** The base of the views over `client`, made with the first of them. */
export function baseOf(client: IoredisLike, owned: boolean, makeOwningView: MakeOwningView): ClientBase {
  const bases = owned ? owning : shared;
  let base = bases.get(client);
  if (base === undefined) {
    base = makeBase(client, owned, makeOwningView);
    bases.set(client, base);
  }
  return base;
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

/** ioredis's per-instance mutable state: each view gets its own on first access, so nothing it does lands in the client. */
const INSTANCE_STATE: ReadonlyArray<[string, (client: IoredisLike) => unknown]> = [
  ['scriptsSet', (client) => ({ ...(client.scriptsSet ?? {}) })],
  ['addedBuiltinSet', (client) => new Set(client.addedBuiltinSet ?? [])],
  ['_autoPipelines', () => new Map()],
  ['_runningAutoPipelines', () => new Set()],
];

function makeBase(client: IoredisLike, owned: boolean, makeOwningView: MakeOwningView): ClientBase {
  const proto = Object.create(client) as Record<string | symbol, unknown>;
  prototypes.add(proto);
  const View = function (this: Record<symbol, unknown>, state: ViewState): void {
    this[STATE] = state;
  } as unknown as new (state: ViewState) => IoredisLike;
  (View as unknown as { prototype: object }).prototype = proto;
  const base: ClientBase = { client, owned, create: (state) => new View(state), exclusive: new Set(), hubs: {} };
  const define = (name: string, value: unknown): void => {
    Object.defineProperty(proto, name, { value, writable: true, configurable: true, enumerable: false });
  };
  const sendCommand = client.sendCommand;
  const autoPipelines = autoPipelined(client);

  const send = (state: ViewState, command: IoredisCommand, stream?: unknown, node?: unknown): unknown => {
    if (autoPipelines !== undefined && stream === undefined && node === undefined && autoPipelines(command)) {
      return (state.own().autoPipeline ??= new AutoPipeline(client)).enqueue(command);
    }
    return sendCommand.call(client, command, stream, node);
  };

  /** The view's exclusive connection (opened on first need), for blocking commands and WATCH. */
  const ownOf = (state: ViewState): IoredisOwnConnections => {
    const parts = state.own();
    return (parts.own ??= new IoredisOwnConnections(client, (connection) => makeOwningView(connection, state)));
  };
  const exclusiveOf = (state: ViewState): IoredisLike => {
    base.exclusive.add(state);
    return ownOf(state).get('exclusive');
  };
  /** What the view's pipelines need of its exclusive connection, without opening it. */
  const exclusiveAccess = (state: ViewState): ExclusiveAccess => ({
    get watching() {
      return state.parts?.own?.watching === true;
    },
    set watching(watching: boolean) {
      if (watching || state.parts?.own !== undefined) ownOf(state).watching = watching;
    },
    get: () => exclusiveOf(state),
  });

  const hubOf = (role: HubRole): SubscriberHub =>
    (base.hubs[role] ??= new SubscriberHub(() => {
      const subscriber = client.duplicate();
      followOwner(client, subscriber);
      reportErrorsOn(client, subscriber);
      return subscriber;
    }, role));
  const memberOf = (state: ViewState): HubMember => {
    const parts = state.own();
    return (parts.member ??= new HubMember((parts.messages ??= new EventEmitter())));
  };

  /** Closes what the view opened (its exclusive connection, its subscriptions, its node views). */
  const closeView = async (state: ViewState, how: 'quit' | 'disconnect'): Promise<void> => {
    const parts = state.parts;
    if (parts === undefined) return;
    const nodes = [...(parts.nodeViews?.values() ?? [])];
    parts.nodeViews = undefined;
    base.exclusive.delete(state);
    await Promise.all([
      parts.own?.closeAll(how),
      ...HUB_ROLES.map((role) => (parts.member !== undefined ? base.hubs[role]?.leave(parts.member, how) : undefined)),
      ...nodes.map((node) => (how === 'quit' ? node.quit().then(() => undefined) : node.disconnect())),
    ]);
  };

  /**
   * A (P|S)(UN)SUBSCRIBE of a view over a shared client: on the client's shared subscriber
   * connection of its kind (shard channels on their own), counted for the view alone. Without channels, an unsubscription ends the view's
   * own subscriptions of its kind.
   */
  const subscription = (state: ViewState, command: IoredisCommand): unknown => {
    const name = command.name;
    const kind = subscriptionKind(name);
    const ending = name.endsWith('unsubscribe');
    const bare = ending && command.args.length === 0;
    if (kind === undefined || (!bare && !prepareOrReject(state.guard, command, state.instr))) return command.promise;
    const run = (): Promise<unknown> => {
      const member = state.parts?.member;
      const role = hubRole(kind);
      const hub = base.hubs[role];
      let reply: Promise<number>;
      if (!ending) reply = hubOf(role).subscribe(memberOf(state), kind, command.args as Array<string | Buffer>);
      // Nothing to end for a view that never subscribed: Redis answers 0 subscriptions left.
      else if (member === undefined || hub === undefined) reply = Promise.resolve(0);
      else reply = hub.unsubscribe(member, kind, bare ? undefined : (command.args as Array<string | Buffer>));
      reply.then((count) => command.resolve(count), (error: Error) => command.reject(error));
      return command.promise;
    };
    if (!state.instr.observing()) return run();
    return state.instr.command(name, command.args, preparedKeyCount(command), run, (error) => command.reject(error));
  };

  /**
   * A command that needs more of its connection than to be sent on it (`connectionScope`), on a
   * view over a shared client: run on a connection of the view's own, or refused.
   */
  const route = (state: ViewState, command: IoredisCommand, scope: ConnectionScope): unknown => {
    switch (scope) {
      case 'blocking':
        return exclusiveOf(state).sendCommand(command);
      case 'watch':
        ownOf(state).watching = command.name === 'watch';
        return exclusiveOf(state).sendCommand(command);
      case 'subscribe':
        return subscription(state, command);
      case 'session':
        command.reject(state.instr.rejected(sharedConnectionRefusal(state.guard, command.name, command.args)));
        return command.promise;
      case 'close':
        // QUIT closes what the view opened; the shared connection is its owner's to close.
        closeView(state, 'quit').then(() => command.resolve(Buffer.from('OK')), (error: Error) => command.reject(error));
        return command.promise;
      default:
        return undefined;
    }
  };

  define('sendCommand', function (this: unknown, command: IoredisCommand, stream?: unknown, node?: unknown) {
    const state = stateOf(this);
    const { guard, instr } = state;
    // A command of a pipeline judged whole (guardPipeline): prefixed and accepted with its batch.
    if (isJudged(command)) return send(state, command, stream, node);
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
    if (!owned) {
      const routed = route(state, command, scope);
      if (routed !== undefined) return routed;
    } else if (expandUnsubscribeAll(client, command)) {
      return command.promise;
    }
    if (!prepareOrReject(guard, command, instr, owned)) return command.promise;
    if (stream === undefined && node === undefined && instr.observing()) {
      return instr.command(command.name, command.args, preparedKeyCount(command), () => send(state, command) as Promise<unknown>, (error) => command.reject(error));
    }
    return send(state, command, stream, node);
  });

  // ioredis's own auto-pipelining would batch commands before the guard sees them: views turn it
  // off for themselves and batch guarded commands instead (see AutoPipeline). Every view of a
  // shared client reads this one copy, so none may change it for the others (keyPrefix...):
  // frozen. A view that owns its client (a duplicate) may change its own, as code that set
  // `connectionName` on a connection it made would on the raw client (bull's workers do).
  const options = { ...client.options, enableAutoPipelining: false };
  define('options', owned ? options : Object.freeze(options));
  Object.defineProperty(proto, 'autoPipelineQueueSize', {
    get(this: unknown) {
      return stateOf(this).parts?.autoPipeline?.size ?? 0;
    },
    configurable: true,
    enumerable: false,
  });

  const pipelineContext = (state: ViewState): Parameters<typeof guardPipeline>[1] => ({
    guard: state.guard,
    instr: state.instr,
    own: owned ? undefined : exclusiveAccess(state),
  });
  const clientPipeline = client.pipeline;
  define('pipeline', function (this: IoredisLike, commands?: unknown[][]) {
    const pipeline = guardPipeline(clientPipeline.call(this) as IoredisPipeline, pipelineContext(stateOf(this)), false);
    if (Array.isArray(commands)) (pipeline.addBatch as (c: unknown[][]) => unknown).call(pipeline, commands);
    return pipeline;
  });
  const clientMulti = client.multi;
  define('multi', function (this: IoredisLike, commands?: unknown, multiOptions?: { pipeline?: boolean }) {
    const state = stateOf(this);
    const opts = !Array.isArray(commands) && multiOptions === undefined ? (commands as { pipeline?: boolean } | undefined) : multiOptions;
    if (opts?.pipeline === false) {
      throw state.instr.rejected(unpipelinedMultiRefusal(state.guard));
    }
    const transaction = guardPipeline(clientMulti.call(this) as IoredisPipeline, pipelineContext(state), true);
    if (Array.isArray(commands)) (transaction.addBatch as (c: unknown[][]) => unknown).call(transaction, commands);
    return transaction;
  });

  // The duplicate's connection is the view's own.
  define('duplicate', function (this: unknown, ...args: unknown[]) {
    const state = stateOf(this);
    let named: unknown[];
    try {
      named = namedInNamespace(state.guard, client, args);
    } catch (error) {
      throw state.instr.rejected(error as Error);
    }
    return makeOwningView(client.duplicate(...named), state);
  });

  // Closing a view closes what it opened; on an owning view, its client too (on a shared one, the
  // client is its owner's to close).
  const clientQuit = client.quit;
  define('quit', function (this: IoredisLike, callback?: Callback) {
    // Redis's quit() is a command: sent through the view (guarded, observed). Cluster's is a method
    // that changes the instance's state: called on the client.
    const closed = closeView(stateOf(this), 'quit').then(() => (owned ? clientQuit.call(client.isCluster ? client : this) : 'OK'));
    return asCallback(closed, callback);
  });
  const clientDisconnect = client.disconnect;
  define('disconnect', function (this: IoredisLike, reconnect?: boolean): void {
    void closeView(stateOf(this), 'disconnect');
    if (owned) clientDisconnect.call(client, reconnect);
  });
  if (typeof (client as { end?: unknown }).end === 'function') {
    define('end', function (this: IoredisLike) {
      this.disconnect();
    });
  }

  define('monitor', function (this: unknown, callback?: (error: Error) => void) {
    const state = stateOf(this);
    return rejectedLikeIoredis(state.instr.rejected(monitorRefusal(state.guard)), callback);
  });

  for (const [name, initial] of INSTANCE_STATE) {
    Object.defineProperty(proto, name, {
      get(this: unknown) {
        const parts = stateOf(this).own();
        const instance = (parts.instance ??= {});
        if (!(name in instance)) instance[name] = initial(client);
        return instance[name];
      },
      set(this: unknown, value: unknown) {
        (stateOf(this).own().instance ??= {})[name] = value;
      },
      configurable: true,
      enumerable: false,
    });
  }

  Object.defineProperty(proto, 'isolation', {
    get(this: unknown) {
      const state = (this as { [STATE]?: ViewState })[STATE];
      if (state === undefined) return undefined;
      return (state.own().isolation ??= isolationInfo(state.guard, state.instr));
    },
    configurable: true,
    enumerable: false,
  });

  // A Cluster's node connections are the Cluster's, shared by its views.
  define('nodes', function (this: unknown, role?: unknown) {
    const nodes = (client as unknown as { nodes?: (role?: unknown) => IoredisLike[] }).nodes;
    if (typeof nodes !== 'function') return undefined;
    const state = stateOf(this);
    const nodeViews = (state.own().nodeViews ??= new Map());
    return nodes.call(client, role).map((node) => {
      let nodeView = nodeViews.get(node);
      if (!nodeView) nodeViews.set(node, (nodeView = baseOf(node, false, makeOwningView).create(new ViewState(state.guard, state.instr))));
      return nodeView;
    });
  });

  // The view's listeners: message listeners of a view over a shared client hear what the client's
  // shared subscriber delivers to it; every other listener is on the client, tracked per view.
  const eventsOf = (view: unknown): ViewEvents => {
    const state = stateOf(view);
    const parts = state.own();
    return (parts.events ??= createViewEvents(view as object, client, state.guard, owned ? undefined : () => (parts.messages ??= new EventEmitter())));
  };
  // emit and the listener readers too: a view's emit() reaches its own listeners only (another
  // namespace's would receive whatever it passes; and the client's `end` closes every view's connections).
  for (const name of [...VIEW_EVENT_METHODS, 'emit', 'listeners', 'rawListeners', 'listenerCount'] as const) {
    define(name, function (this: unknown, ...args: unknown[]) {
      return (eventsOf(this)[name] as Fn)(...args);
    });
  }

  delegateConnectionMethods(proto, client);
  registerViewConnections(client, (how) => closeViewsConnections(base, how));
  return base;
}

/** Closes what every view over the client opened: exclusive connections, the shared subscribers, and on a Cluster, those of its nodes' views. */
async function closeViewsConnections(base: ClientBase, how: 'quit' | 'disconnect'): Promise<void> {
  const views = [...base.exclusive];
  base.exclusive.clear();
  const nodes = (base.client as unknown as { nodes?: () => IoredisLike[] }).nodes;
  const nodeBases = typeof nodes === 'function' ? nodes.call(base.client).map((node) => shared.get(node)) : [];
  await Promise.allSettled([
    ...views.map((state) => state.parts?.own?.closeAll(how)),
    ...HUB_ROLES.map((role) => base.hubs[role]?.close(how)),
    ...nodeBases.map((nodeBase) => (nodeBase === undefined ? undefined : closeViewsConnections(nodeBase, how))),
  ]);
}

/** Settles `promise` ioredis-style: a callback, when given, receives the outcome (and handles a rejection). */
function asCallback<T>(promise: Promise<T>, callback?: unknown): Promise<T> {
  if (typeof callback === 'function') promise.then((value) => (callback as Callback)(null, value), (error: Error) => (callback as Callback)(error));
  return promise;
}

/**
 * Connection and emitter methods of Redis/Cluster (connect, disconnect, quit on Cluster, emit,
 * setStatus...) write state to `this`. Called on a view, that state would land on the view
 * instead of the client; so views call them on the client. Command methods, which live on
 * ioredis's Commander prototype, keep the view as `this` and so go through its guard.
 */
function delegateConnectionMethods(proto: Record<string, unknown>, client: IoredisLike): void {
  for (let owner = Object.getPrototypeOf(client) as object | null; owner && owner !== Object.prototype; owner = Object.getPrototypeOf(owner) as object | null) {
    if (Object.prototype.hasOwnProperty.call(owner, 'callBuffer')) break; // Commander: the commands
    for (const name of Object.getOwnPropertyNames(owner)) {
      if (VIEW_METHODS.has(name) || Object.prototype.hasOwnProperty.call(proto, name)) continue;
      const descriptor = Object.getOwnPropertyDescriptor(owner, name);
      if (typeof descriptor?.value !== 'function') continue;
      const method = descriptor.value as Fn;
      Object.defineProperty(proto, name, {
        value: function (this: unknown, ...args: unknown[]) {
          const result = method.apply(client, args);
          return result === client ? this : result;
        },
        writable: true,
        configurable: true,
        enumerable: false,
      });
    }
  }
}
