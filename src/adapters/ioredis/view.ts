import { IsolationConfigError, type NamespaceGuard } from '../../core/index.js';
import type { Instrumentation } from '../../instrument/instrumentation.js';
import { isolationInfo } from '../isolation-info.js';
import { rejectedLikeIoredis, type IoredisCommand, type IoredisLike, type IoredisPipeline } from './internals.js';
import { isTransactionFrame, monitorRefusal, transactionFrameRefusal, unpipelinedMultiRefusal } from '../refusals.js';
import { AutoPipeline } from './auto-pipeline.js';
import { guardPipeline, isFramedMulti } from './pipeline.js';
import { preparedKeyCount, prepareOrReject } from './prepare-command.js';
import { isolatePubSubEvents } from './pubsub-events.js';

/**
 * An isolated view of an ioredis client: an object whose prototype is the client, so it has the
 * client's whole API and types, with the few methods that reach the socket replaced. The client
 * itself is never modified: it stays raw, and any number of views (one per namespace) can share
 * its connection.
 *
 * Every command of the view (typed methods, `call`, scripts, `scanStream`, auto-pipelining)
 * reaches `sendCommand` with the view as `this`; the view guards it there and hands it to the
 * client's own `sendCommand`, called on the client so that connection state stays the client's.
 */
export function createIoredisView<C extends IoredisLike>(client: C, guard: NamespaceGuard, instr: Instrumentation): C {
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

  const send = (command: IoredisCommand, stream?: unknown, node?: unknown): unknown => {
    if (autoPipeline && stream === undefined && node === undefined && autoPipeline.accepts(command)) return autoPipeline.enqueue(command);
    return sendCommand.call(client, command, stream, node);
  };

  const own = (name: string, value: unknown): void => {
    Object.defineProperty(view, name, { value, writable: true, configurable: true, enumerable: false });
  };

  own('sendCommand', function (command: IoredisCommand, stream?: unknown, node?: unknown) {
    // MULTI/EXEC/DISCARD sent on their own open a transaction on the shared connection that would
    // swallow other views' commands (and hand their replies to this view's EXEC). Inside a
    // guarded pipeline (which passes `stream`) they frame this view's own commands only: a MULTI
    // passes only when guardPipeline found it closed by its own pipeline.
    if (isTransactionFrame(command.name) && (stream === undefined || (String(command.name).toLowerCase() === 'multi' && !isFramedMulti(command)))) {
      command.reject(instr.rejected(transactionFrameRefusal(guard, command.name)));
      return command.promise;
    }
    if (!prepareOrReject(guard, command, instr)) return command.promise;
    // Pipelined commands (`stream` given) are observed as their pipeline, in guardPipeline.
    if (stream === undefined && node === undefined && instr.observing()) {
      return instr.command(command.name, command.args, preparedKeyCount(command), () => send(command) as Promise<unknown>, (error) => command.reject(error));
    }
    return send(command, stream, node);
  });
  // ioredis's own auto-pipelining would batch commands before the guard sees them: the view
  // turns it off for itself and batches guarded commands instead (see AutoPipeline).
  own('options', { ...client.options, enableAutoPipelining: false });

  own('pipeline', function (this: C, commands?: unknown[][]) {
    const pipeline = guardPipeline(guard, client.pipeline.call(this) as IoredisPipeline, instr);
    if (Array.isArray(commands)) (pipeline.addBatch as (c: unknown[][]) => unknown).call(pipeline, commands);
    return pipeline;
  });

  own('multi', function (this: C, commands?: unknown, options?: { pipeline?: boolean }) {
    const opts = !Array.isArray(commands) && options === undefined ? (commands as { pipeline?: boolean } | undefined) : options;
    if (opts?.pipeline === false) {
      throw instr.rejected(unpipelinedMultiRefusal(guard));
    }
    const transaction = guardPipeline(guard, client.multi.call(this) as IoredisPipeline, instr);
    if (Array.isArray(commands)) (transaction.addBatch as (c: unknown[][]) => unknown).call(transaction, commands);
    return transaction;
  });

  // Redis#duplicate(options) and Cluster#duplicate(startupNodes, options): pass both through.
  own('duplicate', function (...args: unknown[]) {
    return createIoredisView(client.duplicate(...args), guard, instr);
  });

  own('monitor', function (callback?: (error: Error) => void) {
    return rejectedLikeIoredis(instr.rejected(monitorRefusal(guard)), callback);
  });

  // State ioredis keeps per instance and mutates: the view gets its own, so that nothing the
  // view does lands in the client (its scripts, its auto-pipelines).
  own('scriptsSet', { ...(client.scriptsSet ?? {}) });
  own('addedBuiltinSet', new Set(client.addedBuiltinSet ?? []));
  own('_autoPipelines', new Map());
  own('_runningAutoPipelines', new Set());
  own('isolation', isolationInfo(guard, instr));

  own('nodes', function (role?: unknown) {
    const nodes = (client as unknown as { nodes?: (role?: unknown) => IoredisLike[] }).nodes;
    if (typeof nodes !== 'function') return undefined;
    return nodes.call(client, role).map((node) => createIoredisView(node, guard, instr));
  });

  isolatePubSubEvents(view, client, guard);
  delegateConnectionMethods(view, client);
  return view;
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
