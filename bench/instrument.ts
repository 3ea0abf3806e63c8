/**
 * The cost of instrumentation: the isolated client as is, and with an `onCommand` hook plus the
 * Prometheus hooks (histogram, counters), on ioredis 5 and node-redis 6, in the alternated rounds
 * of ./end-to-end.ts. The figure that matters is client CPU per command, instrumented over plain;
 * the goal is under 5% extra.
 */
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { createClient } from 'redis';
import { combineHooks, createIsolatedRedis, type InstrumentationHooks } from '../src/index.js';
import { createPrometheusHooks } from '../src/prometheus/index.js';
import { startRedisServer } from '../test/support/redis-server.js';
import { Instrumentation } from '../src/instrument/instrumentation.js';
import { NAMESPACE, runRounds, type Row, type Workload } from './end-to-end.js';
import { WORKLOADS as IOREDIS_WORKLOADS } from './ioredis.js';
import { WORKLOADS as NODE_REDIS_WORKLOADS } from './node-redis.js';

const ROUNDS = 5;
const GOAL = 1.05;
/** How many observations (hook calls) each workload makes per command: pipelines are observed once per batch of 100. */
const OBSERVATIONS_PER_COMMAND: Readonly<Record<string, number>> = { sequential: 1, concurrent: 1, pipelined: 0.01, execAsPipeline: 0.01 };

/**
 * CPU per observed command spent in the instrumentation alone (the driver replaced by a settled
 * promise), median of 5 rounds of 100k: steadier than the end-to-end ratio on a busy machine.
 */
async function observationCostNs(hooksOf: () => InstrumentationHooks): Promise<number> {
  const instr = new Instrumentation(NAMESPACE, { hooks: hooksOf() });
  const reply = Promise.resolve('v');
  const args = ['k'];
  const costs: number[] = [];
  for (let round = 0; round < 6; round++) {
    const cpu = process.cpuUsage();
    for (let i = 0; i < 200; i++) {
      const batch: Array<Promise<unknown>> = [];
      for (let j = 0; j < 500; j++) batch.push(instr.command('get', args, 1, () => reply));
      await Promise.all(batch);
    }
    const used = process.cpuUsage(cpu);
    if (round > 0) costs.push(((used.user + used.system) * 1000) / 100_000);
  }
  return costs.sort((a, b) => a - b)[2] as number;
}

/** An onCommand of the kind an application leaves on (a counter), and the Prometheus hooks. */
function hooks(): InstrumentationHooks {
  let commands = 0;
  return combineHooks({ onCommand: () => void commands++ }, createPrometheusHooks({ registry: new Registry() }));
}

async function measure<C>(driver: string, workloads: readonly Workload<C>[], plain: C, instrumented: C): Promise<Row[]> {
  return runRounds(driver, workloads, { isolated: plain, instrumented }, ROUNDS);
}

function print(rows: readonly Row[], costNs: number): void {
  const lines = [['driver', 'workload', 'plain CPU us/cmd', 'instrumented CPU us/cmd', 'CPU ratio', 'tput ratio', 'in-process est.', `goal < ${GOAL}x`]];
  for (const { version, workload, results } of rows) {
    const { isolated, instrumented } = results;
    if (!isolated || !instrumented) continue;
    const cpu = instrumented.cpuUsPerOp / isolated.cpuUsPerOp;
    lines.push([
      version,
      workload,
      isolated.cpuUsPerOp.toFixed(2),
      instrumented.cpuUsPerOp.toFixed(2),
      `${cpu.toFixed(3)}x`,
      `${(instrumented.opsPerSec / isolated.opsPerSec).toFixed(3)}x`,
      `${(1 + ((costNs / 1000) * (OBSERVATIONS_PER_COMMAND[workload] ?? 1)) / isolated.cpuUsPerOp).toFixed(3)}x`,
      cpu < GOAL ? 'holds' : 'MISSED',
    ]);
  }
  const widths = (lines[0] as string[]).map((_, column) => Math.max(...lines.map((line) => (line[column] ?? '').length)));
  for (const line of lines) console.log(`  ${line.map((cell, column) => (column < 2 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ')}`);
}

/** Runs the instrumentation overhead benchmark on a redis-server of its own and prints its table. */
export async function benchInstrumentation(): Promise<void> {
  const server = await startRedisServer();
  const ioredis = [new Redis(server.url), new Redis(server.url)];
  const nodeRedis = [createClient({ url: server.url }), createClient({ url: server.url })];
  try {
    await Promise.all(nodeRedis.map((client) => client.connect()));
    console.log(
      `\ninstrumentation overhead: isolated client plain vs with onCommand + Prometheus hooks (redis-server ${server.version}, ` +
        `one connection each; median of ${ROUNDS} alternated rounds, warm-up discarded; CPU = this process, user + system)`,
    );
    const rows = [
      ...(await measure(
        'ioredis 5',
        IOREDIS_WORKLOADS,
        createIsolatedRedis({ namespace: NAMESPACE, client: ioredis[0] as Redis }),
        createIsolatedRedis({ namespace: NAMESPACE, client: ioredis[1] as Redis, hooks: hooks() }),
      )),
      ...(await measure(
        'node-redis 6',
        NODE_REDIS_WORKLOADS,
        createIsolatedRedis({ namespace: NAMESPACE, client: nodeRedis[0] as ReturnType<typeof createClient> }),
        createIsolatedRedis({ namespace: NAMESPACE, client: nodeRedis[1] as ReturnType<typeof createClient>, hooks: hooks() }),
      )),
    ];
    const costNs = await observationCostNs(hooks);
    const noopNs = await observationCostNs(() => ({ onCommand: () => undefined }));
    console.log(
      `  in-process: ${noopNs.toFixed(0)} ns CPU per observed command with a no-op onCommand, ${costNs.toFixed(0)} ns with onCommand + Prometheus; ` +
        "'in-process est.' = 1 + that cost per command / the plain client's CPU per command (pipelines are observed once per batch)",
    );
    print(rows, costNs);
  } finally {
    ioredis.forEach((client) => client.disconnect());
    nodeRedis.forEach((client) => client.destroy());
    await server.stop();
  }
}
