/**
 * A site is one shared client of one driver over one topology, as a service creates it, with a
 * view per namespace over it: the three views share the client's connections.
 */
import { Cluster, Redis } from 'ioredis';
import { createClient, createCluster, createSentinel } from 'redis';
import { createIsolatedRedis } from '../src/index.js';
import { NAMESPACES, errorKind, type Checker, type DriverName, type Namespace, type TopologyName } from './checks.js';
import { ioredisDriver, nodeRedisClientDriver, nodeRedisClusterDriver, nodeRedisSentinelDriver, type ViewDriver } from './drivers.js';
import type { Topologies } from './topology.js';

export interface Site {
  readonly topology: TopologyName;
  readonly driver: DriverName;
  /** A view of `namespace` over the site's shared client; `route` is a key of the worker's Cluster slot. */
  view(namespace: Namespace, route: string): ViewDriver;
  /** Closes the shared client (its owner's job, done once the views are quit). */
  close(): Promise<void>;
}

/** Options every view gets; journal's views also time commands out, so a paused server times them out. */
const viewOptions = (namespace: Namespace): { commandTimeoutMs?: number } => (namespace === 'journal' ? { commandTimeoutMs: 2000 } : {});

const isolate = <C extends object>(client: C, namespace: Namespace): C =>
  createIsolatedRedis({ namespace, namespaces: [...NAMESPACES], client, ...viewOptions(namespace) }) as C;

/**
 * The site's shared client. Its `error` events (connection resets the faults cause) are counted
 * as errors, not violations: a client without a listener would crash the process.
 */
export async function openSite(topologies: Topologies, topology: TopologyName, driver: DriverName, checker: Checker): Promise<Site> {
  const onError = (error: unknown): void => checker.error(`client 'error' event: ${errorKind(error)}`, `${topology}/${driver}`);
  if (driver === 'ioredis') {
    const client =
      topology === 'standalone'
        ? new Redis(topologies.standalone.port, '127.0.0.1')
        : topology === 'sentinel'
          ? new Redis({ sentinels: [...topologies.sentinel.sentinelNodes], name: topologies.sentinel.name })
          : new Cluster(topologies.dataPorts('cluster').map((port) => ({ host: '127.0.0.1', port })));
    client.on('error', onError);
    await client.ping();
    return {
      topology,
      driver,
      view: (namespace) => ioredisDriver(isolate(client, namespace)),
      async close() {
        client.disconnect();
      },
    };
  }
  if (topology === 'standalone') {
    const client = createClient({ url: topologies.standalone.url });
    client.on('error', onError);
    await client.connect();
    return {
      topology,
      driver,
      view: (namespace) => nodeRedisClientDriver(isolate(client, namespace) as unknown as Parameters<typeof nodeRedisClientDriver>[0]),
      close: async () => void (await client.close()),
    };
  }
  if (topology === 'sentinel') {
    const client = createSentinel({ name: topologies.sentinel.name, sentinelRootNodes: [...topologies.sentinel.sentinelNodes] });
    client.on('error', onError);
    // The library refuses a client it cannot wrap before anything is sent: the run reports that
    // and goes on without this site rather than pretend it ran.
    isolate(client, 'mcp2');
    await client.connect();
    return {
      topology,
      driver,
      view: (namespace) => nodeRedisSentinelDriver(isolate(client, namespace) as unknown as Parameters<typeof nodeRedisSentinelDriver>[0]),
      close: async () => void (await client.close()),
    };
  }
  const client = createCluster({ rootNodes: topologies.dataPorts('cluster').map((port) => ({ url: `redis://127.0.0.1:${port}` })) });
  client.on('error', onError);
  await client.connect();
  return {
    topology,
    driver,
    view: (namespace, route) => nodeRedisClusterDriver(isolate(client, namespace) as unknown as Parameters<typeof nodeRedisClusterDriver>[0], route),
    close: async () => void (await client.close()),
  };
}
