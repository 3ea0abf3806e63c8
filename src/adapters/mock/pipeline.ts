import { rejectedLikeIoredis } from '../ioredis/internals.js';
import { prepareMockCommand, type PreparedCommand } from './guarded-command.js';
import type { MockBatch } from './internals.js';
import { batchMethodName } from './mock-quirks.js';
import type { MockViewState } from './view-state.js';

type Callback = (error: Error | null, reply?: unknown) => void;
type Results = Array<[Error | null, unknown]> | null;

interface Queued {
  readonly method: string;
  readonly args: unknown[];
  readonly callback: Callback | undefined;
}

/** A guarded pipeline: what the view's `pipeline()` and `multi()` return. */
export interface MockPipeline {
  readonly length: number;
  exec(callback?: (error: Error | null, results?: Results) => void): Promise<Results>;
  [command: string]: unknown;
}

/** How a queued call becomes a command: the method's own name, or a script's EVAL. */
export type QueueAs = (args: unknown[]) => { method: string; args: unknown[] };

interface PipelineState {
  readonly view: MockViewState;
  readonly transaction: boolean;
  readonly queued: Queued[];
}
const STATE = Symbol('pipeline');
/** The pipeline itself frames its commands: these are not queued. */
const TRANSACTION_FRAMES = new Set(['exec', 'multi', 'discard']);
type Internal = MockPipeline & { [STATE]: PipelineState };

/**
 * Builds the prototype of a view's pipelines: one queuing method per command name (the plain
 * and `Buffer` forms), `call` and `callBuffer`, `exec` and `length`. ioredis-mock's own pipeline calls its command
 * emulators directly, past any method of the view, so the view queues commands itself and hands
 * them to a pipeline of the mock only once every one has passed the guard: all or nothing.
 */
export function createPipelinePrototype(methods: Iterable<string>): Record<string, unknown> {
  const proto: Record<string, unknown> = {
    get length(): number {
      return (this as unknown as Internal)[STATE].queued.length;
    },
    exec(this: Internal, callback?: (error: Error | null, results?: Results) => void): Promise<Results> {
      return execPipeline(this[STATE], callback);
    },
  };
  for (const method of methods) {
    if (!TRANSACTION_FRAMES.has(method.replace(/Buffer$/, ''))) addQueuingMethod(proto, method, (args) => ({ method, args }));
  }
  // ioredis's pipelines take any command by name, as the client's call() and callBuffer() do.
  addQueuingMethod(proto, 'call', ([command, ...args]) => ({ method: String(command).toLowerCase(), args }));
  addQueuingMethod(proto, 'callBuffer', ([command, ...args]) => ({ method: `${String(command).toLowerCase()}Buffer`, args }));
  return proto;
}

/** Adds (or replaces) a method that queues a command on the pipelines of `proto`. */
export function addQueuingMethod(proto: Record<string, unknown>, name: string, queueAs: QueueAs): void {
  Object.defineProperty(proto, name, {
    value: function (this: Internal, ...input: unknown[]) {
      const callback = typeof input[input.length - 1] === 'function' ? (input.pop() as Callback) : undefined;
      const { method, args } = queueAs(input);
      this[STATE].queued.push({ method, args, callback });
      return this;
    },
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

/** A new pipeline (or MULTI) of a view, with `commands` (`[['set', 'k', 'v'], ...]`) queued. */
export function createMockPipeline(proto: object, view: MockViewState, transaction: boolean, commands: unknown): MockPipeline {
  const pipeline = Object.create(proto) as Internal;
  Object.defineProperty(pipeline, STATE, { value: { view, transaction, queued: [] } satisfies PipelineState });
  if (Array.isArray(commands)) {
    for (const [name, ...args] of commands as unknown[][]) (pipeline[String(name)] as (...a: unknown[]) => unknown)(...args);
  }
  return pipeline;
}

function execPipeline(state: PipelineState, callback?: (error: Error | null, results?: Results) => void): Promise<Results> {
  const queued = state.queued.splice(0);
  const prepared: PreparedCommand[] = [];
  try {
    for (const { method, args } of queued) prepared.push(prepareMockCommand(state.view, method, args, true));
  } catch (error) {
    // The commands before the refused one passed the guard, but none of the batch was sent.
    for (const command of prepared) command.report(error as Error);
    for (const { callback: own } of queued) own?.(error as Error);
    return rejectedLikeIoredis(error as Error, callback);
  }
  for (const command of prepared) command.report();
  const { mock, instr } = state.view;
  const batch: MockBatch = state.transaction ? mock.multi() : mock.pipeline();
  for (const { method, run } of prepared) (batch[batchMethodName(batch, method)] as (...args: unknown[]) => unknown)(...run);
  const run = (): Promise<Results> =>
    batch.exec().then((replies) =>
      replies === null ? null : replies.map(([error, reply], i): [Error | null, unknown] => [error, error ? reply : (prepared[i] as PreparedCommand).unprefix(reply)]),
    );
  const keys = prepared.reduce((sum, command) => sum + command.keys, 0);
  const results = instr.observing() ? instr.batch(state.transaction ? 'multi' : 'pipeline', keys, run) : run();
  results.then(
    (replies) => queued.forEach(({ callback: own }, i) => own?.(replies?.[i]?.[0] ?? null, replies?.[i]?.[1])),
    (error: Error) => queued.forEach(({ callback: own }) => own?.(error)),
  );
  if (callback) results.then((replies) => callback(null, replies), (error: Error) => callback(error));
  return results;
}
