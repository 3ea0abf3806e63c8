import { createIsolatedRedis } from '../../../src/index.js';
import type { NODE_REDIS_VARIANTS } from '../node-redis-versions.js';
import { attempt, type InterferenceEnv, type StepOutcome, type VictimApi } from './env.js';
import { BLOCKING_ARGV, NAMESPACES, mutateInPlace, type Argv, type BatchEntry, type Step, type TypedName, type VictimName } from './program.js';

type Fn = (...args: unknown[]) => unknown;
type Loose = Record<string, Fn>;
/** A node-redis client or cluster (either major), typed loosely: the harness calls what each has. */
type Client = Loose & { on(event: string, listener: Fn): unknown };

export interface NodeRedisTarget {
  readonly variant: (typeof NODE_REDIS_VARIANTS)[number];
  /** A standalone server's URL, or the ports of a Cluster's masters. */
  readonly url?: string;
  readonly clusterPorts?: readonly number[];
}

/** The routing key of raw commands on a Cluster: the slot of `{t}`, where the attacker's keys and the victims' live. */
const ROUTE = '{t}:a';

/** A neutral typed call, as node-redis's typed methods take it. */
function typedCall(name: TypedName, args: readonly string[]): [string, unknown[]] {
  const [a0, a1, a2] = args;
  switch (name) {
    case 'hset':
      return ['hSet', [a0, a1, a2]];
    case 'hgetall':
      return ['hGetAll', [a0]];
    case 'lpush':
      return ['lPush', [a0, a1]];
    case 'lrange':
      return ['lRange', [a0, 0, -1]];
    case 'scan':
      return ['scan', ['0', { MATCH: a0 }]];
    case 'mget':
      return ['mGet', [[a0, a1]]];
    case 'sadd':
      return ['sAdd', [a0, a1]];
    case 'smembers':
      return ['sMembers', [a0]];
    case 'xadd':
      return ['xAdd', [a0, '*', { f: a1 }]];
    case 'eval':
      return ['eval', ["return redis.call('GET', KEYS[1])", { keys: [a0] }]];
    case 'randomkey':
      return ['randomKey', []];
    case 'flushdb':
      return ['flushDb', []];
    case 'clientList':
      return ['clientList', []];
    case 'clientSetName':
      return ['clientSetName', [a0]];
    case 'clientTracking':
      return ['clientTracking', [true]];
    case 'wait':
      return ['wait', [0, 0]];
    default:
      return [name, [...args]];
  }
}

/** A node-redis client or Cluster (RESP2 or RESP3), and the three views over it. */
export async function createNodeRedisEnv(target: NodeRedisTarget): Promise<InterferenceEnv> {
  const { variant } = target;
  const isCluster = target.clusterPorts !== undefined;
  const raw = (
    isCluster
      ? variant.createCluster({ rootNodes: (target.clusterPorts ?? []).map((port) => ({ url: `redis://127.0.0.1:${port}` })), ...variant.options })
      : variant.createClient({ url: target.url as string, ...variant.options })
  ) as unknown as Client;
  raw.on('error', () => undefined);
  await (raw.connect as Fn)();
  const view = (namespace: string): Client => createIsolatedRedis({ namespace, namespaces: NAMESPACES, client: raw }) as unknown as Client;
  const victims = { celery: view('celery'), journal: view('journal') };
  let attacker = view('mcp2');
  const subscribers: Client[] = [];
  /** Raw clients of every master (the client itself when standalone). */
  const masters = async (): Promise<Client[]> =>
    isCluster ? Promise.all((raw.masters as unknown as unknown[]).map((m) => (raw.nodeClient as Fn)(m) as Promise<Client>)) : [raw];

  /** `sendCommand` with the Cluster's routing arguments where there are some. */
  const send = (client: Client, args: unknown[]): unknown => (isCluster ? client.sendCommand?.(ROUTE, false, args) : client.sendCommand?.(args));
  const addCommand = (multi: Loose, args: Argv): unknown => (isCluster ? multi.addCommand?.(ROUTE, false, [...args]) : multi.addCommand?.([...args]));

  const victimApi = (v: Client): VictimApi => ({
    set: async (k, value) => v.set?.(k, value),
    get: async (k) => v.get?.(k),
    del: async (k) => v.del?.(k),
    lpush: async (k, value) => v.lPush?.(k, value),
    lrange: async (k, start, stop) => v.lRange?.(k, start, stop),
    incr: async (k) => v.incr?.(k),
    publish: async (channel, message) => v.publish?.(channel, message),
  });

  const runBatch = (a: Client, step: Extract<Step, { kind: 'batch' }>): Promise<unknown> =>
    attempt(() => {
      const multi = (a.multi as Fn)() as Loose;
      for (const entry of step.entries) {
        const result = addEntry(a, multi, entry, step.form === 'array');
        if (result instanceof Promise) result.catch(() => undefined);
      }
      return (multi[step.exec] as Fn)();
    });

  /** One entry: typed (chained form), `addCommand` (array form, raw lines, frames), WATCH/UNWATCH/EXEC as methods. */
  const addEntry = (a: Client, multi: Loose, entry: BatchEntry, arrayForm: boolean): unknown => {
    if (entry.kind === 'raw') return addCommand(multi, entry.argv);
    if (entry.kind === 'typed') {
      if (arrayForm) return addCommand(multi, [entry.name.toUpperCase(), ...entry.args]);
      const [method, args] = typedCall(entry.name, entry.args);
      return (multi[method] as Fn).apply(multi, args);
    }
    const frame = [entry.frame.toUpperCase(), ...(entry.frame === 'watch' ? ['{t}:a'] : [])];
    if (entry.via === 'call') return addCommand(multi, frame);
    // WATCH/UNWATCH on the view while the transaction is being built; EXEC mid-chain; MULTI/DISCARD have no method.
    if (entry.frame === 'watch') return (a.watch as Fn)('{t}:a');
    if (entry.frame === 'unwatch') return (a.unwatch as Fn)();
    if (entry.frame === 'exec') return (multi.exec as Fn)();
    return addCommand(multi, frame);
  };

  const runStep = async (step: Step, heard: (channel: string, message: string) => void): Promise<StepOutcome> => {
    const a = attacker;
    const replies: unknown[] = [];
    const settle = async (promise: Promise<unknown>): Promise<void> => {
      try {
        replies.push(await promise);
      } catch {
        // The attacker may be refused or get a server error: expected.
      }
    };
    const listener = (message: unknown, channel: unknown): void => heard(String(channel), String(message));
    switch (step.kind) {
      case 'typed': {
        const [method, args] = typedCall(step.name, step.args);
        await settle(attempt(() => (a[method] as Fn).apply(a, args)));
        break;
      }
      case 'raw':
        await settle(attempt(() => send(a, step.buffers ? step.argv.map((arg) => Buffer.from(arg)) : [...step.argv])));
        break;
      case 'mutated': {
        const args: unknown[] = step.buffers ? step.argv.map((arg) => Buffer.from(arg)) : [...step.argv];
        const promise = attempt(() => send(a, args));
        mutateInPlace(args, step.into);
        await settle(promise);
        break;
      }
      case 'batch':
        await settle(runBatch(a, step));
        break;
      case 'subscribe': {
        const targets = step.targets.length > 0 ? [...step.targets] : undefined;
        if (step.op === 'subscribe') await settle(attempt(() => (a.subscribe as Fn)(targets ?? [], listener)));
        else if (step.op === 'psubscribe') await settle(attempt(() => (a.pSubscribe as Fn)(targets ?? [], listener)));
        else if (step.op === 'unsubscribe') await settle(attempt(() => (a.unsubscribe as Fn)(targets)));
        else await settle(attempt(() => (a.pUnsubscribe as Fn)(targets)));
        break;
      }
      case 'blocking': {
        if (!step.typed) await settle(attempt(() => send(a, [...BLOCKING_ARGV[step.command]])));
        else if (step.command === 'blpop') await settle(attempt(() => (a.blPop as Fn)('{t}:q', 0.05)));
        else await settle(attempt(() => (a.xRead as Fn)({ key: '{t}:x', id: '$' }, { BLOCK: 50 })));
        break;
      }
      case 'close':
        await settle(attempt(() => (a[step.method] as Fn)()));
        break;
    }
    return { replies };
  };

  return {
    cluster: isCluster,
    victim: (name: VictimName) => victimApi(victims[name]),
    async subscribeVictim(name, channel, listener) {
      const sub = (victims[name].duplicate as Fn)() as Client;
      sub.on('error', () => undefined);
      subscribers.push(sub);
      await (sub.connect as Fn)();
      await (sub.subscribe as Fn)(channel, (message: unknown, ch: unknown) => listener(String(ch), String(message)));
      return async () => {
        (sub.destroy as Fn)();
      };
    },
    runStep,
    async resetAttacker() {
      const old = attacker;
      attacker = view('mcp2');
      await attempt(() => (old.close as Fn)()).catch(() => undefined);
    },
    async rawPing() {
      for (const master of await masters()) await (master.ping as Fn)();
      return 'PONG';
    },
    rawGet: async (k) => raw.get?.(k),
    rawSet: async (k, value) => raw.set?.(k, value),
    async rawKeys() {
      const keys: string[] = [];
      for (const master of await masters()) {
        let cursor = '0';
        do {
          const [next, batch] = (await (master.sendCommand as Fn)(['SCAN', cursor, 'COUNT', '1000'])) as [string, string[]];
          cursor = String(next);
          keys.push(...batch.map(String));
        } while (cursor !== '0');
      }
      return keys;
    },
    async rawFlush() {
      for (const master of await masters()) await (master.flushAll as Fn)();
    },
    async close() {
      for (const sub of subscribers) attempt(() => (sub.destroy as Fn)()).catch(() => undefined);
      await attempt(() => (raw.destroy as Fn)()).catch(() => undefined);
    },
  };
}
