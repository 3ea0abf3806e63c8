import type { Redis } from 'ioredis';
import { createIsolatedRedis } from '../../../src/index.js';
import type { IoredisVersion } from '../ioredis-versions.js';
import { attempt, type InterferenceEnv, type StepOutcome, type VictimApi } from './env.js';
import { BLOCKING_ARGV, NAMESPACES, mutateInPlace, type BatchEntry, type Step, type TypedName, type VictimName } from './program.js';

/** ioredis's Redis and Cluster as the harness drives them (both have this surface). */
type Client = Redis;
type Fn = (...args: unknown[]) => unknown;
type Loose = Record<string, Fn>;

export interface IoredisTarget {
  readonly version: IoredisVersion;
  readonly protocol: 2 | 3;
  /** A standalone server's URL, or the ports of a Cluster's masters. */
  readonly url?: string;
  readonly clusterPorts?: readonly number[];
}

/** Typed method and arguments of a neutral typed call, as ioredis spells them. */
function typedCall(name: TypedName, args: readonly string[]): [string, unknown[]] {
  switch (name) {
    case 'scan':
      return ['scan', ['0', 'MATCH', args[0]]];
    case 'xadd':
      return ['xadd', [args[0], '*', 'f', args[1]]];
    case 'eval':
      return ['eval', ["return redis.call('GET', KEYS[1])", 1, args[0]]];
    case 'clientList':
      return ['client', ['LIST']];
    case 'clientSetName':
      return ['client', ['SETNAME', ...args]];
    case 'clientTracking':
      return ['client', ['TRACKING', 'on']];
    case 'wait':
      return ['wait', [0, 0]];
    default:
      return [name, [...args]];
  }
}


const FRAME_ARGS: Readonly<Record<string, readonly string[]>> = { watch: ['{t}:a'] };

/** An ioredis Redis or Cluster (RESP2, or RESP3 with ioredis 6), and the three views over it. */
export async function createIoredisEnv(target: IoredisTarget): Promise<InterferenceEnv> {
  const { Redis, Cluster } = target.version;
  // ioredis 5's types have no `protocol`: only ioredis 6 variants set it.
  const protocolOptions = (target.protocol === 3 ? { protocol: 3 } : {}) as Record<string, never>;
  const raw: Client = target.clusterPorts
    ? (new Cluster(
        target.clusterPorts.map((port) => ({ host: '127.0.0.1', port })),
        { redisOptions: protocolOptions },
      ) as unknown as Client)
    : new Redis(target.url as string, protocolOptions);
  raw.on('error', () => undefined);
  await raw.ping();
  const view = (namespace: string): Client => createIsolatedRedis({ namespace, namespaces: NAMESPACES, client: raw });
  const victims = { celery: view('celery'), journal: view('journal') };
  let attacker = view('mcp2');
  let listening = false;
  const subscribers: Client[] = [];
  const masters = (): Client[] => (target.clusterPorts ? (raw as unknown as { nodes(role: string): Client[] }).nodes('master') : [raw]);

  const victimApi = (v: Client): VictimApi => ({
    set: (k, value) => v.set(k, value),
    get: (k) => v.get(k),
    del: (k) => v.del(k),
    lpush: (k, value) => v.lpush(k, value),
    lrange: (k, start, stop) => v.lrange(k, start, stop),
    incr: (k) => v.incr(k),
    publish: (channel, message) => v.publish(channel, message),
  });

  const runBatch = (a: Client, step: Extract<Step, { kind: 'batch' }>): Promise<unknown> => {
    const open = (a as unknown as Loose)[step.batch] as Fn;
    const inline = { open: 0 };
    const entries = step.entries.map((entry) => entryArgs(entry, step.batch, inline) as [string, ...unknown[]]);
    if (step.form === 'array') return attempt(() => ((open.call(a, entries) as Loose).exec as Fn)());
    return attempt(() => {
      const batch = open.call(a) as Loose;
      for (const entry of entries) chain(batch, entry);
      return (batch.exec as Fn).call(batch);
    });
  };

  const runStep = async (step: Step, heard: (channel: string, message: string) => void): Promise<StepOutcome> => {
    const a = attacker;
    const loose = a as unknown as Loose;
    const replies: unknown[] = [];
    const settle = async (promise: Promise<unknown>): Promise<void> => {
      try {
        replies.push(await promise);
      } catch {
        // The attacker may be refused or get a server error: expected.
      }
    };
    switch (step.kind) {
      case 'typed': {
        const [method, args] = typedCall(step.name, step.args);
        await settle(attempt(() => (loose[method] as Fn).apply(a, args)));
        break;
      }
      case 'raw': {
        // Any spelling: raw ioredis follows subscriber mode by lower-case names only (an upper-case
        // SUBSCRIBE crashes its reply parser), a view normalises the names it routes. A bare
        // UNSUBSCRIBE, which raw ioredis never settles while a subscription of another kind remains,
        // must settle on a view.
        const [name, ...rest] = step.argv as [string, ...string[]];
        await settle(attempt(() => (step.buffers ? a.callBuffer(name, ...rest.map((arg) => Buffer.from(arg))) : a.call(name, ...rest))));
        break;
      }
      case 'mutated': {
        const [name, ...rest] = step.argv;
        const args: unknown[] = step.buffers ? rest.map((arg) => Buffer.from(arg)) : [...rest];
        const promise = attempt(() => a.call(name as string, args as string[]));
        mutateInPlace(args, step.into.slice(1));
        await settle(promise);
        break;
      }
      case 'batch':
        await settle(runBatch(a, step));
        break;
      case 'subscribe': {
        if (!listening) {
          listening = true;
          a.on('message', (channel: string, message: string) => heard(channel, message));
          a.on('pmessage', (_pattern: string, channel: string, message: string) => heard(channel, message));
        }
        // Without channels too: raw ioredis never settles that on a connection holding only the
        // other kind of subscription; a view ends its own subscriptions and settles.
        await settle(attempt(() => (loose[step.op] as Fn).apply(a, [...step.targets])));
        break;
      }
      case 'blocking': {
        const argv = BLOCKING_ARGV[step.command];
        const [name, ...rest] = argv;
        if (!step.typed) await settle(attempt(() => a.call(name as string, ...rest)));
        else if (step.command === 'blpop') await settle(attempt(() => a.blpop('{t}:q', 0.05)));
        else await settle(attempt(() => a.xread('BLOCK', 50, 'STREAMS', '{t}:x', '$')));
        break;
      }
      case 'close': {
        const method = step.method === 'close' ? 'quit' : step.method === 'destroy' ? 'disconnect' : step.method;
        await settle(attempt(() => (loose[method] as Fn).call(a)));
        break;
      }
    }
    return { replies };
  };

  return {
    cluster: target.clusterPorts !== undefined,
    victim: (name: VictimName) => victimApi(victims[name]),
    async subscribeVictim(name, channel, listener) {
      const sub = victims[name].duplicate();
      sub.on('error', () => undefined);
      subscribers.push(sub);
      sub.on('message', (ch: string, message: string) => listener(ch, message));
      await sub.subscribe(channel);
      return async () => {
        sub.disconnect();
      };
    },
    runStep,
    async resetAttacker() {
      const old = attacker;
      listening = false;
      attacker = view('mcp2');
      await old.quit().catch(() => undefined);
      old.removeAllListeners();
    },
    rawPing: () => (target.clusterPorts ? Promise.all(masters().map((m) => m.ping())) : raw.ping()),
    rawGet: (k) => raw.get(k),
    rawSet: (k, value) => raw.set(k, value),
    async rawKeys() {
      const keys: string[] = [];
      for (const master of masters()) {
        let cursor = '0';
        do {
          const [next, batch] = await master.scan(cursor, 'COUNT', 1000);
          cursor = next;
          keys.push(...batch);
        } while (cursor !== '0');
      }
      return keys;
    },
    async rawFlush() {
      await Promise.all(masters().map((m) => m.flushall()));
    },
    async close() {
      for (const sub of subscribers) sub.disconnect();
      attacker.disconnect();
      raw.disconnect();
    },
  };
}

/**
 * A batch entry as `[method, ...args]`, for the array form and the chained one alike. A frame
 * `via: 'method'` uses the batch's own `multi()` / `exec()` only where ioredis defines them (an
 * inline transaction opened in a pipeline, and its closing `exec()`): elsewhere raw ioredis
 * itself throws or leaves rejections unhandled, so the frame goes through `call` instead.
 */
function entryArgs(entry: BatchEntry, batch: 'pipeline' | 'multi', inline: { open: number }): unknown[] {
  if (entry.kind === 'typed') {
    const [method, args] = typedCall(entry.name, entry.args);
    return [method, ...args];
  }
  if (entry.kind === 'raw') {
    const [name, ...rest] = entry.argv;
    return ['call', name, ...rest];
  }
  const args = FRAME_ARGS[entry.frame] ?? [];
  if (entry.via === 'method' && entry.frame === 'multi' && batch === 'pipeline') {
    inline.open++;
    return ['multi'];
  }
  if (entry.via === 'method' && entry.frame === 'exec' && inline.open > 0) {
    inline.open--;
    return ['exec'];
  }
  if (entry.via === 'method' && (entry.frame === 'watch' || entry.frame === 'unwatch' || entry.frame === 'discard')) return [entry.frame, ...args];
  return ['call', entry.frame, ...args];
}

/** Adds one entry to a chained pipeline or MULTI. */
function chain(batch: Loose, entry: [string, ...unknown[]]): void {
  const [method, ...args] = entry;
  const result = (batch[method] as Fn).apply(batch, args);
  // An inline transaction's `exec()` returns a promise of its own: its outcome is the attacker's.
  if (result instanceof Promise) result.catch(() => undefined);
}
