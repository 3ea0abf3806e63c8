/**
 * One face over the two drivers' isolated views, so that the workload is written once: a command
 * line, a pipeline, a MULTI, pub/sub, and the durable write (SET + WAIT on a connection of the
 * view's own). Every call goes through the view, and so through the library's guard.
 */
import type { Cluster, Redis } from 'ioredis';
import type { createClient, createCluster, createSentinel } from 'redis';

export type Arg = string | number | Buffer;
export type Argv = readonly [string, ...Arg[]];

/** A pipeline or MULTI entry's outcome: its reply, or the Error the server (or the library) gave it. */
export type EntryResult = unknown;

export interface ViewDriver {
  /** One command line through the view (ioredis `call`, node-redis `sendCommand`). */
  send(argv: Argv): Promise<unknown>;
  /** A pipeline of command lines; per-entry errors come back as Error values. */
  pipeline(list: readonly Argv[]): Promise<EntryResult[]>;
  /** A MULTI of command lines; per-entry errors come back as Error values. */
  multi(list: readonly Argv[]): Promise<EntryResult[]>;
  subscribe(channel: string, listener: (channel: string, message: string) => void): Promise<void>;
  psubscribe(pattern: string, listener: (channel: string, message: string) => void): Promise<void>;
  publish(channel: string, message: string): Promise<unknown>;
  /**
   * SET `key` `value` then WAIT for one replica, in one pipeline between two CLIENT IDs: only
   * when both IDs match did the WAIT count this connection's SET (a reconnect in between would
   * give WAIT an empty connection, which it confirms at once). Resolves to WAIT's count, or 0.
   */
  durableSet(key: string, value: string, waitMs: number): Promise<number>;
  /** An isolated duplicate of the view (a connection of its own, same namespace), connected. */
  duplicate(): Promise<ViewDriver>;
  /** Closes what the view opened for itself (the shared client stays its owner's). */
  quit(): Promise<void>;
}

type IoredisView = Redis | Cluster;
type NodeRedisClient = ReturnType<typeof createClient>;
type NodeRedisCluster = ReturnType<typeof createCluster>;
type NodeRedisSentinel = ReturnType<typeof createSentinel>;

const ioArgs = (argv: Argv): [string, ...Arg[]] => [argv[0], ...argv.slice(1)];

/** ioredis `[[err, reply], ...]` as replies and errors. */
const ioResults = (results: Array<[Error | null, unknown]> | null): EntryResult[] => {
  if (results === null) throw new Error('EXEC returned null (transaction aborted)');
  return results.map(([error, reply]) => error ?? reply);
};

/** An ioredis view (Redis, Sentinel-backed Redis or Cluster). */
export function ioredisDriver(view: IoredisView): ViewDriver {
  const messageListeners = new Map<string, (channel: string, message: string) => void>();
  const patternListeners = new Map<string, (channel: string, message: string) => void>();
  let listening = false;
  const listen = (): void => {
    if (listening) return;
    listening = true;
    view.on('message', (channel: string, message: string) => messageListeners.get(channel)?.(channel, message));
    view.on('pmessage', (pattern: string, channel: string, message: string) => patternListeners.get(pattern)?.(channel, message));
  };
  const batch = (kind: 'pipeline' | 'multi', list: readonly Argv[]): Promise<EntryResult[]> =>
    view[kind](list.map((argv) => ['call', ...ioArgs(argv)] as unknown as string[]))
      .exec()
      .then((results) => ioResults(results as Array<[Error | null, unknown]> | null));
  return {
    send: (argv) => view.call(...ioArgs(argv)),
    pipeline: (list) => batch('pipeline', list),
    multi: (list) => batch('multi', list),
    async subscribe(channel, listener) {
      listen();
      messageListeners.set(channel, listener);
      await view.subscribe(channel);
    },
    async psubscribe(pattern, listener) {
      listen();
      patternListeners.set(pattern, listener);
      await view.psubscribe(pattern);
    },
    publish: (channel, message) => view.publish(channel, message),
    async durableSet(key, value, waitMs) {
      const results = ioResults(
        (await view
          .pipeline()
          .client('ID')
          .set(key, value)
          .wait(1, waitMs)
          .client('ID')
          .exec()) as Array<[Error | null, unknown]>,
      );
      return durableCount(results);
    },
    async duplicate() {
      const own = (view as unknown as { duplicate(): IoredisView }).duplicate();
      own.on('error', () => undefined);
      return ioredisDriver(own);
    },
    async quit() {
      await view.quit();
    },
  };
}

/** WAIT's count when the pipeline [CLIENT ID, SET, WAIT, CLIENT ID] ran whole on one connection. */
function durableCount(results: readonly EntryResult[]): number {
  const [before, set, wait, after] = results;
  for (const result of results) if (result instanceof Error) throw result;
  if (set !== 'OK' || typeof wait !== 'number' || before === undefined || String(before) !== String(after)) return 0;
  return wait;
}

const wire = (argv: Argv): Array<string | Buffer> => argv.map((arg, i) => (i === 0 ? String(arg).toUpperCase() : Buffer.isBuffer(arg) ? arg : String(arg)));

/** node-redis's MULTI/pipeline rejection with the replies attached, as replies. */
async function nodeResults(run: () => Promise<unknown>): Promise<EntryResult[]> {
  try {
    return (await run()) as EntryResult[];
  } catch (error) {
    if (error instanceof Error && Array.isArray((error as { replies?: unknown }).replies)) return (error as unknown as { replies: EntryResult[] }).replies;
    throw error;
  }
}

/** A node-redis client view (standalone or one Sentinel lease). */
export function nodeRedisClientDriver(view: NodeRedisClient): ViewDriver {
  const batch = (list: readonly Argv[]) => {
    const multi = view.multi();
    for (const argv of list) multi.addCommand(wire(argv));
    return multi;
  };
  return {
    send: (argv) => view.sendCommand(wire(argv)),
    pipeline: (list) => nodeResults(() => batch(list).execAsPipeline()),
    multi: (list) => nodeResults(() => batch(list).exec()),
    async subscribe(channel, listener) {
      await view.subscribe(channel, (message: string, ch: string) => listener(ch, message));
    },
    async psubscribe(pattern, listener) {
      await view.pSubscribe(pattern, (message: string, ch: string) => listener(ch, message));
    },
    publish: (channel, message) => view.publish(channel, message),
    async durableSet(key, value, waitMs) {
      return durableCount(await nodeResults(() => batch([['CLIENT', 'ID'], ['SET', key, value], ['WAIT', 1, waitMs], ['CLIENT', 'ID']]).execAsPipeline()));
    },
    async duplicate() {
      const own = view.duplicate();
      own.on('error', () => undefined);
      await own.connect();
      return nodeRedisClientDriver(own);
    },
    async quit() {
      await view.quit();
    },
  };
}

/**
 * A node-redis cluster view. `route` is a key of the worker's slot (its `{w<id>}` tag): commands
 * without keys, and pipelines, go to that slot's master.
 */
export function nodeRedisClusterDriver(view: NodeRedisCluster, route: string): ViewDriver {
  const batch = (list: readonly Argv[]) => {
    const multi = view.multi(route);
    for (const argv of list) multi.addCommand(route, false, wire(argv));
    return multi;
  };
  return {
    send: (argv) => view.sendCommand(route, false, wire(argv)),
    pipeline: (list) => nodeResults(() => batch(list).execAsPipeline()),
    multi: (list) => nodeResults(() => batch(list).exec()),
    async subscribe(channel, listener) {
      await view.subscribe(channel, (message: string, ch: string) => listener(ch, message));
    },
    async psubscribe(pattern, listener) {
      await view.pSubscribe(pattern, (message: string, ch: string) => listener(ch, message));
    },
    publish: (channel, message) => view.publish(channel, message),
    async durableSet(key, value, waitMs) {
      return durableCount(await nodeResults(() => batch([['CLIENT', 'ID'], ['SET', key, value], ['WAIT', 1, waitMs], ['CLIENT', 'ID']]).execAsPipeline()));
    },
    async duplicate() {
      const own = view.duplicate();
      own.on('error', () => undefined);
      await own.connect();
      return nodeRedisClusterDriver(own, route);
    },
    async quit() {
      await (view as unknown as { quit(): Promise<unknown> }).quit();
    },
  };
}

/**
 * A node-redis Sentinel view: commands go to the master the Sentinels name; the durable write
 * runs on a lease of the master (`acquire()`), a connection the view holds alone meanwhile.
 */
export function nodeRedisSentinelDriver(view: NodeRedisSentinel): ViewDriver {
  const batch = (list: readonly Argv[]) => {
    const multi = view.multi();
    for (const argv of list) multi.addCommand(false, wire(argv));
    return multi;
  };
  return {
    send: (argv) => view.sendCommand(false, wire(argv)),
    pipeline: (list) => nodeResults(() => batch(list).execAsPipeline()),
    multi: (list) => nodeResults(() => batch(list).exec()),
    async subscribe(channel, listener) {
      await view.subscribe(channel, (message: string, ch: string) => listener(ch, message));
    },
    async psubscribe(pattern, listener) {
      await view.pSubscribe(pattern, (message: string, ch: string) => listener(ch, message));
    },
    publish: (channel, message) => view.publish(channel, message),
    async durableSet(key, value, waitMs) {
      const lease = await view.acquire();
      try {
        const multi = lease.multi();
        for (const argv of [['CLIENT', 'ID'], ['SET', key, value], ['WAIT', 1, waitMs], ['CLIENT', 'ID']] as const) multi.addCommand(false, wire(argv));
        return durableCount(await nodeResults(() => multi.execAsPipeline()));
      } finally {
        lease.release();
      }
    },
    async duplicate() {
      const own = view.duplicate();
      own.on('error', () => undefined);
      await own.connect();
      return nodeRedisSentinelDriver(own);
    },
    async quit() {
      await view.close();
    },
  };
}
