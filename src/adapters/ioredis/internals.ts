/**
 * The parts of ioredis (5 and 6) the adapter touches, typed structurally so the adapter needs no
 * import of ioredis itself: the user's copy is the one that runs.
 */
import type { RedisArg } from '../../core/index.js';

/** ioredis's `Command`: one command on its way to the socket. */
export interface IoredisCommand {
  name: string;
  args: RedisArg[];
  /** ioredis caches the key list (for Cluster slots); cleared after the args are rewritten. */
  keys?: unknown;
  slot?: number | null | undefined;
  promise: Promise<unknown>;
  resolve(reply: unknown): void;
  reject(error: Error): void;
  transformReply(reply: unknown): unknown;
  /** Set on the ASKING ioredis itself inserts into a pipeline it retries on a Cluster. */
  ignore?: boolean;
}

/** What a Redis, Cluster or Pipeline instance has that the adapter uses. */
export interface IoredisLike {
  sendCommand(command: IoredisCommand, stream?: unknown, node?: unknown): unknown;
  options: Record<string, unknown>;
  isCluster?: boolean;
  status?: string;
  scriptsSet?: Record<string, unknown>;
  addedBuiltinSet?: Set<string>;
  duplicate(...args: unknown[]): IoredisLike;
  pipeline(commands?: unknown[][]): IoredisPipeline;
  multi(commands?: unknown, options?: unknown): IoredisPipeline;
  on(event: string | symbol, listener: (...args: unknown[]) => void): unknown;
  off?(event: string | symbol, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string | symbol, listener: (...args: unknown[]) => void): unknown;
  quit(callback?: (error: Error | null, reply?: unknown) => void): Promise<unknown>;
  disconnect(reconnect?: boolean): void;
}

/** ioredis's `Pipeline` (also what `multi()` returns). */
export interface IoredisPipeline {
  _queue: IoredisCommand[];
  /** MULTIs opened with `multi()` whose EXEC ioredis has not queued yet. */
  _transactions?: number;
  /** The client (or view) the pipeline is written to: read at `exec`. */
  redis: IoredisLike;
  promise: Promise<unknown>;
  reject(error: Error): void;
  exec(callback?: (error: Error | null, result?: unknown) => void): Promise<unknown>;
  sendCommand(command: IoredisCommand): unknown;
  [key: string]: unknown;
}

/** Duck-typed: an ioredis `Redis` or `Cluster` instance (not an ioredis-mock, not node-redis). */
export function isIoredisClient(value: unknown): value is IoredisLike {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<IoredisLike> & { addedBuiltinSet?: unknown; callBuffer?: unknown };
  return (
    typeof candidate.sendCommand === 'function' &&
    typeof candidate.pipeline === 'function' &&
    typeof candidate.callBuffer === 'function' &&
    candidate.addedBuiltinSet instanceof Set &&
    typeof candidate.options === 'object'
  );
}

/**
 * A promise rejected with `error`, ioredis-style: a callback, when given, receives the error
 * (and so handles the rejection); a caller without one awaits the promise.
 */
export function rejectedLikeIoredis(error: Error, callback?: (error: Error) => void): Promise<never> {
  const rejected = Promise.reject(error);
  if (typeof callback === 'function') rejected.then(undefined, callback);
  return rejected;
}
