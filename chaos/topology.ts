/**
 * The servers of the run, started with the test support's process helpers: a standalone server
 * (restartable), a master with a replica and three Sentinels, and a 3-master 3-replica Cluster.
 */
import { infoFields, redisCommand, startRedisCluster, startRedisServer, waitUntil, type RunningCluster, type RunningRedis } from '../test/support/redis-server.js';
import { startSentinelGroup, type SentinelGroup } from '../test/support/sentinel.js';
import type { TopologyName } from './checks.js';

export interface Topologies {
  readonly standalone: RunningRedis;
  readonly sentinel: SentinelGroup;
  readonly cluster: RunningCluster;
  /** The data servers of a topology (masters and replicas; not the Sentinels), for raw SCANs and faults. */
  dataPorts(topology: TopologyName): number[];
  /** Resolves once the topology is whole again: every server up, replicas in sync, no slot on the move. */
  healed(topology: TopologyName, timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startTopologies(): Promise<Topologies> {
  // One at a time: the machine may be small, and a Cluster's creation is the slow part.
  const standalone = await startRedisServer();
  let sentinel: SentinelGroup | undefined;
  let cluster: RunningCluster | undefined;
  try {
    sentinel = await startSentinelGroup({ replicas: 1, sentinels: 3 });
    cluster = await startRedisCluster(3, { replicas: 1 });
  } catch (error) {
    await Promise.allSettled([standalone.stop(), sentinel?.stop()]);
    throw error;
  }
  const group = sentinel;
  const nodes = cluster;
  return {
    standalone,
    sentinel: group,
    cluster: nodes,
    dataPorts(topology) {
      if (topology === 'standalone') return [standalone.port];
      if (topology === 'sentinel') return group.servers.map((server) => server.port);
      return nodes.nodes.map((node) => node.port);
    },
    async healed(topology, timeoutMs) {
      if (topology === 'standalone') {
        await waitUntil('the standalone server', async () => ((await redisCommand(standalone.port, 'PING')) === 'PONG' ? true : undefined), timeoutMs, 100);
        return;
      }
      if (topology === 'sentinel') {
        await waitUntil(
          'the Sentinel master and its replica in sync',
          async () => {
            const master = await group.master();
            const role = infoFields(await redisCommand(master.port, 'INFO', 'replication'));
            if (role.get('role') !== 'master' || Number(role.get('connected_slaves')) < group.servers.length - 1) return undefined;
            for (const server of group.servers) {
              if (server === master) continue;
              if (infoFields(await redisCommand(server.port, 'INFO', 'replication')).get('master_link_status') !== 'up') return undefined;
            }
            return true;
          },
          timeoutMs,
          100,
        );
        return;
      }
      await waitUntil(
        'the Cluster: state ok, replicas in sync, no slot migrating',
        async () => {
          for (const node of nodes.nodes) {
            if (infoFields(await redisCommand(node.port, 'CLUSTER', 'INFO')).get('cluster_state') !== 'ok') return undefined;
            if (String(await redisCommand(node.port, 'CLUSTER', 'NODES')).includes('[')) return undefined;
            const replication = infoFields(await redisCommand(node.port, 'INFO', 'replication'));
            if (replication.get('role') === 'slave' && replication.get('master_link_status') !== 'up') return undefined;
          }
          return true;
        },
        timeoutMs,
        100,
      );
    },
    async stop() {
      await Promise.allSettled([standalone.stop(), group.stop(), nodes.stop()]);
    },
  };
}
