import type * as IoredisModule from 'ioredis';
import type { Cluster, Redis } from 'ioredis';
import { loadOptional } from './optional-dependency.js';

/**
 * Connects with ioredis (an optional peer dependency, loaded on first use) to a standalone
 * server, or to a cluster when `cluster` is set (the URL names one of its nodes).
 *
 * @example
 * ```ts
 * const redis = await connectRedis('redis://127.0.0.1:6379', { neededBy: 'isolated-redis keyspace' });
 * ```
 */
export async function connectRedis(url: string, options: { readonly neededBy: string; readonly cluster?: boolean }): Promise<Redis | Cluster> {
  const { Redis: RedisClass, Cluster: ClusterClass } = loadOptional<typeof IoredisModule>('ioredis', options.neededBy);
  const common = { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: true } as const;
  if (options.cluster) {
    const { hostname, port, username, password } = new URL(url);
    const cluster = new ClusterClass([{ host: hostname, port: Number(port || 6379) }], {
      lazyConnect: true,
      redisOptions: { ...(username ? { username: decodeURIComponent(username) } : {}), ...(password ? { password: decodeURIComponent(password) } : {}) },
    });
    await cluster.connect();
    return cluster;
  }
  const redis = new RedisClass(url, common);
  await redis.connect();
  return redis;
}
