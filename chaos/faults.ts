/**
 * The fault injector: one loop per topology, each injecting its kinds of fault in turn, one at a
 * time, while the workers run. A fault that could not be injected is counted as failed, never as
 * injected.
 */
import { redisCommand, type RespReply } from '../test/support/redis-server.js';
import { errorKind, workerKey, type Checker, type TopologyName } from './checks.js';
import type { Rng } from './rng.js';
import type { Topologies } from './topology.js';
import { sleep } from './workload.js';

export type FaultKind = 'client-kill' | 'client-kill-pubsub' | 'client-pause' | 'restart' | 'sentinel-failover' | 'cluster-failover' | 'slot-migration';

/** Each topology's faults, in the order its loop injects them (the rarest first, so a short run has each). */
export const FAULT_PLAN: Readonly<Record<TopologyName, readonly FaultKind[]>> = {
  standalone: ['restart', 'client-kill', 'client-pause', 'client-kill-pubsub'],
  sentinel: ['sentinel-failover', 'client-kill', 'client-pause', 'client-kill-pubsub'],
  cluster: ['slot-migration', 'cluster-failover', 'client-kill', 'client-pause', 'client-kill-pubsub'],
};

export const FAULT_KINDS: readonly FaultKind[] = ['client-kill', 'client-kill-pubsub', 'client-pause', 'restart', 'sentinel-failover', 'cluster-failover', 'slot-migration'];

/** The name the run's own admin connections carry: CLIENT KILL spares them. */
export const ADMIN_NAME = 'chaos-admin';

export interface FaultContext {
  readonly topologies: Topologies;
  readonly checker: Checker;
  readonly rng: Rng;
  /** Ids of the workers on the Cluster, whose slots the migrations move. */
  readonly clusterWorkers: readonly number[];
  /** Pause between two faults of one topology. */
  readonly gapMs: number;
  readonly log: (line: string) => void;
}

/** Runs `topology`'s fault loop until `stopped()`; resolves once the fault in progress is over. */
export async function faultLoop(topology: TopologyName, context: FaultContext, stopped: () => boolean): Promise<void> {
  const plan = FAULT_PLAN[topology];
  const { checker, rng } = context;
  for (let i = 0; !stopped(); i++) {
    const kind = plan[i % plan.length] as FaultKind;
    const started = Date.now();
    try {
      const detail = await inject(kind, topology, context);
      checker.count(checker.faults, kind);
      context.log(`fault ${kind} on ${topology}: ${detail} (${Date.now() - started} ms)`);
    } catch (error) {
      checker.count(checker.faults, `${kind} (failed)`);
      checker.notes.push(`${topology}: ${kind} could not be injected: ${errorKind(error)}: ${(error as Error).message?.slice(0, 200)}`);
      context.log(`fault ${kind} on ${topology} FAILED: ${(error as Error).message}`);
    }
    const until = Date.now() + rng.int(context.gapMs / 2, context.gapMs);
    while (!stopped() && Date.now() < until) await sleep(50);
  }
}

async function inject(kind: FaultKind, topology: TopologyName, context: FaultContext): Promise<string> {
  const { topologies, rng } = context;
  switch (kind) {
    case 'client-kill': {
      const port = await aMaster(topology, context);
      const killed = await killClients(port, 'normal');
      if (killed === 0) throw new Error(`no normal connection to kill on ${port}`);
      context.checker.count(context.checker.faults, 'connections killed', killed);
      return `killed ${killed} normal connections on ${port}`;
    }
    case 'client-kill-pubsub': {
      // Subscriber connections may be on any node (a Cluster client picks one): every node is visited.
      let killed = 0;
      for (const port of topologies.dataPorts(topology)) killed += await killClients(port, 'pubsub').catch(() => 0);
      if (killed === 0) throw new Error('no pub/sub connection to kill');
      context.checker.count(context.checker.faults, 'connections killed', killed);
      return `killed ${killed} pub/sub connections on ${topologies.dataPorts(topology).length} node(s)`;
    }
    case 'client-pause': {
      const port = await aMaster(topology, context);
      const ms = rng.int(500, 2500);
      const mode = rng.pick(['ALL', 'WRITE'] as const);
      await redisCommand(port, 'CLIENT', 'PAUSE', ms, mode);
      await sleep(ms);
      return `CLIENT PAUSE ${ms} ${mode} on ${port}`;
    }
    case 'restart': {
      if (topology !== 'standalone') throw new Error(`no restart on ${topology}`);
      const downMs = rng.int(200, 1000);
      await topologies.standalone.restart({ signal: 'SIGKILL', downMs });
      return `SIGKILL, ${downMs} ms down, started again on ${topologies.standalone.port}`;
    }
    case 'sentinel-failover': {
      const { from, to } = await topologies.sentinel.failover();
      return `master ${from} -> ${to}`;
    }
    case 'cluster-failover': {
      const masters = (await topologies.cluster.masters()).filter((master) => master.replicas.length > 0);
      const { from, to } = await topologies.cluster.failover(rng.pick(masters).port);
      return `master ${from} -> ${to}`;
    }
    case 'slot-migration':
      return migrateAWorkersSlot(context);
  }
}

/** A master of the topology now: the standalone server, the Sentinels' master, or one of the Cluster's. */
async function aMaster(topology: TopologyName, { topologies, rng }: FaultContext): Promise<number> {
  if (topology === 'standalone') return topologies.standalone.port;
  if (topology === 'sentinel') return (await topologies.sentinel.master()).port;
  return rng.pick(await topologies.cluster.masters()).port;
}

/** CLIENT KILL ID of every connection of `type` but the run's admin connections and the Sentinels'. */
async function killClients(port: number, type: 'normal' | 'pubsub'): Promise<number> {
  const list = String(await redisCommand(port, 'CLIENT', 'LIST', 'TYPE', type));
  const ids = list
    .split('\n')
    .map((line) => new Map(line.trim().split(' ').map((field) => [field.slice(0, field.indexOf('=')), field.slice(field.indexOf('=') + 1)] as const)))
    .filter((fields) => fields.has('id') && fields.get('name') !== ADMIN_NAME && !(fields.get('name') ?? '').startsWith('sentinel-') && fields.get('cmd') !== 'client|list')
    .map((fields) => fields.get('id') as string);
  let killed = 0;
  for (const id of ids) {
    // A connection that closed meanwhile is "No such client": not killed, not an error.
    const reply: RespReply | undefined = await redisCommand(port, 'CLIENT', 'KILL', 'ID', id).catch(() => undefined);
    if (reply === 1) killed++;
  }
  return killed;
}

/**
 * Moves the slot of a Cluster worker's keys to another master while it writes: a few keys at a
 * time (the worker meets ASK meanwhile), then the slot itself (MOVED afterwards).
 */
async function migrateAWorkersSlot({ topologies, rng, clusterWorkers }: FaultContext): Promise<string> {
  const cluster = topologies.cluster;
  const id = rng.pick(clusterWorkers);
  const slot = await cluster.keySlot(workerKey(id, 'x'));
  const owner = await cluster.slotOwner(slot);
  const target = rng.pick((await cluster.masters()).filter((master) => master.port !== owner)).port;
  const migration = await cluster.startSlotMigration(slot, target);
  let moved = 0;
  try {
    for (let round = 0; round < 20; round++) {
      const batch = await migration.moveKeys(3);
      moved += batch;
      if (batch === 0) break;
      await sleep(100);
    }
  } finally {
    await migration.finish();
  }
  return `slot ${slot} (w${id}) ${owner} -> ${target}, ${moved}+ keys moved while it was migrating`;
}
