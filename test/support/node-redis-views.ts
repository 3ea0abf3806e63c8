import type { createClient as createNodeRedis6, RedisFunctions, RedisModules, RedisScripts } from 'redis';
import { createIsolatedRedis, type Isolated } from '../../src/index.js';
import type { NodeRedisVersion } from './node-redis-versions.js';

/** A node-redis client as the tests use it (both versions share this surface). */
export type NodeRedisTestClient = ReturnType<typeof createNodeRedis6<RedisModules, RedisFunctions, RedisScripts, 2 | 3>>;

/**
 * Raw node-redis clients and isolated views for one test file, each remembered so that
 * `closeAll()` (in `afterAll`) quits the views (which close the connections they opened for
 * themselves) and then closes the raw clients.
 */
export function trackedNodeRedis(createClient: NodeRedisVersion['createClient'], url: () => string, options: Record<string, unknown>, namespaces: readonly string[]) {
  const clients: NodeRedisTestClient[] = [];
  const views: Array<{ quit(): Promise<unknown> }> = [];
  return {
    /** A raw client of the variant, not connected; its errors are expected (tests kill connections). */
    client(extra: Record<string, unknown> = {}): NodeRedisTestClient {
      const c = createClient({ url: url(), ...options, ...extra }) as NodeRedisTestClient;
      c.on('error', () => undefined);
      clients.push(c);
      return c;
    },
    /** An isolated view of `namespace` over `over`. */
    viewOf(namespace: string, over: NodeRedisTestClient, extra: Record<string, unknown> = {}): Isolated<NodeRedisTestClient> {
      const view = createIsolatedRedis({ namespace, namespaces: [...namespaces], client: over, ...extra });
      views.push(view);
      return view;
    },
    /** Remembers views made otherwise (`duplicate()`, derived views) to quit them at the end. */
    track(...made: Array<{ quit(): Promise<unknown> }>): void {
      views.push(...made);
    },
    async closeAll(): Promise<void> {
      await Promise.all(views.map((view) => view.quit().catch(() => undefined)));
      await Promise.all(clients.filter((c) => c.isOpen).map((c) => c.close()));
    },
  };
}
