/**
 * Type tests, checked by `npm run typecheck` (tsc): the isolated client keeps the types of the
 * client it wraps, so existing code compiles unchanged.
 */
import { Cluster, Redis } from 'ioredis';
import { expectTypeOf } from 'vitest';
import { createIsolatedRedis, type IsolationInfo } from '../../../src/index.js';

const redis = createIsolatedRedis({ namespace: 'mcp2', client: new Redis({ lazyConnect: true }) });
expectTypeOf(redis.get('k')).toEqualTypeOf<Promise<string | null>>();
expectTypeOf(redis.hgetall('h')).toEqualTypeOf<Promise<Record<string, string>>>();
expectTypeOf(redis.getBuffer('k')).toEqualTypeOf<Promise<Buffer | null>>();
expectTypeOf(redis.pipeline().set('a', '1').get('a').exec()).toEqualTypeOf<Promise<[error: Error | null, result: unknown][] | null>>();
expectTypeOf(redis.isolation).toEqualTypeOf<IsolationInfo>();
expectTypeOf(redis.duplicate().isolation).toEqualTypeOf<IsolationInfo>();
expectTypeOf(redis).toMatchTypeOf<Redis>();

const cluster = createIsolatedRedis({ namespace: 'mcp2', client: new Cluster([{ port: 7000 }], { lazyConnect: true }) });
expectTypeOf(cluster).toMatchTypeOf<Cluster>();
expectTypeOf(cluster.nodes('master')).toEqualTypeOf<Redis[]>();

const fromUrl = createIsolatedRedis({ namespace: 'mcp2', driver: 'ioredis', url: 'redis://127.0.0.1:6379' });
expectTypeOf(fromUrl).toMatchTypeOf<Redis>();
