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
  // node-redis's error classes leave `name` as 'Error': their class names tell them apart.
  for (let proto = Object.getPrototypeOf(error) as { constructor?: { name?: string } } | null; proto && proto !== Error.prototype; proto = Object.getPrototypeOf(proto) as typeof proto) {
    const kind = NODE_REDIS_TIMEOUTS[proto.constructor?.name ?? ''];
    if (kind) return kind;
  }
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

/** node-redis's timeout errors by class name (subclasses, such as its maintenance variants, are found through the prototype chain). */
const NODE_REDIS_TIMEOUTS: Readonly<Record<string, TimeoutKind>> = {
  TimeoutError: 'command',
  SocketTimeoutError: 'socket',
  ConnectionTimeoutError: 'connect',
};

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
