import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IOREDIS_VERSIONS } from '../support/ioredis-versions.js';
import { NODE_REDIS_VARIANTS } from '../support/node-redis-versions.js';
import { startRedisCluster, startRedisServer, type RunningCluster, type RunningRedis } from '../support/redis-server.js';
import type { InterferenceEnv } from '../support/interference/env.js';
import { createIoredisEnv } from '../support/interference/ioredis-driver.js';
import { createNodeRedisEnv } from '../support/interference/node-redis-driver.js';
import { runInterference } from '../support/interference/property.js';

/**
 * The interference property (issue 12): views of three namespaces share one client; the attacker
 * (`mcp2`) runs random programs over the whole API while the victims (`celery`, `journal`) read
 * and write their own data. No victim may get a reply not its own, an error or a stall, the
 * attacker may never see the victims' data, and the server holds no key outside the namespaces.
 *
 * Reproduce a run with `INTERFERENCE_SEED=<seed> npx vitest run test/isolation`; more programs
 * with `INTERFERENCE_RUNS=<programs per variant>`.
 */

const seed = Number(process.env.INTERFERENCE_SEED ?? Date.now() % 2 ** 31);
const runsOverride = process.env.INTERFERENCE_RUNS === undefined ? undefined : Number(process.env.INTERFERENCE_RUNS);
const options = {
  seed,
  // Generous: two cores, other test files running meanwhile. Blocking commands are caught by the probe instead.
  stallMarginMs: Number(process.env.INTERFERENCE_STALL_MS ?? 400),
  attackerHangMs: 5_000,
  timeLimitMs: 30_000,
};

// A server and a cluster of this file's own: FLUSHALL between programs disturbs nobody, and other files' flushes do not disturb us.
let server: RunningRedis;
let cluster: RunningCluster;
beforeAll(async () => {
  [server, cluster] = await Promise.all([startRedisServer(), startRedisCluster()]);
}, 60_000);
afterAll(async () => {
  await Promise.all([server?.stop(), cluster?.stop()]);
});

interface Variant {
  readonly label: string;
  readonly runs: number;
  readonly create: () => Promise<InterferenceEnv>;
}

const STANDALONE_RUNS = 200;
const CLUSTER_RUNS = 120;

const variants: Variant[] = [
  ...IOREDIS_VERSIONS.flatMap((version) =>
    (version.name === 'ioredis 6' ? ([2, 3] as const) : ([2] as const)).flatMap((protocol) => [
      {
        label: `${version.name} RESP${protocol} standalone`,
        runs: STANDALONE_RUNS,
        create: () => createIoredisEnv({ version, protocol, url: server.url }),
      },
      {
        label: `${version.name} RESP${protocol} cluster`,
        runs: CLUSTER_RUNS,
        create: () => createIoredisEnv({ version, protocol, clusterPorts: cluster.nodes.map((node) => node.port) }),
      },
    ]),
  ),
  ...NODE_REDIS_VARIANTS.flatMap((variant) => [
    { label: `${variant.name} RESP${variant.RESP} standalone`, runs: STANDALONE_RUNS, create: () => createNodeRedisEnv({ variant, url: server.url }) },
    {
      label: `${variant.name} RESP${variant.RESP} cluster`,
      runs: CLUSTER_RUNS,
      create: () => createNodeRedisEnv({ variant, clusterPorts: cluster.nodes.map((node) => node.port) }),
    },
  ]),
];

describe.each(variants)('interference: $label', ({ label, runs, create }) => {
  it('another view never gets a reply not its own, an error or a stall, and no key lands outside the namespaces', async () => {
    const result = { programs: 0, steps: 0, stallMs: 0 };
    try {
      await runInterference(create, { ...options, numRuns: runsOverride ?? runs }, result);
    } finally {
      console.log(`interference: ${label}: ${result.programs} programs, ${result.steps} steps, seed ${seed} (stall bound ${result.stallMs} ms)`);
    }
    expect(result.programs).toBeGreaterThanOrEqual(runsOverride ?? runs);
  }, 300_000);
});
