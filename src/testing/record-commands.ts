import { IsolationError } from '../core/index.js';
import { observeMockCommands, type MockCommandEvent } from '../adapters/mock/index.js';

/**
 * One command an isolated mock client was asked to run: `args` as the code wrote them, `sent`
 * as the guard rewrote them (what was stored), `error` when it was refused.
 *
 * @example
 * ```ts
 * const command: RecordedCommand = { namespace: 'mcp2', command: 'set', method: 'set', args: ['a', '1'], sent: ['mcp2:a', '1'], pipelined: false };
 * ```
 */
export type RecordedCommand = MockCommandEvent & {
  /** The namespace of the client that ran or refused it. */
  readonly namespace: string;
};

/**
 * What {@link recordCommands} returns: the commands recorded so far, in the order they were
 * called (a pipeline's commands when it was executed).
 *
 * @example
 * ```ts
 * const recording: CommandRecording = recordCommands(redis);
 * recording.commands.map((c) => c.sent); // [['mcp2:payload:1', 'data']]
 * ```
 */
export interface CommandRecording {
  readonly commands: readonly RecordedCommand[];
  /** The guard's refusals among them (`IsolationError`s), even those the code caught and swallowed. */
  readonly refusals: readonly IsolationError[];
  /** Forgets what was recorded so far. */
  clear(): void;
  /** Stops recording. */
  stop(): void;
}

/**
 * Records every command the given isolated mock clients (and their duplicates) run or refuse
 * from now on, both as the code wrote it and as it was sent to the mock.
 *
 * @throws `IsolationConfigError` (from "isolated-redis") when a client is not an isolated ioredis-mock client.
 * @example
 * ```ts
 * const recording = recordCommands(redis);
 * await service.save('1', 'data');
 * expect(recording.commands.map((c) => [c.command, ...(c.sent ?? [])])).toEqual([['set', 'mcp2:payload:1', 'data']]);
 * ```
 */
export function recordCommands(...clients: object[]): CommandRecording {
  const commands: RecordedCommand[] = [];
  const stops = clients.map((client) => {
    const namespace = (client as { isolation?: { namespace?: string } }).isolation?.namespace ?? '';
    return observeMockCommands(client, (event) => commands.push({ ...event, namespace }));
  });
  return {
    get commands() {
      return commands;
    },
    get refusals() {
      // A refused pipeline reports its one refusal on each of its commands: listed once.
      return [...new Set(commands.flatMap(({ error }) => (error instanceof IsolationError ? [error] : [])))];
    },
    clear() {
      commands.length = 0;
    },
    stop() {
      for (const stop of stops) stop();
    },
  };
}
