import type { Redis } from '#ioredis'; // package.json "imports": optional in the published declarations
import type { GuardOptions } from '../core/index.js';
import type { Isolated } from '../adapters/index.js';
import { createMockKeyspace } from './mock-keyspace.js';

/**
 * Options of {@link createMockRedis}: the guard's options.
 *
 * @example
 * ```ts
 * const options: MockRedisOptions = { namespace: 'mcp2', namespaces: ['mcp2', 'celery'], mode: 'prefix' };
 * ```
 */
export type MockRedisOptions = GuardOptions;

/**
 * An isolated client over a fresh in-memory Redis (ioredis-mock): the same guard, errors and
 * un-prefixing as `createIsolatedRedis` over a real server, for unit tests without one. Use
 * {@link rawKeys} to see what was stored, {@link createMockKeyspace} when several namespaces
 * share one Redis.
 *
 * @throws `IsolationConfigError` (from "isolated-redis") when ioredis-mock is not installed, or for invalid options.
 * @example
 * ```ts
 * import { createMockRedis, rawKeys } from 'isolated-redis/testing';
 *
 * const redis = createMockRedis({ namespace: 'mcp2', namespaces: ['mcp2', 'celery'] });
 * await redis.set('payload:1', 'data');
 * await rawKeys(redis);         // ['mcp2:payload:1']
 * await redis.get('celery:x');  // rejects: CrossNamespaceError
 * ```
 */
export function createMockRedis(options: MockRedisOptions): Isolated<Redis> {
  const { namespace, namespaces, ...clientOptions } = options;
  return createMockKeyspace({ namespaces: namespaces ?? [namespace] }).client(namespace, clientOptions);
}
