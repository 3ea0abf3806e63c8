import { randomUUID } from 'node:crypto';
import type { Redis } from '#ioredis'; // package.json "imports": optional in the published declarations
import { createGuard, IsolationConfigError, isNamespaceSet, type GuardOptions, type NamespaceSet } from '../core/index.js';
import type { Isolated } from '../adapters/index.js';
import { createMockView, mockBookkeepingKeys, rawMockOf } from '../adapters/mock/index.js';
import { loadIoredisMock } from './load-ioredis-mock.js';

/**
 * Options of a client of a mock keyspace: the guard's options but the namespace and the
 * keyspace's namespaces.
 *
 * @example
 * ```ts
 * const options: MockClientOptions = { mode: 'strict' };
 * ```
 */
export type MockClientOptions = Omit<GuardOptions, 'namespace' | 'namespaces'>;

/**
 * Options of {@link createMockKeyspace}.
 *
 * @example
 * ```ts
 * const options: MockKeyspaceOptions = { namespaces: ['mcp2', 'celery', 'journal'] };
 * ```
 */
export interface MockKeyspaceOptions {
  /**
   * Every namespace of the deployment: each client refuses the others' keys with
   * `ERR_CROSS_NAMESPACE`. A client of a namespace not listed is added to its own guard's list
   * (a set from `defineNamespaces()` must hold the namespaces of the clients made).
   * @defaultValue `[]`
   */
  readonly namespaces?: readonly string[] | NamespaceSet;
}

/**
 * One in-memory Redis (an ioredis-mock keyspace of its own) that several isolated clients share,
 * as services share one Redis in production.
 *
 * @example
 * ```ts
 * const keyspace = createMockKeyspace({ namespaces: ['mcp2', 'celery'] });
 * await keyspace.client('mcp2').set('payload:1', 'x');
 * await keyspace.rawKeys(); // ['mcp2:payload:1']
 * ```
 */
export interface MockKeyspace {
  readonly namespaces: readonly string[];
  /** The raw mock: no guard, keys as stored (with their prefixes). Use it to arrange and inspect. */
  readonly raw: Redis;
  /** An isolated client of `namespace` over this keyspace. */
  client(namespace: string, options?: MockClientOptions): Isolated<Redis>;
  /** The keys as stored, prefixes included, sorted. */
  rawKeys(pattern?: string): Promise<string[]>;
  /** Deletes every key of the keyspace (every namespace's). */
  flush(): Promise<void>;
  /** Deletes every key and disconnects the raw mock and every client made so far. */
  close(): Promise<void>;
}

/**
 * Creates an in-memory Redis that isolated clients of several namespaces share. Each keyspace is
 * its own: mocks of other keyspaces (and of other tests) never see its keys.
 *
 * @throws `IsolationConfigError` (from "isolated-redis") when ioredis-mock is not installed.
 * @example
 * ```ts
 * import { createMockKeyspace } from 'isolated-redis/testing';
 *
 * const keyspace = createMockKeyspace({ namespaces: ['mcp2', 'celery', 'journal'] });
 * const mcp2 = keyspace.client('mcp2');
 * const celery = keyspace.client('celery');
 * await celery.set('task:1', 'queued');
 * await mcp2.get('celery:task:1'); // rejects: CrossNamespaceError (ERR_CROSS_NAMESPACE)
 * ```
 */
export function createMockKeyspace(options: MockKeyspaceOptions = {}): MockKeyspace {
  const RedisMock = loadIoredisMock();
  const set = isNamespaceSet(options.namespaces) ? options.namespaces : undefined;
  const namespaces = set ? set.names : [...((options.namespaces as readonly string[] | undefined) ?? [])];
  // ioredis-mock shares data between instances with the same host and port: a unique host is a fresh keyspace.
  const raw = new RedisMock({ host: `keyspace-${randomUUID()}.isolated-redis.invalid` });
  const clients: Redis[] = [];
  const rawKeys = (pattern = '*'): Promise<string[]> => storedKeys(raw, pattern);
  return {
    namespaces,
    raw,
    client(namespace, clientOptions = {}) {
      if ('namespace' in clientOptions || 'namespaces' in clientOptions) {
        throw new IsolationConfigError('a mock keyspace client takes its namespace as the first argument and the keyspace\'s namespaces');
      }
      const guard = createGuard({ ...clientOptions, namespace, namespaces: set ?? (namespaces.includes(namespace) ? namespaces : [...namespaces, namespace]) });
      const client = createMockView(raw.duplicate() as unknown as Parameters<typeof createMockView>[0], guard) as unknown as Isolated<Redis>;
      clients.push(client);
      return client;
    },
    rawKeys,
    async flush() {
      await raw.flushall();
    },
    async close() {
      await raw.flushall();
      for (const client of clients) client.disconnect();
      raw.disconnect();
    },
  };
}

/**
 * The keys an isolated mock client's keyspace holds, as stored (prefixes included), sorted:
 * what the code under test really wrote.
 *
 * @throws `IsolationConfigError` (from "isolated-redis") when `client` is not an isolated ioredis-mock client.
 * @example
 * ```ts
 * const redis = createMockRedis({ namespace: 'mcp2' });
 * await redis.set('payload:1', 'x');
 * await rawKeys(redis); // ['mcp2:payload:1']
 * ```
 */
export async function rawKeys(client: object, pattern = '*'): Promise<string[]> {
  return storedKeys(rawClientOf(client), pattern);
}

/** The keys of a raw mock, sorted, without the mock's own bookkeeping keys (which Redis has not). */
async function storedKeys(raw: Redis, pattern: string): Promise<string[]> {
  const keys = await raw.keys(pattern);
  const bookkeeping = mockBookkeepingKeys(keys, new Set(await raw.keys('*')));
  return keys.filter((key) => !bookkeeping.has(key)).sort();
}

/**
 * The raw mock under an isolated mock client: no guard, keys as stored. Use it to arrange data
 * another service would have written, or to inspect what was stored.
 *
 * @throws `IsolationConfigError` (from "isolated-redis") when `client` is not an isolated ioredis-mock client.
 * @example
 * ```ts
 * await rawClientOf(redis).set('celery:task:1', 'queued'); // as the celery service would
 * ```
 */
export function rawClientOf(client: object): Redis {
  return rawMockOf(client) as unknown as Redis;
}
