/**
 * End-to-end throughput of the node-redis adapter against a local, throw-away redis-server, for
 * node-redis 5 and 6: raw node-redis, node-redis with its own `keyPrefix` (6.1 and later only),
 * and the isolated view over a raw client, each on its own connection, in the alternated rounds
 * of ./end-to-end.ts.
 */
import { createClient as createClient6 } from 'redis';
import { createClient as createClient5 } from 'redis5';
import { createIsolatedRedis } from '../src/index.js';
import { startRedisServer } from '../test/support/redis-server.js';
import { NAMESPACE, PREFIX, VALUE, checkVariants, keyAt, printRows, runRounds, sequentialWorkload, type Row, type Variant, type Workload } from './end-to-end.js';

/** What the benchmark uses of a client; both versions and the isolated view have it. */
interface BenchMulti {
  set(key: string, value: string): BenchMulti;
  get(key: string): BenchMulti;
  execAsPipeline(): Promise<unknown>;
}
export interface BenchClient {
  set(key: string, value: string): Promise<unknown>;
  get(key: string): Promise<unknown>;
  multi(): BenchMulti;
}
export interface Connection {
  connect(): Promise<unknown>;
  destroy(): void;
}

export type CreateClient = (options: { url: string; keyPrefix?: string }) => BenchClient & Connection;

export const VERSIONS: readonly { readonly name: string; readonly createClient: CreateClient; readonly keyPrefix: boolean }[] = [
  { name: '5', createClient: createClient5 as unknown as CreateClient, keyPrefix: false },
  { name: '6', createClient: createClient6 as unknown as CreateClient, keyPrefix: true },
];

/** Measured rounds per workload, after one warm-up round. */
export const ROUNDS = 7;
const SEQUENTIAL_COMMANDS = 6_000;
const BATCH = 100; // commands per batch: 50 SET + 50 GET
const BATCHED_COMMANDS = 100_000;

export const WORKLOADS: readonly Workload<BenchClient>[] = [
  sequentialWorkload(SEQUENTIAL_COMMANDS),
  {
    name: 'execAsPipeline',
    commands: BATCHED_COMMANDS,
    async run(client, keys) {
      let next = 0;
      for (let sent = 0; sent < BATCHED_COMMANDS; sent += BATCH) {
        const multi = client.multi();
        for (let j = 0; j < BATCH; j += 2) {
          const key = keyAt(keys, next++);
          multi.set(key, VALUE).get(key);
        }
        await multi.execAsPipeline();
      }
    },
  },
  {
    // node-redis writes commands issued in the same tick in one go: its implicit pipelining.
    name: 'concurrent',
    commands: BATCHED_COMMANDS,
    async run(client, keys) {
      let next = 0;
      const batch = new Array<Promise<unknown>>(BATCH);
      for (let sent = 0; sent < BATCHED_COMMANDS; sent += BATCH) {
        for (let j = 0; j < BATCH; j += 2) {
          const key = keyAt(keys, next++);
          batch[j] = client.set(key, VALUE);
          batch[j + 1] = client.get(key);
        }
        await Promise.all(batch);
      }
    },
  },
];

async function benchVersion(name: string, createClient: CreateClient, hasKeyPrefix: boolean, url: string): Promise<Row[]> {
  const connections: Connection[] = [];
  const open = (options: { keyPrefix?: string } = {}): BenchClient & Connection => {
    const client = createClient({ url, ...options });
    connections.push(client);
    return client;
  };
  try {
    const raw = open();
    const clients: Partial<Record<Variant, BenchClient>> = {
      raw,
      ...(hasKeyPrefix ? { keyPrefix: open({ keyPrefix: PREFIX }) } : {}),
      isolated: createIsolatedRedis({ namespace: NAMESPACE, client: open() }),
    };
    await Promise.all(connections.map((connection) => connection.connect()));
    await checkVariants(clients, raw);
    return await runRounds(name, WORKLOADS, clients, ROUNDS);
  } finally {
    for (const connection of connections) connection.destroy();
  }
}

/** Runs the end-to-end benchmark and prints its table; it starts and stops its own redis-server. */
export async function benchNodeRedis(): Promise<void> {
  const server = await startRedisServer();
  try {
    console.log(
      `\nnode-redis adapter end to end: redis-server ${server.version} on loopback, one connection per client; ` +
        `median of ${ROUNDS} alternated rounds (warm-up discarded)`,
    );
    console.log(
      `  sequential: ${SEQUENTIAL_COMMANDS.toLocaleString('en-US')} awaited SET/GET per round; ` +
        `execAsPipeline: ${BATCHED_COMMANDS.toLocaleString('en-US')} commands per round in multi().execAsPipeline() of ${BATCH}; ` +
        `concurrent: the same in Promise.all batches of ${BATCH}; ` +
        "spread = (max - min) / median of the rounds' throughput; CPU = this process, user + system",
    );
    const rows: Row[] = [];
    for (const { name, createClient, keyPrefix } of VERSIONS) rows.push(...(await benchVersion(name, createClient, keyPrefix, server.url)));
    printRows('node-redis', rows, ['execAsPipeline', 'concurrent']);
  } finally {
    await server.stop();
  }
}
