import { IsolationConfigError, createGuard, type GuardOptions } from '../core/index.js';
import { createInstrumentation, type InstrumentationOptions } from '../instrument/index.js';
// The drivers' types through package.json "imports": in the published declarations they fall back to a
// placeholder where the driver is not installed, so a project with only one driver type-checks.
import type { Redis } from '#ioredis';
import type { RedisClientType } from '#redis';
import { createDriverClient, type ConnectOptions, type Driver } from './driver-client.js';
import { createIoredisView, isIoredisClient } from './ioredis/index.js';
import { createMockView, isIoredisMock } from './mock/index.js';
import { createNodeRedisView, isNodeRedis } from './node-redis/index.js';
import type { IsolationInfo } from './isolation-info.js';

export type { IsolationInfo } from './isolation-info.js';

/**
 * A client of the driver you passed, confined to one namespace, with its API and types.
 *
 * @example
 * ```ts
 * const redis: Isolated<Redis> = createIsolatedRedis({ namespace: 'mcp2', client: new Redis() });
 * ```
 */
export type Isolated<C> = IsolatedExtras<C> & C;

/** What an isolated client adds: `isolation`, and a `duplicate()` typed as isolated too. */
export type IsolatedExtras<C> = { readonly isolation: IsolationInfo } & (C extends { duplicate(...args: infer A): unknown }
  ? { duplicate(...args: A): Isolated<C> }
  : unknown);

/**
 * Options of {@link createIsolatedRedis}: the guard's options, the instrumentation options
 * (`hooks`, `commandTimeoutMs`, `pressure`, `logger`) and the client to confine.
 *
 * @example
 * ```ts
 * const options: IsolatedRedisOptions<Redis> = { namespace: 'mcp2', namespaces: ['mcp2', 'celery'], client: new Redis() };
 * ```
 */
export type IsolatedRedisOptions<C> = GuardOptions & InstrumentationOptions & {
  /**
   * An ioredis `Redis` (Sentinel-backed included) or `Cluster`, a node-redis client (`createClient()`), cluster
   * (`createCluster()`), client pool or Sentinel (`createSentinel()`), connected or not, or an ioredis-mock instance. It is never modified; the isolated
   * client is a view of it.
   */
  readonly client: C;
};

/**
 * Options of {@link createIsolatedRedis} when the library creates the client: the URL (checked
 * before any connection is attempted) and how its first connection is bounded
 * (`connectTimeoutMs`, `connectAttempts`: see {@link ConnectOptions}).
 *
 * @example
 * ```ts
 * const options: IsolatedRedisUrlOptions = { namespace: 'mcp2', driver: 'ioredis', url: 'redis://127.0.0.1:6379/0', connectAttempts: 5 };
 * ```
 */
export type IsolatedRedisUrlOptions = GuardOptions & InstrumentationOptions & ConnectOptions & {
  /** The client library to create the client with; it must be installed. */
  readonly driver: Driver;
  /**
   * `redis://`, `rediss://` or `unix://` (see `parseRedisUrl`); a malformed URL throws an
   * {@link IsolationConfigError}. @defaultValue `process.env.REDIS_URL`, else `redis://127.0.0.1:6379`
   */
  readonly url?: string;
};

/**
 * Confines a Redis client to one namespace. The result keeps the client's API and TypeScript
 * types: every key, pattern and channel it sends carries the namespace's prefix, keys of other
 * namespaces and commands that cannot be confined are refused before anything is sent, and
 * replies that name keys come back without the prefix. The client passed in is not modified;
 * several namespaces can be views over one connection.
 *
 * With `driver` instead of `client`, the library creates the client from `url`; a node-redis
 * client created that way still needs `await redis.connect()`, as node-redis clients do. Its
 * first connection fails fast: after `connectAttempts` attempts (3) of `connectTimeoutMs` (10 s)
 * each, the commands waiting for it (ioredis) or `connect()` (node-redis) reject with a
 * {@link ConnectionFailedError} naming the URL, password masked.
 *
 * @throws {@link IsolationConfigError} for invalid options or a client it cannot wrap.
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { createIsolatedRedis } from 'isolated-redis';
 *
 * const shared = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
 * const mcp2 = createIsolatedRedis({ namespace: 'mcp2', namespaces: ['mcp2', 'celery'], client: shared });
 * await mcp2.set('payload:1', 'data'); // stored as mcp2:payload:1
 * await mcp2.get('celery:task');      // rejects with CrossNamespaceError, nothing sent
 * ```
 */
export function createIsolatedRedis<C extends object>(options: IsolatedRedisOptions<C>): Isolated<C>;
export function createIsolatedRedis(options: IsolatedRedisUrlOptions & { readonly driver: 'ioredis' }): Isolated<Redis>;
export function createIsolatedRedis(options: IsolatedRedisUrlOptions & { readonly driver: 'node-redis' }): Isolated<RedisClientType>;
export function createIsolatedRedis(options: IsolatedRedisOptions<object> | IsolatedRedisUrlOptions): Isolated<object> {
  const guard = createGuard(options);
  const client = 'client' in options && options.client !== undefined ? options.client : 'driver' in options ? createDriverClient(options.driver, options.url ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', options) : undefined;
  if (client === undefined) {
    throw new IsolationConfigError("pass `client` (an ioredis or node-redis client), or `driver: 'ioredis' | 'node-redis'` with an optional `url`");
  }
  // A client the library created from `driver` + `url` is the view's own: closing the view closes it.
  const owned = !('client' in options && options.client !== undefined);
  if (isIoredisClient(client)) return createIoredisView(client, guard, createInstrumentation(guard.namespace, options, client), { owned }) as unknown as Isolated<object>;
  if (isIoredisMock(client)) return createMockView(client, guard, createInstrumentation(guard.namespace, options, client)) as unknown as Isolated<object>;
  if (isNodeRedis(client)) return createNodeRedisView(client, guard, createInstrumentation(guard.namespace, options, client), { owned }) as Isolated<object>;
  throw new IsolationConfigError(
    '`client` is not a client isolated-redis can wrap: pass an ioredis Redis or Cluster, an ioredis-mock instance, ' +
      'or a node-redis client, cluster, pool or Sentinel (createSentinel)',
  );
}
