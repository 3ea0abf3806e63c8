import type { IsolationError } from '../core/index.js';
import type { CommandRecording } from './record-commands.js';

/**
 * Thrown by {@link assertNoRefusals}: the guard refused commands during the recording.
 *
 * @example
 * ```ts
 * try { assertNoRefusals(recording); } catch (err) { if (err instanceof UnexpectedRefusalError) console.log(err.refusals); }
 * ```
 */
export class UnexpectedRefusalError extends Error {
  readonly code = 'ERR_UNEXPECTED_REFUSAL' as const;
  readonly refusals: readonly IsolationError[];

  constructor(refusals: readonly IsolationError[]) {
    const lines = refusals.map((refusal) => `  ${refusal.code} (${refusal.namespace}, ${refusal.command}): ${refusal.message}`);
    super(`the namespace guard refused ${refusals.length} command${refusals.length === 1 ? '' : 's'}:\n${lines.join('\n')}`);
    this.name = 'UnexpectedRefusalError';
    this.refusals = refusals;
  }
}

/**
 * Throws {@link UnexpectedRefusalError} when the guard refused any command during `recording`,
 * including refusals the code under test caught and swallowed. A plain function: call it in
 * vitest's or jest's `afterEach`, or at the end of a test.
 *
 * @example
 * ```ts
 * let recording: CommandRecording;
 * beforeEach(() => { recording = recordCommands(redis); });
 * afterEach(() => assertNoRefusals(recording));
 * ```
 */
export function assertNoRefusals(recording: CommandRecording): void {
  const refusals = recording.refusals;
  if (refusals.length > 0) throw new UnexpectedRefusalError(refusals);
}
