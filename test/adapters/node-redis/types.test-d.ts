/**
 * Type tests, checked by `npm run typecheck` (tsc): the isolated client keeps the types of the
 * node-redis client, cluster or pool it wraps, so existing code compiles unchanged.
 */
import { createClient, createClientPool, createCluster, type RedisClientType } from 'redis';
import { expectTypeOf } from 'vitest';
import { createIsolatedRedis, type IsolationInfo } from '../../../src/index.js';

const client = createClient({ url: 'redis://127.0.0.1:6379' });
const redis = createIsolatedRedis({ namespace: 'journal', client });
expectTypeOf(redis).toMatchTypeOf<typeof client>();
expectTypeOf(redis.get('k')).toEqualTypeOf<ReturnType<typeof client.get>>();
expectTypeOf(redis.xAdd).toEqualTypeOf<typeof client.xAdd>();
expectTypeOf(redis.multi).toEqualTypeOf<typeof client.multi>();
expectTypeOf(redis.scanIterator).toEqualTypeOf<typeof client.scanIterator>();
expectTypeOf(redis.isolation).toEqualTypeOf<IsolationInfo>();
expectTypeOf(redis.duplicate().isolation).toEqualTypeOf<IsolationInfo>();

const cluster = createIsolatedRedis({ namespace: 'journal', client: createCluster({ rootNodes: [{ url: 'redis://127.0.0.1:7000' }] }) });
expectTypeOf(cluster.mGet).toEqualTypeOf<ReturnType<typeof createCluster>['mGet']>();
expectTypeOf(cluster.isolation).toEqualTypeOf<IsolationInfo>();

const pool = createIsolatedRedis({ namespace: 'journal', client: createClientPool({ url: 'redis://127.0.0.1:6379' }) });
expectTypeOf(pool.get).toEqualTypeOf<ReturnType<typeof createClientPool>['get']>();

const fromUrl = createIsolatedRedis({ namespace: 'journal', driver: 'node-redis', url: 'redis://127.0.0.1:6379' });
expectTypeOf(fromUrl).toMatchTypeOf<RedisClientType>();
