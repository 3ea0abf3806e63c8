import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startRedisCluster, startRedisServer } from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `redis://127.0.0.1:<port>` of the standalone redis-server this run started. */
    redisUrl: string;
    /** Its version, as `redis-server --version` reports it. */
    redisVersion: string;
    /** Ports of the three masters of the local Redis Cluster this run started. */
    redisClusterPorts: number[];
  }
}

/**
 * Starts one standalone redis-server and one 3-master Redis Cluster for the whole run and stops
 * them afterwards. Fails (does not skip) when redis-server is missing, naming the command that
 * installs it.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [server, cluster] = await Promise.all([startRedisServer(), startRedisCluster()]);
  project.provide('redisUrl', server.url);
  project.provide('redisVersion', server.version);
  project.provide('redisClusterPorts', cluster.nodes.map((node) => node.port));
  return async () => {
    await Promise.all([server.stop(), cluster.stop()]);
  };
}
