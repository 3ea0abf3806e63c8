/**
 * End-to-end throughput of the ioredis adapter against a local, throw-away redis-server, for
 * ioredis 5 and 6: raw ioredis, ioredis with its own `keyPrefix`, and the isolated view over a raw
 * client, each on its own connection. Rounds alternate the three variants so that drift of the
 * machine (CPU frequency, the other core's load) touches them alike; the first round is a warm-up
 * and is discarded. Results are printed, never asserted.
 */
import { Redis as Redis5 } from 'ioredis';
import { Redis as Redis6 } from 'ioredis6';
import { createIsolatedRedis } from '../src/index.js';
import { startRedisServer } from '../test/support/redis-server.js';

/** What the benchmark uses of a client; ioredis 5, ioredis 6 and the isolated view all have it. */
interface BenchPipeline {
  set(key: string, value: string): unknown;
  get(key: string): unknown;
  exec(): Promise<unknown>;
}
interface BenchClient {
  set(key: string, value: string): Promise<unknown>;
  get(key: string): Promise<unknown>;
  pipeline(): BenchPipeline;
}
interface Connection {
  ping(): Promise<unknown>;
  disconnect(): void;
}

type RedisClass = new (url: string, options?: { keyPrefix?: string }) => BenchClient & Connection;

const VERSIONS: readonly { readonly name: string; readonly Redis: RedisClass }[] = [
  { name: 'ioredis 5', Redis: Redis5 },
  { name: 'ioredis 6', Redis: Redis6 as unknown as RedisClass },
];

const NAMESPACE = 'mcp2';
const PREFIX = `${NAMESPACE}:`;
const VARIANTS = ['raw', 'keyPrefix', 'isolated'] as const;
type Variant = (typeof VARIANTS)[number];

/** Measured rounds per workload, after one warm-up round. */
const ROUNDS = 7;
const SEQUENTIAL_COMMANDS = 6_000;
const PIPELINE_BATCH = 100; // commands per pipeline: 50 SET + 50 GET
const PIPELINED_COMMANDS = 100_000;

const KEY_COUNT = 1_000;
const VALUE = 'v'.repeat(32);
/** Keys as the application names them, and as the raw client sends them (prefixed by hand): same bytes on the wire. */
const KEYS = Array.from({ length: KEY_COUNT }, (_, i) => `bench:${i}`);
const PREFIXED_KEYS = KEYS.map((key) => PREFIX + key);

interface Workload {
  readonly name: 'sequential' | 'pipelined';
  readonly commands: number;
  run(client: BenchClient, keys: readonly string[]): Promise<void>;
}

const WORKLOADS: readonly Workload[] = [
  {
    name: 'sequential',
    commands: SEQUENTIAL_COMMANDS,
    async run(client, keys) {
      for (let i = 0; i < SEQUENTIAL_COMMANDS; i += 2) {
        const key = keys[(i >> 1) % KEY_COUNT] as string;
        await client.set(key, VALUE);
        await client.get(key);
      }
    },
  },
  {
    name: 'pipelined',
    commands: PIPELINED_COMMANDS,
    async run(client, keys) {
      let next = 0;
      for (let sent = 0; sent < PIPELINED_COMMANDS; sent += PIPELINE_BATCH) {
        const pipeline = client.pipeline();
        for (let j = 0; j < PIPELINE_BATCH; j += 2) {
          const key = keys[next++ % KEY_COUNT] as string;
          pipeline.set(key, VALUE);
          pipeline.get(key);
        }
        await pipeline.exec();
      }
    },
  },
];

interface Sample {
  readonly opsPerSec: number;
  readonly cpuUsPerOp: number;
}

/** Medians over the measured rounds, and how far apart the rounds' throughputs were. */
interface Summary extends Sample {
  /** (max - min) / median of the rounds' throughputs. */
  readonly spread: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

async function sample(workload: Workload, client: BenchClient, keys: readonly string[]): Promise<Sample> {
  gc?.();
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  await workload.run(client, keys);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  return { opsPerSec: workload.commands / seconds, cpuUsPerOp: (used.user + used.system) / workload.commands };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

/** Checks once, before timing, that each variant stores under `mcp2:` and reads its value back. */
async function checkVariants(clients: Record<Variant, BenchClient>, keysOf: Record<Variant, readonly string[]>, raw: BenchClient): Promise<void> {
  for (const variant of VARIANTS) {
    const key = keysOf[variant][0] as string;
    const value = `check:${variant}`;
    await clients[variant].set(key, value);
    const [viaVariant, viaRaw] = await Promise.all([clients[variant].get(key), raw.get(PREFIX + (KEYS[0] as string))]);
    if (viaVariant !== value || viaRaw !== value) {
      throw new Error(`${variant}: read back ${String(viaVariant)} (raw ${String(viaRaw)}), expected ${value} under ${PREFIX}`);
    }
  }
}

interface Row {
  readonly version: string;
  readonly workload: Workload['name'];
  readonly results: Record<Variant, Summary>;
}

async function benchVersion(name: string, RedisClass: RedisClass, url: string): Promise<Row[]> {
  const connections: Connection[] = [];
  const open = (options?: { keyPrefix?: string }): BenchClient & Connection => {
    const client = options ? new RedisClass(url, options) : new RedisClass(url);
    connections.push(client);
    return client;
  };
  try {
    const raw = open();
    const keyPrefix = open({ keyPrefix: PREFIX });
    const isolated = createIsolatedRedis({ namespace: NAMESPACE, client: open() });
    await Promise.all(connections.map((connection) => connection.ping()));
    const clients: Record<Variant, BenchClient> = { raw, keyPrefix, isolated };
    const keysOf: Record<Variant, readonly string[]> = { raw: PREFIXED_KEYS, keyPrefix: KEYS, isolated: KEYS };
    await checkVariants(clients, keysOf, raw);

    const rows: Row[] = [];
    for (const workload of WORKLOADS) {
      const samples: Record<Variant, Sample[]> = { raw: [], keyPrefix: [], isolated: [] };
      for (let round = 0; round <= ROUNDS; round++) {
        for (const variant of VARIANTS) {
          const result = await sample(workload, clients[variant], keysOf[variant]);
          if (round > 0) samples[variant].push(result);
        }
      }
      const summarise = (variant: Variant): Summary => {
        const throughputs = samples[variant].map((s) => s.opsPerSec);
        const opsPerSec = median(throughputs);
        return {
          opsPerSec,
          cpuUsPerOp: median(samples[variant].map((s) => s.cpuUsPerOp)),
          spread: (Math.max(...throughputs) - Math.min(...throughputs)) / opsPerSec,
        };
      };
      rows.push({
        version: name,
        workload: workload.name,
        results: { raw: summarise('raw'), keyPrefix: summarise('keyPrefix'), isolated: summarise('isolated') },
      });
    }
    return rows;
  } finally {
    for (const connection of connections) connection.disconnect();
  }
}

const ratio = (value: number): string => `${value.toFixed(3)}x`;

function printRows(rows: readonly Row[]): void {
  const header = ['ioredis', 'workload', 'variant', 'cmds/s', 'spread', 'CPU us/cmd', 'tput vs raw', 'tput vs keyPrefix', 'CPU vs raw', 'CPU vs keyPrefix'];
  const lines: string[][] = [header];
  for (const row of rows) {
    for (const variant of VARIANTS) {
      const { opsPerSec, cpuUsPerOp, spread } = row.results[variant];
      const { raw, keyPrefix } = row.results;
      lines.push([
        row.version.replace('ioredis ', ''),
        row.workload,
        variant,
        Math.round(opsPerSec).toLocaleString('en-US'),
        `${(spread * 100).toFixed(0)}%`,
        cpuUsPerOp.toFixed(2),
        variant === 'raw' ? '' : ratio(opsPerSec / raw.opsPerSec),
        variant === 'isolated' ? ratio(opsPerSec / keyPrefix.opsPerSec) : '',
        variant === 'raw' ? '' : ratio(cpuUsPerOp / raw.cpuUsPerOp),
        variant === 'isolated' ? ratio(cpuUsPerOp / keyPrefix.cpuUsPerOp) : '',
      ]);
    }
  }
  const widths = header.map((_, column) => Math.max(...lines.map((line) => (line[column] ?? '').length)));
  for (const line of lines) {
    const cells = line.map((cell, column) => (column < 3 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)));
    console.log(`  ${cells.join('  ')}`.trimEnd());
  }

  console.log('\n  goals: isolated >= 0.97x raw throughput pipelined; isolated throughput >= keyPrefix throughput');
  for (const row of rows) {
    const { raw, keyPrefix, isolated } = row.results;
    const vsRaw = isolated.opsPerSec / raw.opsPerSec;
    const vsKeyPrefix = isolated.opsPerSec / keyPrefix.opsPerSec;
    const parts: string[] = [];
    if (row.workload === 'pipelined') parts.push(`vs raw ${ratio(vsRaw)} (>= 0.97x: ${vsRaw >= 0.97 ? 'holds' : 'MISSED'})`);
    else parts.push(`vs raw ${ratio(vsRaw)} (no goal)`);
    parts.push(`vs keyPrefix ${ratio(vsKeyPrefix)} (>= 1x: ${vsKeyPrefix >= 1 ? 'holds' : 'MISSED'})`);
    console.log(`  ${row.version} ${row.workload.padEnd(10)}  isolated ${parts.join(', ')}`);
  }
}

/** Runs the end-to-end benchmark and prints its table; it starts and stops its own redis-server. */
export async function benchIoredis(): Promise<void> {
  const server = await startRedisServer();
  try {
    console.log(
      `\nioredis adapter end to end: redis-server ${server.version} on loopback, one connection per client; ` +
        `median of ${ROUNDS} alternated rounds (warm-up discarded)`,
    );
    console.log(
      `  sequential: ${SEQUENTIAL_COMMANDS.toLocaleString('en-US')} awaited SET/GET per round; ` +
        `pipelined: ${PIPELINED_COMMANDS.toLocaleString('en-US')} commands per round in pipelines of ${PIPELINE_BATCH} (SET+GET pairs); ` +
        'spread = (max - min) / median of the rounds\' throughput; CPU = this process, user + system',
    );
    const rows: Row[] = [];
    for (const { name, Redis } of VERSIONS) rows.push(...(await benchVersion(name, Redis, server.url)));
    printRows(rows);
  } finally {
    await server.stop();
  }
}
