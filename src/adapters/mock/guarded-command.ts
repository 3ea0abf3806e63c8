import { connectionScope, type ConnectionScope, type RedisArg, type ReplySlot } from '../../core/index.js';
import { runsScript, scriptRefusal } from '../../core/scripts/script-refusal.js';
import { rejectedLikeIoredis } from '../ioredis/internals.js';
import { batchedConnectionStateRefusal, isTransactionFrame, transactionFrameRefusal } from '../refusals.js';
import { MockUnsupportedCommandError } from './errors.js';
import { mockArguments, mockMethod } from './internals.js';
import { matchedOnView } from './match-filter.js';
import { MOCK_UNSUPPORTED_COMMANDS, MOCK_UNSUPPORTED_OPTIONS } from './unsupported-commands.js';
import type { MockCommandEvent, MockViewState } from './view-state.js';

/** A command that passed the guard: what to call on the mock, and how to read its reply. */
export interface PreparedCommand {
  readonly method: string;
  /** The arguments as the guard rewrote them: what a server would receive. */
  readonly sent: readonly RedisArg[];
  /** What the mock's method runs with: `sent`, but a KEYS or SCAN MATCH pattern the view matches itself. */
  readonly run: readonly RedisArg[];
  /** The reply as the code gets it: filtered by the view's MATCH, then un-prefixed. */
  readonly unprefix: (reply: unknown) => unknown;
  /** How many keys it names. */
  readonly keys: number;
  /**
   * Tells the observers how the command ended: sent to the mock, or held back because another
   * command of its pipeline was refused. Called once the whole batch is decided.
   */
  readonly report: (refusal?: Error) => void;
}

type Callback = (error: Error | null, reply?: unknown) => void;

const replySlot: ReplySlot = { shape: undefined, keys: 0 };

/**
 * What a batch of a view over a shared mock cannot carry, as on a shared ioredis connection: the
 * batch runs on the shared mock as a whole, so a (un)subscription, a session command or QUIT in
 * it would change (or close) the mock every other namespace's view uses.
 */
const NOT_IN_SHARED_BATCH: ReadonlySet<ConnectionScope> = new Set(['subscribe', 'session', 'close']);
const identity = (reply: unknown): unknown => reply;

/**
 * Guards one call of a mock method (`get`, `getBuffer`...); tells the observers of a refusal at
 * once, of a command that passed when it is sent ({@link PreparedCommand.report}). Throws the
 * guard's refusal, or {@link MockUnsupportedCommandError} for a command that passed the guard
 * but that the mock cannot run: the guard's verdict comes first, so codes match the real adapters.
 */
export function prepareMockCommand(state: MockViewState, method: string, input: readonly unknown[], pipelined: boolean): PreparedCommand {
  const command = method.endsWith('Buffer') ? method.slice(0, -'Buffer'.length) : method;
  const args = mockArguments(state.mock, command, input);
  const notify = (event: Omit<MockCommandEvent, 'command' | 'method' | 'args' | 'pipelined'>): void => {
    for (const observer of state.observers) observer({ command: command.toLowerCase(), method, args, pipelined, ...event });
  };
  try {
    // MULTI, EXEC and DISCARD of the mock act on its one transaction, shared by every view (and
    // MULTI hands back the mock's raw batch, whose commands no guard sees): pipeline() and
    // multi() frame a view's own commands instead.
    if (isTransactionFrame(command)) throw transactionFrameRefusal(state.guard, command);
    if (pipelined && state.owned !== true && NOT_IN_SHARED_BATCH.has(connectionScope(command, args))) {
      throw batchedConnectionStateRefusal(state.guard, command, args);
    }
    const sent = state.guard.rewrite(command, args, replySlot);
    const shape = replySlot.shape;
    const name = command.toLowerCase();
    if (MOCK_UNSUPPORTED_COMMANDS.has(name) || !mockMethod(state.mock, method)) throw new MockUnsupportedCommandError(name, state.guard.namespace);
    const option = MOCK_UNSUPPORTED_OPTIONS[name]?.(args);
    if (option !== undefined) throw new MockUnsupportedCommandError(name, state.guard.namespace, option);
    const unprefix = shape === undefined ? identity : (reply: unknown): unknown => state.guard.unprefixShape(shape, reply);
    const matched = matchedOnView(command, sent);
    return {
      method,
      sent,
      run: matched?.args ?? sent,
      keys: replySlot.keys ?? 0,
      unprefix: matched ? (reply) => unprefix(matched.filter(reply)) : unprefix,
      report: (refusal) => notify(refusal ? { error: refusal } : { sent }),
    };
  } catch (error) {
    notify({ error: error as Error });
    throw state.instr.rejected(error);
  }
}

/**
 * Runs one typed call through the guard on the mock, ioredis-style: a trailing callback gets
 * the error or the reply; a refusal rejects at once and nothing reaches the mock.
 */
export function runMockCommand(state: MockViewState, method: string, input: unknown[]): Promise<unknown> {
  const callback = typeof input[input.length - 1] === 'function' ? (input.pop() as Callback) : undefined;
  const name = method.replace(/Buffer$/, '').toLowerCase();
  // QUIT on a view over a shared mock closes nothing: the mock is its owner's to close.
  if (name === 'quit' && state.owned !== true) {
    state.subscriber?.close(); // what the view opened for itself
    return settleLikeIoredis(Promise.resolve('OK'), callback);
  }
  const tracked = trackedSubscriptions(state, name);
  if (tracked && input.length === 0 && /unsubscribe$/.test(name)) {
    // Without channels: only this view's own subscriptions end, as on a real connection of its own.
    if (tracked.size === 0) return settleLikeIoredis(Promise.resolve(0), callback);
    input.push(...tracked);
  }
  const named = input.map(String);
  let prepared: PreparedCommand;
  try {
    prepared = prepareMockCommand(state, method, input, false);
  } catch (error) {
    return rejectedLikeIoredis(error as Error, callback);
  }
  prepared.report();
  // (Un)subscriptions of a view over a shared mock run on its own subscriber mock.
  const target = state.subscriber !== undefined && connectionScope(name, prepared.sent) === 'subscribe' ? state.subscriber.get() : state.mock;
  const run = mockMethod(target, prepared.method) as (...args: RedisArg[]) => unknown;
  const ran = (): Promise<unknown> => new Promise((resolve) => resolve(run.apply(target, [...prepared.run]))).then(prepared.unprefix);
  // The Lua guard's refusals inside a script, as the typed errors the real adapters give.
  const send = runsScript(name)
    ? (): Promise<unknown> => ran().catch((error: unknown) => Promise.reject(scriptRefusal(error, state.guard.namespace, (sha) => state.guard.scripts?.originalName(sha))))
    : ran;
  const { instr } = state;
  const reply = instr.observing() ? instr.command(method.replace(/Buffer$/, ''), prepared.sent, prepared.keys, send) : send();
  if (tracked) {
    reply.then(
      () => named.forEach((channel) => (name.startsWith('un') || name.startsWith('pun') ? tracked.delete(channel) : tracked.add(channel))),
      () => undefined,
    );
  }
  return settleLikeIoredis(reply, callback);
}

/** The set of this view's subscriptions a (un)subscribe command changes, if `name` is one. */
function trackedSubscriptions(state: MockViewState, name: string): Set<string> | undefined {
  if (name === 'subscribe' || name === 'unsubscribe') return state.subscriptions?.channels;
  if (name === 'psubscribe' || name === 'punsubscribe') return state.subscriptions?.patterns;
  return undefined;
}

/** `promise`, ioredis-style: a callback, when given, receives its outcome. */
function settleLikeIoredis<T>(promise: Promise<T>, callback?: Callback): Promise<T> {
  if (callback) promise.then((value) => callback(null, value), (error: Error) => callback(error));
  return promise;
}
