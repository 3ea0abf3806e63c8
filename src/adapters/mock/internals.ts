/**
 * The parts of ioredis-mock (8.x) the mock adapter touches, typed structurally so the adapter
 * needs no import of ioredis-mock: the main entry must load without it installed.
 */
import type { RedisArg } from '../../core/index.js';

type Method = (...args: unknown[]) => unknown;

/** ioredis-mock's batch (what its `pipeline()` and `multi()` return). */
export interface MockBatch {
  exec(): Promise<Array<[Error | null, unknown]> | null>;
  [command: string]: unknown;
}

/** An ioredis-mock `Redis` instance, as far as the adapter uses it. */
export interface IoredisMockLike {
  readonly options: { readonly keyPrefix?: string; readonly [option: string]: unknown };
  /** `host:port/db`: instances with the same one share their data. */
  readonly keyData: string;
  pipeline(): MockBatch;
  multi(): MockBatch;
  duplicate(options?: Record<string, unknown>): IoredisMockLike;
  disconnect(): void;
  on(event: string | symbol, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string | symbol, listener: (...args: unknown[]) => void): unknown;
}

/** Duck-typed: an ioredis-mock instance (it has no `sendCommand`, unlike ioredis). */
export function isIoredisMock(value: unknown): value is IoredisMockLike {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<string, unknown>>;
  return (
    candidate.sendCommand === undefined &&
    typeof candidate.keyData === 'string' &&
    typeof candidate.customCommands === 'object' &&
    typeof candidate.pipeline === 'function' &&
    typeof candidate.multi === 'function' &&
    typeof candidate.duplicate === 'function' &&
    typeof candidate.options === 'object'
  );
}

/** A method of the mock by name, or undefined when it has none. */
export function mockMethod(mock: IoredisMockLike, name: string): Method | undefined {
  const value = (mock as unknown as Record<string, unknown>)[name];
  return typeof value === 'function' ? (value as Method) : undefined;
}

/** The argument transformers of the ioredis the mock runs on (`hset(key, {a: 1})`, `mset({...})`). */
type ArgumentTransformer = (args: unknown[]) => unknown[];
interface MockConstructor {
  Command?: { transformers?: { argument?: Record<string, ArgumentTransformer | undefined> } };
}

/**
 * One argument as ioredis writes it (its `toArg`): strings and Buffers as they are, `null` and
 * `undefined` as an empty string, anything else through `String()` (`true` is `'true'`, `{}` is
 * `'[object Object]'`, `123n` is `'123'`, as the real adapter's guard sees them). Numbers are
 * left to the guard, which writes the same decimal text.
 */
function asIoredisWrites(arg: unknown): unknown {
  if (typeof arg === 'string' || typeof arg === 'number' || Buffer.isBuffer(arg)) return arg;
  return arg === null || arg === undefined ? '' : String(arg);
}

/**
 * The arguments of a typed call as ioredis would send them: flattened one level (ioredis
 * accepts `mget(['a', 'b'])`), through ioredis's argument transformer for the command
 * (`hset(key, {a: 1})`), then each written as ioredis writes it. The guard sees what the real
 * adapter's guard would see, and the mock runs that.
 */
export function mockArguments(mock: IoredisMockLike, command: string, args: readonly unknown[]): RedisArg[] {
  const flat = ([] as unknown[]).concat(...args);
  const transformer = (Object.getPrototypeOf(mock) as { constructor?: MockConstructor }).constructor?.Command?.transformers?.argument?.[command];
  return (transformer ? transformer(flat) : flat).map(asIoredisWrites) as RedisArg[];
}
