/**
 * End-to-end throughput of the ioredis adapter against a local, throw-away redis-server, for
 * ioredis 5 and 6: raw ioredis, ioredis with its own `keyPrefix`, and the isolated view over a raw
 * client, each on its own connection, in the alternated rounds of ./end-to-end.ts.
 */
import { Redis as Redis5 } from 'ioredis';
import { Redis as Redis6 } from 'ioredis6';
import { createIsolatedRedis } from '../src/index.js';
import { startRedisServer } from '../test/support/redis-server.js';
import { NAMESPACE, PREFIX, VALUE, checkVariants, keyAt, printRows, runRounds, sequentialWorkload, type Row, type Variant, type Workload } from './end-to-end.js';

/** What the benchmark uses of a client; ioredis 5, ioredis 6 and the isolated view all have it. */
interface BenchPipeline {
  set(key: string, value: string): unknown;
  get(key: string): unknown;
  exec(): Promise<unknown>;
}
export interface BenchClient {
  set(key: string, value: string): Promise<unknown>;
  get(key: string): Promise<unknown>;
  pipeline(): BenchPipeline;
}
export interface Connection {
  ping(): Promise<unknown>;
  disconnect(): void;
}

export type RedisClass = new (url: string, options?: { keyPrefix?: string }) => BenchClient & Connection;

export const VERSIONS: readonly { readonly name: string; readonly Redis: RedisClass }[] = [
  { name: 'ioredis 5', Redis: Redis5 },
  { name: 'ioredis 6', Redis: Redis6 as unknown as RedisClass },
];

/** Measured rounds per workload, after one warm-up round. */
export const ROUNDS = 7;
const SEQUENTIAL_COMMANDS = 6_000;
const PIPELINE_BATCH = 100; // commands per pipeline: 50 SET + 50 GET
const PIPELINED_COMMANDS = 100_000;

export const WORKLOADS: readonly Workload<BenchClient>[] = [
  sequentialWorkload(SEQUENTIAL_COMMANDS),
  {
    name: 'pipelined',
    commands: PIPELINED_COMMANDS,
    async run(client, keys) {
      let next = 0;
      for (let sent = 0; sent < PIPELINED_COMMANDS; sent += PIPELINE_BATCH) {
        const pipeline = client.pipeline();
        for (let j = 0; j < PIPELINE_BATCH; j += 2) {
          const key = keyAt(keys, next++);
          pipeline.set(key, VALUE);
          pipeline.get(key);
        }
        await pipeline.exec();
      }
    },
  },
];

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
    const clients: Partial<Record<Variant, BenchClient>> = { raw, keyPrefix, isolated };
    await checkVariants(clients, raw);
    return await runRounds(name, WORKLOADS, clients, ROUNDS);
  } finally {
    for (const connection of connections) connection.disconnect();
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
    for (const { name, Redis } of VERSIONS) rows.push(...(await benchVersion(name.replace('ioredis ', ''), Redis, server.url)));
    printRows('ioredis', rows, ['pipelined']);
  } finally {
    await server.stop();
  }
}
