import { EventEmitter } from 'node:events';
import { IsolationConfigError, type NamespaceGuard } from '../../core/index.js';
import { Instrumentation } from '../../instrument/instrumentation.js';
import { isolationInfo } from '../isolation-info.js';
import { BUILTIN_COMMANDS } from '../../core/command-table.js';
import { rejectedLikeIoredis, type IoredisLike } from '../ioredis/internals.js';
import { isolatePubSubEvents, relayMessageEvents } from '../ioredis/pubsub-events.js';
import { monitorRefusal, unpipelinedMultiRefusal } from '../refusals.js';
import { runMockCommand } from './guarded-command.js';
import type { IoredisMockLike } from './internals.js';
import { addQueuingMethod, createMockPipeline, createPipelinePrototype } from './pipeline.js';
import { GuardedScanStream, type ScanStreamOptions } from './scan-stream.js';
import { attachViewState, type MockCommandObserver, type MockViewState } from './view-state.js';

/** Functions ioredis-mock puts on each instance that are not commands (its Lua and stream helpers). */
const MOCK_HELPERS = new Set([
  '_signalModifiedKey', 'connect', 'defineCommand', 'customCommand', 'defineArgv', 'defineKeys', 'defineRedisObject',
  'scanStream', 'sscanStream', 'hscanStream', 'zscanStream',
]);

/** The command table's names, each in its plain and `Buffer` form. */
const TABLE_METHODS: readonly string[] = BUILTIN_COMMANDS.names().flatMap((name) => [name, `${name}Buffer`]);

/**
 * Every method of the view that runs a command: the command table's (so a command the mock lacks
 * still meets the guard and a clear refusal) and every command method the mock has beyond it
 * (module commands it stubs, which the guard refuses unless registered).
 */
function commandMethods(mock: IoredisMockLike): Set<string> {
  const methods = new Set(TABLE_METHODS);
  for (const name of Object.getOwnPropertyNames(mock)) {
    if (!MOCK_HELPERS.has(name) && typeof (mock as unknown as Record<string, unknown>)[name] === 'function') methods.add(name);
  }
  return methods;
}

interface ScriptDefinition {
  readonly lua: string;
  readonly numberOfKeys?: number;
}

/**
 * An isolated view of an ioredis-mock client. ioredis-mock has no `sendCommand`: each command
 * is a method of its own, so the view (an object whose prototype is the mock, which is never
 * modified) replaces every command method with one that guards the arguments with the same
 * guard as the real adapters, runs the mock's method with the rewritten arguments and strips
 * the prefix from the reply. Pipelines and MULTI are all or nothing, scan streams and pub/sub
 * events are confined, and commands the mock cannot run are refused with
 * {@link MockUnsupportedCommandError} after the guard's own verdict.
 */
export function createMockView<C extends IoredisMockLike>(
  mock: C,
  guard: NamespaceGuard,
  instr = new Instrumentation(guard.namespace, {}),
  observers = new Set<MockCommandObserver>(),
  owned = false,
): C {
  if (mock.options.keyPrefix) {
    throw new IsolationConfigError(
      `the mock has a keyPrefix ${JSON.stringify(mock.options.keyPrefix)}; remove it: isolated-redis prefixes keys itself, ` +
        'patterns, channels and replies included',
    );
  }
  const existing = (mock as { isolation?: { namespace: string } }).isolation;
  if (existing) {
    throw new IsolationConfigError(`the mock is already isolated in namespace "${existing.namespace}"; wrap the raw mock instead`);
  }
  const view = Object.create(mock) as C & Record<string, unknown>;
  // A view over a shared mock subscribes on a duplicate of its own; its message listeners hear it.
  const messages = owned ? undefined : new EventEmitter();
  let subscriberMock: IoredisMockLike | undefined;
  const subscriber = messages && {
    get: (): IoredisMockLike => {
      if (subscriberMock) return subscriberMock;
      const opened = mock.duplicate();
      relayMessageEvents(opened, messages);
      return (subscriberMock = opened);
    },
    close: (): void => {
      subscriberMock?.disconnect();
      subscriberMock = undefined;
      state.subscriptions?.channels.clear();
      state.subscriptions?.patterns.clear();
    },
  };
  const state: MockViewState = { mock, guard, observers, instr, owned, subscriber, subscriptions: { channels: new Set(), patterns: new Set() } };
  const own = (name: string, value: unknown): void => {
    Object.defineProperty(view, name, { value, writable: true, configurable: true, enumerable: false });
  };

  const methods = commandMethods(mock);
  for (const method of methods) own(method, (...args: unknown[]) => runMockCommand(state, method, args));
  own('call', (command: unknown, ...args: unknown[]) => runMockCommand(state, String(command).toLowerCase(), args));
  own('callBuffer', (command: unknown, ...args: unknown[]) => runMockCommand(state, `${String(command).toLowerCase()}Buffer`, args));

  // Built on the first pipeline: most views in unit tests never make one.
  let pipelinePrototype: Record<string, unknown> | undefined;
  const pipelineProto = (): Record<string, unknown> => (pipelinePrototype ??= createPipelinePrototype(methods));
  own('pipeline', (commands?: unknown) => createMockPipeline(pipelineProto(), state, false, commands));
  own('multi', (commands?: unknown, options?: { pipeline?: boolean }) => {
    const opts = !Array.isArray(commands) && options === undefined ? (commands as { pipeline?: boolean } | undefined) : options;
    if (opts?.pipeline === false) throw instr.rejected(unpipelinedMultiRefusal(guard));
    return createMockPipeline(pipelineProto(), state, true, commands);
  });
  own('monitor', (callback?: (error: Error) => void) => rejectedLikeIoredis(instr.rejected(monitorRefusal(guard)), callback));

  // A script runs as EVAL of its Lua with its keys counted, so the guard prefixes its KEYS.
  own('defineCommand', (name: string, definition: ScriptDefinition) => {
    const asEval = (args: unknown[]): unknown[] =>
      definition.numberOfKeys === undefined ? [definition.lua, ...args] : [definition.lua, definition.numberOfKeys, ...args];
    own(name, (...args: unknown[]) => runMockCommand(state, 'eval', asEval(args)));
    own(`${name}Buffer`, (...args: unknown[]) => runMockCommand(state, 'evalBuffer', asEval(args)));
    addQueuingMethod(pipelineProto(), name, (args) => ({ method: 'eval', args: asEval(args) }));
    addQueuingMethod(pipelineProto(), `${name}Buffer`, (args) => ({ method: 'evalBuffer', args: asEval(args) }));
  });

  type Scan = ConstructorParameters<typeof GuardedScanStream>[0];
  const scanOf = (method: string): Scan => (...args) => runMockCommand(state, method, args) as ReturnType<Scan>;
  for (const form of ['', 'Buffer']) {
    own(`scan${form}Stream`, (options?: ScanStreamOptions) => new GuardedScanStream(scanOf(`scan${form}`), [], options));
    for (const type of ['sscan', 'hscan', 'zscan']) {
      own(`${type}${form}Stream`, (key: unknown, options?: ScanStreamOptions) => new GuardedScanStream(scanOf(`${type}${form}`), [key], options));
    }
  }

  own('duplicate', (options?: Record<string, unknown>) => createMockView(mock.duplicate(options), guard, instr, observers, true));
  // A view over a mock passed in shares it with other namespaces' views: closing the view leaves it open.
  own('disconnect', () => {
    subscriber?.close();
    if (owned) mock.disconnect();
  });
  own('isolation', isolationInfo(guard, instr));
  attachViewState(view, state);
  isolatePubSubEvents(view, mock as unknown as IoredisLike, guard, messages);
  return view;
}
