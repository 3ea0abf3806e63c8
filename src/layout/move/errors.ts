import type { MoveReport } from './report.js';

/**
 * The stable codes of {@link MoveError}.
 *
 * - `ERR_MOVE_CONNECTION`: a server cannot be reached, refuses the credentials, or lacks the database asked for.
 * - `ERR_MOVE_SAME_DATABASE`: source and target are one database of one server (same run id and database).
 * - `ERR_MOVE_UNSUPPORTED`: a Cluster node, a replica or read-only target, a source older than Redis 7.0, or
 *   keyspace notifications that cannot be enabled for a live move.
 * - `ERR_MOVE_PREFLIGHT`: the target lacks the memory for the namespace (it would evict or refuse writes).
 * - `ERR_MOVE_FAILED`: a command failed during the move (the report says how far it got).
 *
 * @example
 * ```ts
 * const code: MoveErrorCode = 'ERR_MOVE_PREFLIGHT';
 * ```
 */
export type MoveErrorCode = 'ERR_MOVE_CONNECTION' | 'ERR_MOVE_SAME_DATABASE' | 'ERR_MOVE_UNSUPPORTED' | 'ERR_MOVE_PREFLIGHT' | 'ERR_MOVE_FAILED';

/**
 * Why a move stopped. Its message is one line with every password masked and no key or value
 * bytes beyond an escaped, shortened key name; no driver error is kept as its cause (those hold
 * the command's arguments: AUTH passwords, DUMP payloads). `report` holds the figures of the run
 * so far when the failure came after it started.
 *
 * @example
 * ```ts
 * try {
 *   await moveNamespace(options);
 * } catch (error) {
 *   if (error instanceof MoveError && error.code === 'ERR_MOVE_PREFLIGHT') console.error(error.message);
 * }
 * ```
 */
export class MoveError extends Error {
  readonly code: MoveErrorCode;
  /** The run's figures when it failed, if it had started. */
  readonly report: MoveReport | undefined;

  constructor(code: MoveErrorCode, message: string, report?: MoveReport) {
    super(message);
    this.name = 'MoveError';
    this.code = code;
    this.report = report;
  }
}

/** The first line of an error's message (driver errors may carry more). */
export const firstLine = (error: unknown): string => {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? '';
};

/**
 * A driver's failure as a {@link MoveError}: `context` and the first line of the server's
 * answer, passwords masked. A MoveError passes through unchanged.
 */
export function asMoveError(error: unknown, code: MoveErrorCode, context: string, mask: (text: string) => string): MoveError {
  if (error instanceof MoveError) return error;
  return new MoveError(code, mask(`${context}: ${firstLine(error)}`));
}

/** Runs `task`, turning any driver failure into a {@link MoveError} (see {@link asMoveError}). */
export async function attempt<T>(task: () => Promise<T>, code: MoveErrorCode, context: string, mask: (text: string) => string): Promise<T> {
  try {
    return await task();
  } catch (error) {
    throw asMoveError(error, code, context, mask);
  }
}
