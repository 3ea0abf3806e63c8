/**
 * The stable codes of the CLI's own failures.
 *
 * - `ERR_CLI_USAGE`: wrong flags or arguments (exit code 2).
 * - `ERR_CLI_CONFIG`: an unreadable or invalid `isolated-redis` configuration (exit code 2).
 * - `ERR_CLI_DEPENDENCY`: an optional peer dependency the command needs is not installed (exit code 2).
 * - `ERR_CLI_CONNECTION`: the Redis server cannot be reached or refuses the credentials (exit code 2).
 *
 * @example
 * ```ts
 * const code: CliErrorCode = 'ERR_CLI_USAGE';
 * ```
 */
export type CliErrorCode = 'ERR_CLI_USAGE' | 'ERR_CLI_CONFIG' | 'ERR_CLI_DEPENDENCY' | 'ERR_CLI_CONNECTION';

/**
 * A failure of the `isolated-redis` CLI or of the ESLint plugin that is the user's to fix: the
 * CLI prints its message and exits with code 2.
 *
 * @example
 * ```ts
 * throw new CliError('ERR_CLI_USAGE', 'unknown format "xml"');
 * ```
 */
export class CliError extends Error {
  readonly code: CliErrorCode;

  constructor(code: CliErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.code = code;
  }
}
