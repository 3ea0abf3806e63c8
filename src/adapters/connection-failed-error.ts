/**
 * A client the library created from a URL could not open its first connection within its
 * attempts (`connectAttempts`, each bounded by `connectTimeoutMs`), or the server refused the
 * credentials. The message names the URL with its password masked, and what the last attempt
 * met; `cause` is the driver's error, when there is one.
 *
 * With node-redis, `connect()` rejects with the driver's `ReconnectStrategyError`, whose message
 * is this error's and whose `originalError` is this error.
 *
 * @example
 * ```ts
 * try {
 *   await redis.ping();
 * } catch (err) {
 *   if (err instanceof ConnectionFailedError) console.error(err.message); // cannot connect to redis://:***@cache:6379 after 3 attempts: connect ECONNREFUSED ...
 * }
 * ```
 */
export class ConnectionFailedError extends Error {
  readonly code = 'ERR_CONNECTION_FAILED' as const;
  /** The URL, password masked. */
  readonly url: string;
  /** The attempts made. */
  readonly attempts: number;

  constructor(details: { readonly url: string; readonly attempts: number; readonly reason: string; readonly cause?: unknown }) {
    super(`cannot connect to ${details.url}${details.attempts > 1 ? ` after ${details.attempts} attempts` : ''}: ${details.reason}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ConnectionFailedError';
    this.url = details.url;
    this.attempts = details.attempts;
  }
}
