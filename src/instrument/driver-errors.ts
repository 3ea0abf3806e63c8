import type { TimeoutKind } from './events.js';

/**
 * The drivers' own timeout errors, told apart without importing either driver: ioredis rejects
 * with a plain `Error('Command timed out')`; node-redis has `TimeoutError` (a command not yet
 * written), `SocketTimeoutError` and `ConnectionTimeoutError`.
 *
 * @example
 * ```ts
 * nativeTimeoutKind(new Error('Command timed out')); // 'command'
 * ```
 */
export function nativeTimeoutKind(error: Error): TimeoutKind | undefined {
  switch (error.name) {
    case 'TimeoutError':
      return 'command';
    case 'SocketTimeoutError':
      return 'socket';
    case 'ConnectionTimeoutError':
      return 'connect';
    default:
      return error.message === 'Command timed out' ? 'command' : undefined;
  }
}

/** Error replies that mean the server is under pressure (out of memory, busy script, loading, failing to persist). */
const PRESSURE_REPLY = /^(OOM|BUSY|LOADING|MISCONF)\b/;

/**
 * Whether an error is one of Redis's pressure replies, and which.
 *
 * @example
 * ```ts
 * pressureReply(new Error("OOM command not allowed when used memory > 'maxmemory'.")); // 'OOM'
 * ```
 */
export function pressureReply(error: Error): string | undefined {
  const message = error.message;
  if (typeof message !== 'string') return undefined;
  return PRESSURE_REPLY.exec(message)?.[1];
}
