/**
 * `npm run chaos`: a bounded soak. Views of three namespaces, over one shared client per driver
 * and topology (standalone, Sentinel, Cluster), run a mixed workload while a fault injector kills
 * connections, pauses clients, restarts a server, fails over the Sentinel master and a Cluster
 * master, and migrates slots. Checked throughout and at the end: no reply reaches the wrong view,
 * no key outside its namespace, no unhandled rejection, every promise settles, every write WAIT
 * confirmed survives. Prints the counts; exits 1 on any violation.
 */
import { Redis } from 'ioredis';
import { createIsolatedRedis } from '../src/index.js';
import { redisCommand, redisServerVersion } from '../test/support/redis-server.js';
import { Checker, NAMESPACES, describe, errorKind, workerKey, type DriverName, type TopologyName, type Worker } from './checks.js';
import { faultLoop } from './faults.js';
import { crossReplies } from './inject.js';
import { USAGE, UsageError, parseOptions, type ChaosOptions } from './options.js';
import { formatReport, type RunFigures } from './report.js';
import { createRng } from './rng.js';
import { RawScanner } from './scan.js';
import { openSite, type Site } from './sites.js';
import { startTopologies, type Topologies } from './topology.js';
import { WorkerRun, sleep } from './workload.js';

const TOPOLOGIES: readonly TopologyName[] = ['standalone', 'sentinel', 'cluster'];
const DRIVERS: readonly DriverName[] = ['ioredis', 'node-redis'];
/** How long, after the workload stops, every outstanding promise has to settle. */
const SETTLE_BOUND_MS = 30_000;
const HEAL_BOUND_MS = 60_000;

const started = Date.now();
const log = (line: string): void => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${line}`);

/** Rejects after `ms` unless `promise` settled: the run must end even when something hangs. */
function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** A DUMP payload for the differential list's RESTORE, made through a view (no raw key is ever written). */
async function dumpPayload(topologies: Topologies, worker: Worker): Promise<Buffer> {
  const raw = new Redis(topologies.standalone.port, '127.0.0.1');
  raw.on('error', () => undefined);
  try {
    const view = createIsolatedRedis({ namespace: worker.namespace, namespaces: [...NAMESPACES], client: raw });
    const key = workerKey(worker.id, 'dump-seed');
    await view.set(key, 'hello');
    const payload = await view.dumpBuffer(key);
    await view.del(key);
    if (!payload) throw new Error('DUMP returned nothing');
    return payload;
  } finally {
    raw.disconnect();
  }
}

async function main(options: ChaosOptions): Promise<number> {
  const checker = new Checker();
  const rng = createRng(options.seed);
  process.on('unhandledRejection', (reason) => checker.violation('unhandled-rejection', reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)));
  process.on('uncaughtException', (error) => checker.violation('uncaught-exception', error.stack ?? error.message));
  countUnhandledErrorEvents(checker);

  const redisVersion = redisServerVersion();
  log(`starting servers: a standalone server, a master + replica + 3 Sentinels, a 3-master 3-replica Cluster (redis-server ${redisVersion})`);
  const topologies = await startTopologies();
  // Interrupted: the servers this run started go with it.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`${signal}: stopping the servers`);
      void topologies.stop().finally(() => process.exit(130));
    });
  }
  const sites: Site[] = [];
  const sitesNotRun: string[] = [];
  const runs: WorkerRun[] = [];
  const scanner = new RawScanner(checker);
  let nextId = 1;
  const tracedErrors = new Set<string>();
  let exitCode = 1;
  try {
    for (const topology of TOPOLOGIES) {
      for (const driver of DRIVERS) {
        try {
          sites.push(await bounded(openSite(topologies, topology, driver, checker), 20_000, `${topology}/${driver}`));
        } catch (error) {
          sitesNotRun.push(`${topology}/${driver}: ${errorKind(error)}: ${(error as Error).message.slice(0, 200)}`);
          // A run that leaves out part of what it claims to check does not pass.
          checker.violation('check-incomplete', `${topology}/${driver} could not be opened: ${(error as Error).message}`);
        }
      }
    }
    const workers = sites.flatMap((site) => NAMESPACES.map((namespace): Worker => ({ id: nextId++, namespace, topology: site.topology, driver: site.driver })));
    for (const worker of workers) checker.register(worker);
    const firstStandalone = workers.find((worker) => worker.topology === 'standalone' && worker.driver === 'ioredis') ?? workers[0];
    if (!firstStandalone) throw new Error('no site could be opened');
    const dump = await dumpPayload(topologies, firstStandalone);

    for (const worker of workers) {
      const site = sites.find((candidate) => candidate.topology === worker.topology && candidate.driver === worker.driver) as Site;
      let view = site.view(worker.namespace, workerKey(worker.id, 'route'));
      const neighbour = workers.find((other) => other.topology === worker.topology && other.driver === worker.driver && other.namespace !== worker.namespace);
      if (options.inject.has('misdelivered-reply') && worker === workers[0] && neighbour) {
        view = crossReplies(view, worker.id, site.view(neighbour.namespace, workerKey(neighbour.id, 'route')), neighbour.id);
        log(`injecting: one ECHO of ${describe(worker)} gets the reply of ${describe(neighbour)}`);
      }
      const duplicate = async (purpose: string) => {
        try {
          return await bounded(view.duplicate(), 20_000, `${describe(worker)} duplicate()`);
        } catch (error) {
          checker.notes.push(`${describe(worker)}: no duplicate (${purpose}): ${errorKind(error)}: ${(error as Error).message.slice(0, 160)}`);
          return undefined;
        }
      };
      const own = await duplicate('no durable writes');
      const subscriber = await duplicate('no pattern subscription');
      const run = new WorkerRun(worker, view, own, subscriber, { checker, rng, dump, durable: worker.topology !== 'standalone', traceErrors: options.traceErrors, tracedErrors });
      try {
        await bounded(run.subscribe(), 20_000, `${describe(worker)} subscribe`);
      } catch (error) {
        checker.notes.push(`${describe(worker)}: subscribing failed: ${errorKind(error)}: ${(error as Error).message.slice(0, 160)}`);
      }
      runs.push(run);
    }
    log(`${sites.length} sites, ${runs.length} views${sitesNotRun.length > 0 ? `; NOT run: ${sitesNotRun.join('; ')}` : ''}`);

    let stopped = false;
    let scans = 0;
    let scanSkips = 0;
    const scanLoop = (async () => {
      while (!stopped) {
        for (const topology of TOPOLOGIES) {
          const outcome = await scanner.scan(topology, topologies.dataPorts(topology));
          scanSkips += outcome.skipped.length;
        }
        scans++;
        for (let waited = 0; waited < 2000 && !stopped; waited += 100) await sleep(100);
      }
    })();
    const clusterWorkers = workers.filter((worker) => worker.topology === 'cluster').map((worker) => worker.id);
    const gapMs = Math.max(300, Math.min(3000, (options.durationS * 1000) / 12));
    const faultContext = { topologies, checker, rng, clusterWorkers, gapMs, log: options.verbose ? log : () => undefined };
    for (const run of runs) run.start();
    log(`workload and faults running for ${options.durationS} s (seed ${options.seed})`);
    const faultLoops = TOPOLOGIES.filter((topology) => topology !== 'cluster' || clusterWorkers.length > 0).map((topology) => faultLoop(topology, faultContext, () => stopped));
    const status = setInterval(() => {
      const commands = [...checker.commands.values()].reduce((sum, n) => sum + n, 0);
      log(`${commands} commands, ${[...checker.faults].filter(([kind]) => !kind.endsWith('(failed)')).reduce((sum, [, n]) => sum + n, 0)} faults, ${checker.violationTotal} violations, ${checker.outstanding().length} in flight`);
    }, 10_000);
    if (options.inject.has('stray-key')) {
      await sleep((options.durationS * 1000) / 2);
      // On the Sentinel master: replicated, it survives the failovers (a standalone restart would wipe it).
      const master = await topologies.sentinel.master();
      await redisCommand(master.port, 'SET', 'chaos-injected-stray-key', 'written past the library');
      log(`injected: a raw SET of "chaos-injected-stray-key" on the Sentinel master ${master.port}`);
      await sleep((options.durationS * 1000) / 2);
    } else await sleep(options.durationS * 1000);

    stopped = true;
    clearInterval(status);
    log('stopping the faults');
    await bounded(Promise.all(faultLoops), 120_000, 'the fault loops').catch((error: Error) => checker.notes.push(error.message));
    for (const topology of TOPOLOGIES) {
      await topologies.healed(topology, HEAL_BOUND_MS).catch((error: Error) => checker.violation('check-incomplete', `${topology} did not heal: ${error.message}`));
    }
    log(`topologies whole again; stopping the workload (every promise must settle within ${SETTLE_BOUND_MS} ms)`);
    for (const run of runs) run.stop();
    // Past the bound, what is still pending is reported below, promise by promise.
    await bounded(Promise.all(runs.map((run) => run.done())), SETTLE_BOUND_MS, 'the workers').catch((error: Error) => checker.notes.push(error.message));
    await scanLoop;
    for (const pending of checker.outstanding()) checker.violation('unsettled-promise', `${pending.label}: pending for ${pending.ageMs} ms`);

    log('final checks: subscriptions, durable writes, raw SCAN of every node');
    await checkSubscriptions(runs, checker);
    const durableChecked = await checkDurableWrites(topologies, checker);
    const finalScan = await finalRawScan(scanner, topologies, checker);

    const figures: RunFigures = {
      durationS: options.durationS,
      seed: options.seed,
      redisVersion,
      sites: sites.map((site) => `${site.topology}/${site.driver}`),
      sitesNotRun,
      views: runs.length,
      subscriptions: runs.reduce((sum, run) => sum + run.subscriptions.length, 0),
      durable: sites
        .filter((site) => site.topology !== 'standalone')
        .map((site) => {
          const name = `${site.topology}/${site.driver}`;
          const here = runs.filter((run) => run.worker.topology === site.topology && run.worker.driver === site.driver);
          return {
            site: name,
            confirmed: here.reduce((sum, run) => sum + run.durableConfirmed, 0),
            unconfirmed: here.reduce((sum, run) => sum + run.durableUnconfirmed, 0),
            readBack: durableChecked.get(name) ?? 0,
          };
        }),
      scans,
      scanSkips,
      finalScan,
    };
    console.log(formatReport(checker, figures));
    exitCode = checker.violationTotal === 0 ? 0 : 1;
  } finally {
    scanner.close();
    await bounded(
      (async () => {
        await Promise.allSettled(runs.map((run) => run.close()));
        await Promise.allSettled(sites.map((site) => site.close()));
        await topologies.stop();
      })(),
      30_000,
      'closing',
    ).catch((error: Error) => console.error(error.message));
  }
  return exitCode;
}

/**
 * ioredis prints "[ioredis] Unhandled error event" for a connection that has no `error` listener
 * (it does not throw): counted as an error kind, the first one kept in the notes, not printed.
 */
function countUnhandledErrorEvents(checker: Checker): void {
  const print = console.error.bind(console);
  console.error = (...args: unknown[]): void => {
    if (typeof args[0] === 'string' && args[0].startsWith('[ioredis] Unhandled error event')) {
      const error = args[1];
      const kind = `ioredis "Unhandled error event" printed (a connection without an 'error' listener): ${typeof error === 'string' ? error.split('\n')[0]?.replace(/\d+/g, 'N').slice(0, 80) : errorKind(error)}`;
      if (!checker.errors.has(kind)) checker.notes.push(`${String(args[0])} ${String(error).split('\n').slice(0, 4).join(' | ')}`);
      checker.error(kind, 'an ioredis connection');
      return;
    }
    print(...args);
  };
}

/** Every worker publishes a final message; every subscription must hear one of its namespace within 10 s. */
async function checkSubscriptions(runs: readonly WorkerRun[], checker: Checker): Promise<void> {
  const deadline = Date.now() + 10_000;
  const all = runs.flatMap((run) => run.subscriptions.map((subscription) => ({ run, subscription })));
  while (Date.now() < deadline && all.some(({ subscription }) => !subscription.finalSeen)) {
    await Promise.all(runs.map((run) => run.publishFinal()));
    await sleep(500);
  }
  for (const { run, subscription } of all) {
    if (!subscription.finalSeen) checker.violation('subscription-lost', `${describe(run.worker)} ${subscription.name}: heard no final message within 10 s after the faults (${subscription.received} messages before)`);
  }
}

/** Reads every key WAIT confirmed through a view of its namespace over a fresh client of its driver. */
async function checkDurableWrites(topologies: Topologies, checker: Checker): Promise<Map<string, number>> {
  const bySite = new Map<string, Array<{ worker: Worker; key: string; seq: number }>>();
  for (const record of checker.durable.values()) {
    const site = `${record.worker.topology}/${record.worker.driver}`;
    bySite.set(site, [...(bySite.get(site) ?? []), record]);
  }
  const checked = new Map<string, number>();
  for (const [name, records] of bySite) {
    const first = records[0] as { worker: Worker };
    let site: Site | undefined;
    try {
      site = await bounded(openSite(topologies, first.worker.topology, first.worker.driver, checker), 20_000, 'a fresh client');
      for (const { worker, key, seq } of records) {
        const view = site.view(worker.namespace, workerKey(worker.id, 'route'));
        const reply = await bounded(view.send(['get', key]), 10_000, `GET ${key}`);
        checker.checkDurable(worker, key, seq, reply);
        checked.set(name, (checked.get(name) ?? 0) + 1);
      }
    } catch (error) {
      checker.violation('check-incomplete', `durable writes of ${first.worker.topology}/${first.worker.driver} could not be read back: ${(error as Error).message}`);
    } finally {
      await site?.close().catch(() => undefined);
    }
  }
  return checked;
}

/** The last raw SCAN: every node must be scanned whole (retried while a node is still loading). */
async function finalRawScan(scanner: RawScanner, topologies: Topologies, checker: Checker): Promise<{ nodes: number; keys: number }> {
  let nodes = 0;
  let keys = 0;
  for (const topology of TOPOLOGIES) {
    for (const port of topologies.dataPorts(topology)) {
      let last: unknown;
      for (let attempt = 0; attempt < 20; attempt++) {
        try {
          keys += await scanner.scanNode(topology, port);
          nodes++;
          last = undefined;
          break;
        } catch (error) {
          last = error;
          await sleep(500);
        }
      }
      if (last !== undefined) checker.violation('check-incomplete', `final SCAN of ${topology} 127.0.0.1:${port} failed: ${(last as Error).message}`);
    }
  }
  return { nodes, keys };
}

let options: ChaosOptions;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  if (error.message) console.error(error.message);
  console.error(USAGE);
  process.exit(error.message ? 2 : 0);
}
main(options).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('chaos run could not complete:', error);
    process.exit(2);
  },
);
