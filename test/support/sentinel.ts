import { redisCommand, startRedisServer, waitForReplicaInSync, waitUntil, type RespReply, type RunningRedis } from './redis-server.js';

/** Options of {@link startSentinelGroup}. */
export interface SentinelGroupOptions {
  /** The master group's name, as clients ask the Sentinels for it; `mymaster` by default. */
  readonly name?: string;
  /** Replicas of the master; 1 by default. */
  readonly replicas?: number;
  /** `redis-server --sentinel` processes; 3 by default. */
  readonly sentinels?: number;
  /** Sentinels that must agree the master is down; a majority by default. */
  readonly quorum?: number;
  /** `down-after-milliseconds`; 1000 by default (short: the tests are timed by it). */
  readonly downAfterMs?: number;
  /** `failover-timeout`; 5000 by default. */
  readonly failoverTimeoutMs?: number;
  /** Extra options of the master and its replicas (`['--maxmemory', '10mb']`). */
  readonly serverConfig?: readonly string[];
}

/** A master, its replicas and the Sentinels that watch them, started by {@link startSentinelGroup}. */
export interface SentinelGroup {
  readonly name: string;
  /** The data servers: the first master first, then its replicas (the roles change with failovers). */
  readonly servers: readonly RunningRedis[];
  readonly sentinels: readonly RunningRedis[];
  /** The Sentinels' addresses: node-redis `sentinelRootNodes`, ioredis `sentinels`. */
  readonly sentinelNodes: ReadonlyArray<{ readonly host: string; readonly port: number }>;
  /** The server the Sentinels name as the master now. */
  master(): Promise<RunningRedis>;
  /** The other data servers. */
  replicas(): Promise<RunningRedis[]>;
  /**
   * SENTINEL FAILOVER, then waits until every Sentinel names the promoted replica, which reports
   * itself master. The old master is then reconfigured as a Sentinel does when it notices a
   * demoted master still acting as one (REPLICAOF the new master, its normal and pub/sub clients
   * killed), at once rather than after the Sentinel's wait of about 8 s; resolves once every
   * replica replicates from the new master and every Sentinel sees them healthy. Every server
   * must be running (restart a killed one first with its `start()`); the Sentinels fail a killed
   * master over by themselves (down-after-milliseconds), with no call.
   */
  failover(): Promise<{ from: number; to: number }>;
  /** Stops the Sentinels, then the servers. */
  stop(): Promise<void>;
}

/** Replies of SENTINEL MASTERS/REPLICAS/SENTINELS: arrays of flat field/value lists. */
function records(reply: RespReply): Array<Map<string, string>> {
  return (reply as string[][]).map((flat) => {
    const record = new Map<string, string>();
    for (let i = 0; i + 1 < flat.length; i += 2) record.set(String(flat[i]), String(flat[i + 1]));
    return record;
  });
}

const healthy = (record: Map<string, string>): boolean => !/s_down|o_down|disconnected|failover_in_progress/.test(record.get('flags') ?? '');

/**
 * Starts a master with `replicas` replicas and `sentinels` Sentinels (`redis-server --sentinel`,
 * the same package as the server) on free loopback ports, and resolves once every Sentinel knows
 * every replica (in sync) and every other Sentinel: ready for failovers.
 *
 * @example
 * ```ts
 * const group = await startSentinelGroup({ replicas: 1, sentinels: 3 });
 * const client = createSentinel({ name: group.name, sentinelRootNodes: [...group.sentinelNodes] });
 * await group.failover();
 * await group.stop();
 * ```
 */
export async function startSentinelGroup(options: SentinelGroupOptions = {}): Promise<SentinelGroup> {
  const name = options.name ?? 'mymaster';
  const replicaCount = options.replicas ?? 1;
  const sentinelCount = options.sentinels ?? 3;
  const quorum = options.quorum ?? Math.floor(sentinelCount / 2) + 1;
  // A replica's full sync starts at once, not after the 5 s a master waits for more replicas by default.
  const serverConfig = ['--repl-diskless-sync-delay', '0', ...(options.serverConfig ?? [])];
  const servers: RunningRedis[] = [];
  const sentinels: RunningRedis[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(sentinels.map((sentinel) => sentinel.stop()));
    await Promise.all(servers.map((server) => server.stop()));
  };

  const roleOf = async (port: number): Promise<{ role: string; masterPort?: number; state?: string }> => {
    const role = (await redisCommand(port, 'ROLE')) as RespReply[];
    return role[0] === 'slave' ? { role: 'slave', masterPort: Number(role[2]), state: String(role[3]) } : { role: String(role[0]) };
  };
  const replicatingFrom = async (port: number, masterPort: number): Promise<void> => {
    await waitUntil(`127.0.0.1:${port} replicating from ${masterPort}`, async () => {
      const role = await roleOf(port);
      return role.role === 'slave' && role.masterPort === masterPort && role.state === 'connected' ? true : undefined;
    });
    await waitForReplicaInSync(port);
  };
  const masterPortOf = async (sentinel: RunningRedis): Promise<number> => Number(((await redisCommand(sentinel.port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as string[])[1]);
  /** Every Sentinel knows the master on `masterPort`, its replicas (all healthy) and the other Sentinels. */
  const sentinelsReady = (masterPort: number): Promise<true> =>
    waitUntil('the Sentinels to know the master, its replicas and each other', async () => {
      for (const sentinel of sentinels) {
        if ((await masterPortOf(sentinel)) !== masterPort) return undefined;
        const known = records(await redisCommand(sentinel.port, 'SENTINEL', 'REPLICAS', name)).filter(
          (replica) => healthy(replica) && replica.get('master-link-status') === 'ok' && Number(replica.get('master-port')) === masterPort,
        );
        if (known.length < replicaCount) return undefined;
        const peers = records(await redisCommand(sentinel.port, 'SENTINEL', 'SENTINELS', name)).filter(healthy);
        if (peers.length < sentinelCount - 1) return undefined;
      }
      return true;
    });
  const serverOn = (port: number): RunningRedis => {
    const server = servers.find((candidate) => candidate.port === port);
    if (!server) throw new Error(`the Sentinels name 127.0.0.1:${port}, which is none of the group's servers`);
    return server;
  };

  try {
    const master = await startRedisServer(serverConfig);
    servers.push(master);
    servers.push(...(await Promise.all(Array.from({ length: replicaCount }, () => startRedisServer([...serverConfig, '--replicaof', '127.0.0.1', String(master.port)])))));
    for (const replica of servers.slice(1)) await replicatingFrom(replica.port, master.port);
    const config = [
      `sentinel monitor ${name} 127.0.0.1 ${master.port} ${quorum}`,
      `sentinel down-after-milliseconds ${name} ${options.downAfterMs ?? 1000}`,
      `sentinel failover-timeout ${name} ${options.failoverTimeoutMs ?? 5000}`,
      `sentinel parallel-syncs ${name} 1`,
      '',
    ].join('\n');
    sentinels.push(...(await Promise.all(Array.from({ length: sentinelCount }, () => startRedisServer(['--sentinel'], { configFile: config })))));
    // Shorter periods than production's (INFO every 10 s, hello every 2 s): the Sentinels discover
    // each other and see the replicas' state within a second, so the tests wait less.
    for (const sentinel of sentinels) await redisCommand(sentinel.port, 'SENTINEL', 'DEBUG', 'info-period', 1000, 'publish-period', 500);
    await sentinelsReady(master.port);
  } catch (error) {
    await stop();
    throw error;
  }

  const master = async (): Promise<RunningRedis> => serverOn(await masterPortOf(sentinels[0] as RunningRedis));
  const replicas = async (): Promise<RunningRedis[]> => {
    const current = await master();
    return servers.filter((server) => server !== current);
  };
  const failover = async (): Promise<{ from: number; to: number }> => {
    const first = sentinels[0] as RunningRedis;
    const from = await masterPortOf(first);
    await sentinelsReady(from);
    // NOGOODSLAVE while a Sentinel's view of the replicas is a moment old: asked again.
    await waitUntil('SENTINEL FAILOVER to be accepted', async () => ((await redisCommand(first.port, 'SENTINEL', 'FAILOVER', name)) === 'OK' ? true : undefined), 10_000, 200);
    const to = await waitUntil(`the Sentinels to name a master other than ${from}`, async () => {
      const named = await Promise.all(sentinels.map(masterPortOf));
      const [port] = named;
      if (port === undefined || port === from || named.some((other) => other !== port)) return undefined;
      return (await roleOf(port)).role === 'master' ? port : undefined;
    });
    // What the Sentinel does with a demoted master still acting as one (+convert-to-slave), now.
    const demoted = await roleOf(from);
    if (demoted.role === 'master') {
      await redisCommand(from, 'REPLICAOF', '127.0.0.1', to);
      await redisCommand(from, 'CLIENT', 'KILL', 'TYPE', 'normal');
      await redisCommand(from, 'CLIENT', 'KILL', 'TYPE', 'pubsub');
    }
    for (const server of servers) if (server.port !== to) await replicatingFrom(server.port, to);
    // Settled as at the start: clients that ask the Sentinels for replicas now get them all.
    await sentinelsReady(to);
    return { from, to };
  };

  return {
    name,
    servers,
    sentinels,
    sentinelNodes: sentinels.map((sentinel) => ({ host: '127.0.0.1', port: sentinel.port })),
    master,
    replicas,
    failover,
    stop,
  };
}
