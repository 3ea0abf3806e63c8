import { IsolationConfigError, type NamespaceGuard, type RedisArg } from '../../core/index.js';
import type { Instrumentation } from '../../instrument/instrumentation.js';
import type { IoredisMockLike } from './internals.js';

/**
 * One command an isolated mock client was asked to run, as observers see it.
 *
 * @example
 * ```ts
 * const event: MockCommandEvent = { command: 'get', method: 'get', args: ['payload:1'], sent: ['mcp2:payload:1'], pipelined: false };
 * ```
 */
export interface MockCommandEvent {
  /** The command as Redis names it, lower case (`eval` for a `defineCommand` script). */
  readonly command: string;
  /** The method the code called (`get`, `getBuffer`, `call`...). */
  readonly method: string;
  /** The arguments as the code wrote them, as ioredis writes them (flattened, objects of `hset`/`mset` spread, `null` as `''`, `true` as `'true'`). */
  readonly args: readonly RedisArg[];
  /** The arguments as the guard rewrote them, what reached the mock; absent when refused. */
  readonly sent?: readonly RedisArg[];
  /** Why it was not run: the guard's `IsolationError`, or a `MockUnsupportedCommandError`. */
  readonly error?: Error;
  /** True when it was queued in a `pipeline()` or `multi()`. */
  readonly pipelined: boolean;
}

/**
 * A function told about every command an isolated mock client (and its duplicates) runs or refuses.
 *
 * @example
 * ```ts
 * const log: MockCommandObserver = (event) => console.log(event.command, event.sent ?? event.error?.message);
 * ```
 */
export type MockCommandObserver = (event: MockCommandEvent) => void;

/** What a mock view carries: its raw mock, its guard, and the observers it shares with its duplicates. */
export interface MockViewState {
  readonly mock: IoredisMockLike;
  readonly guard: NamespaceGuard;
  readonly observers: Set<MockCommandObserver>;
  readonly instr: Instrumentation;
  /**
   * The view owns its mock (a `duplicate()`): `quit()`/`disconnect()` close it. A view over a mock
   * passed in shares it with other namespaces' views, which closing the view leaves alone.
   */
  readonly owned?: boolean;
  /**
   * On a view over a shared mock: its own subscriber mock (a duplicate, opened on first need), so
   * that a subscription never puts the shared mock in subscriber mode under other views.
   */
  readonly subscriber?: { get(): IoredisMockLike; close(): void } | undefined;
  /** The channels and patterns this view subscribed to, as the caller named them (for `unsubscribe()` without channels). */
  readonly subscriptions?: { readonly channels: Set<string>; readonly patterns: Set<string> };
}

// A global symbol, so that views made by one copy of the library (the "." bundle) are found by
// another (the "./testing" bundle).
const STATE = Symbol.for('isolated-redis.mock-view');

export function attachViewState(view: object, state: MockViewState): void {
  Object.defineProperty(view, STATE, { value: state, enumerable: false });
}

/** The state of an isolated mock client, or undefined for anything else. */
export function mockViewState(value: unknown): MockViewState | undefined {
  if (typeof value !== 'object' || value === null || !Object.prototype.hasOwnProperty.call(value, STATE)) return undefined;
  return (value as { [STATE]: MockViewState })[STATE];
}

/**
 * Tells `observer` about every command `client` (an isolated ioredis-mock client) and its
 * duplicates run or refuse from now on. Returns the function that stops it.
 *
 * @throws {@link IsolationConfigError} when `client` is not an isolated ioredis-mock client.
 * @example
 * ```ts
 * const stop = observeMockCommands(redis, (event) => seen.push(event));
 * await redis.get('a');
 * stop();
 * ```
 */
export function observeMockCommands(client: object, observer: MockCommandObserver): () => void {
  const state = requireViewState(client);
  state.observers.add(observer);
  return () => void state.observers.delete(observer);
}

/** The raw ioredis-mock under an isolated mock client (keys as stored, prefixes included). */
export function rawMockOf(client: object): IoredisMockLike {
  return requireViewState(client).mock;
}

function requireViewState(client: object): MockViewState {
  const state = mockViewState(client);
  if (state) return state;
  throw new IsolationConfigError(
    'not an isolated ioredis-mock client: pass what createMockRedis(), a mock keyspace\'s client() or createIsolatedRedis({ client: new RedisMock() }) returned',
  );
}
