import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { startRedisCluster, startRedisServer, type RunningCluster, type RunningRedis } from '../../support/redis-server.js';

/**
 * The servers of one ecosystem test file: a standalone redis-server and a 3-master Cluster of
 * its own, so that raw `KEYS *` and MONITOR see this file's commands only (the run's shared
 * servers carry every other file's keys).
 */
export interface EcosystemServers {
  readonly standalone: RunningRedis;
  readonly cluster: RunningCluster;
  stop(): Promise<void>;
}

export async function startEcosystemServers(): Promise<EcosystemServers> {
  const [standalone, cluster] = await Promise.all([startRedisServer(), startRedisCluster()]);
  return { standalone, cluster, stop: async () => void (await Promise.all([standalone.stop(), cluster.stop()])) };
}

/** Where a library runs: how to open a raw ioredis client there, and the nodes to watch. */
export interface Topology {
  readonly label: 'standalone' | 'cluster';
  readonly ports: readonly number[];
  /** A raw ioredis client (Redis or Cluster) with `options` for each connection. */
  connect(options?: RedisOptions): Redis | Cluster;
  /**
   * The queue prefix a job-queue library uses here: its default `bull`, or on a Cluster `{bull}`,
   * a hash tag that keeps each queue's keys in one slot (under the namespace prefix too, as Redis
   * hashes the first `{...}` of a key).
   */
  readonly queuePrefix: string;
}

export function topologies(servers: () => EcosystemServers): Topology[] {
  return [
    {
      label: 'standalone',
      get ports() {
        return [servers().standalone.port];
      },
      connect: (options = {}) => new Redis({ host: '127.0.0.1', port: servers().standalone.port, ...options }),
      queuePrefix: 'bull',
    },
    {
      label: 'cluster',
      get ports() {
        return servers().cluster.nodes.map((node) => node.port);
      },
      connect: (options = {}) =>
        new Cluster(servers().cluster.nodes.map((node) => ({ host: '127.0.0.1', port: node.port })), { redisOptions: options }),
      queuePrefix: '{bull}',
    },
  ];
}
