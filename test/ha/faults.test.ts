import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CommandTimeoutError, createIsolatedRedis, type CommandEvent, type IsolationEvents, type PressureEvent, type TimeoutEvent } from '../../src/index.js';
import { IOREDIS_VERSIONS } from '../support/ioredis-versions.js';
import { NODE_REDIS_VERSIONS } from '../support/node-redis-versions.js';
import { infoFields, redisCommand, startRedisServer, waitUntil, type RunningRedis } from '../support/redis-server.js';
import { expectPrefixedOnce, keysOn, publishUntil } from './helpers.js';

const namespaces = ['a', 'b'];
type Namespace = 'a' | 'b';

// Restarts, pauses and OOM stop the whole server: this file has one of its own. Every write is on
// disk before it is answered (appendfsync always): a write answered before a SIGKILL survives it.
let server: RunningRedis;
beforeAll(async () => {
  server = await startRedisServer(['--appendonly', 'yes', '--appendfsync', 'always', '--busy-reply-threshold', '100']);
});
afterAll(async () => {
  await server?.stop();
});

/** One command of a batch, as it settled. */
type Settled = { ok: true; value: unknown } | { ok: false; error: Error };
/** A batch as it settled: the whole rejected, or each command's outcome. */
type BatchOutcome = { rejected: Error } | { replies: Settled[] };

/** What the tests do through views `a` and `b` over one shared raw client, whichever the driver. */
interface Shared {
  events(namespace: Namespace): IsolationEvents;
  incr(namespace: Namespace, key: string): Promise<unknown>;
  get(namespace: Namespace, key: string): Promise<unknown>;
  /** A pipeline: `before` INCRs, a BLPOP of `gate` with no timeout, `after` INCRs. */
  gatedPipeline(namespace: Namespace, before: readonly string[], gate: string, after: readonly string[]): Promise<BatchOutcome>;
  /** A MULTI of one INCR per key. */
  transaction(namespace: Namespace, keys: readonly string[]): Promise<BatchOutcome>;
  /** A pipeline of SET, INCR and GET commands. */
  pipeline(namespace: Namespace, commands: ReadonlyArray<readonly ['set', string, string] | readonly ['incr' | 'get', string]>): Promise<BatchOutcome>;
  /** BLPOP, as `[key, element]` or null. */
  blpop(namespace: Namespace, key: string, seconds: number): Promise<[string, string] | null>;
  subscribe(namespace: Namespace, channel: string, listener: (message: string, channel: string) => void): Promise<unknown>;
  unsubscribe(namespace: Namespace): Promise<unknown>;
  /** Views with `commandTimeoutMs`, over the same client. */
  timed(commandTimeoutMs: number): Pick<Shared, 'incr' | 'get' | 'pipeline' | 'events'>;
  close(): Promise<void>;
}

const settle = <T>(promise: Promise<T>): Promise<Settled> => promise.then((value) => ({ ok: true as const, value }), (error: Error) => ({ ok: false as const, error }));
const outcome = async (batch: Promise<Array<[Error | null, unknown]> | null>): Promise<BatchOutcome> => {
  try {
    const replies = await batch;
    return { replies: (replies ?? []).map(([error, value]) => (error ? { ok: false as const, error } : { ok: true as const, value })) };
  } catch (error) {
    return { rejected: error as Error };
  }
};
const nodeOutcome = async (batch: Promise<unknown[]>): Promise<BatchOutcome> => {
  try {
    return { replies: (await batch).map((value) => ({ ok: true as const, value })) };
  } catch (error) {
    return { rejected: error as Error };
  }
};

const drivers: Array<{ name: string; open(): Promise<Shared> }> = [
  ...IOREDIS_VERSIONS.map(({ name, Redis }) => ({
    name,
    async open(): Promise<Shared> {
      const raw = new Redis(server.url, { retryStrategy: () => 50 });
      raw.on('error', () => undefined);
      const make = (extra: { commandTimeoutMs?: number } = {}) => ({
        a: createIsolatedRedis({ namespace: 'a', namespaces, client: raw, ...extra }),
        b: createIsolatedRedis({ namespace: 'b', namespaces, client: raw, ...extra }),
      });
      const views = make();
      const ops = (v: ReturnType<typeof make>): Pick<Shared, 'incr' | 'get' | 'pipeline' | 'events'> => ({
        events: (ns) => v[ns].isolation.events,
        incr: (ns, key) => v[ns].incr(key),
        get: (ns, key) => v[ns].get(key),
        pipeline: (ns, commands) => {
          const pipeline = v[ns].pipeline();
          for (const [command, ...args] of commands) pipeline.call(command, ...args);
          return outcome(pipeline.exec());
        },
      });
      return {
        ...ops(views),
        gatedPipeline: (ns, before, gate, after) => {
          const pipeline = views[ns].pipeline();
          for (const key of before) pipeline.incr(key);
          pipeline.blpop(gate, 0);
          for (const key of after) pipeline.incr(key);
          return outcome(pipeline.exec());
        },
        transaction: (ns, keys) => {
          const multi = views[ns].multi();
          for (const key of keys) multi.incr(key);
          return outcome(multi.exec());
        },
        blpop: (ns, key, seconds) => views[ns].blpop(key, seconds),
        subscribe: (ns, channel, listener) => {
          views[ns].on('message', (received: string, message: string) => listener(message, received));
          return views[ns].subscribe(channel);
        },
        unsubscribe: (ns) => views[ns].unsubscribe(),
        timed: (commandTimeoutMs) => ops(make({ commandTimeoutMs })),
        close: async () => {
          await Promise.all([views.a.quit(), views.b.quit()].map((done) => done.catch(() => undefined)));
          raw.disconnect();
        },
      };
    },
  })),
  ...NODE_REDIS_VERSIONS.map(({ name, createClient }) => ({
    name,
    async open(): Promise<Shared> {
      const raw = createClient({ url: server.url, socket: { reconnectStrategy: () => 50 } });
      raw.on('error', () => undefined);
      await raw.connect();
      const make = (extra: { commandTimeoutMs?: number } = {}) => ({
        a: createIsolatedRedis({ namespace: 'a', namespaces, client: raw, ...extra }),
        b: createIsolatedRedis({ namespace: 'b', namespaces, client: raw, ...extra }),
      });
      const views = make();
      const ops = (v: ReturnType<typeof make>): Pick<Shared, 'incr' | 'get' | 'pipeline' | 'events'> => ({
        events: (ns) => v[ns].isolation.events,
        incr: (ns, key) => v[ns].incr(key),
        get: (ns, key) => v[ns].get(key),
        pipeline: (ns, commands) => {
          const multi = v[ns].multi();
          for (const [command, key, value] of commands) {
            if (command === 'set') multi.set(key, value as string);
            else if (command === 'incr') multi.incr(key);
            else multi.get(key);
          }
          return nodeOutcome(multi.execAsPipeline());
        },
      });
      return {
        ...ops(views),
        gatedPipeline: (ns, before, gate, after) => {
          const multi = views[ns].multi();
          for (const key of before) multi.incr(key);
          multi.blPop(gate, 0);
          for (const key of after) multi.incr(key);
          return nodeOutcome(multi.execAsPipeline());
        },
        transaction: (ns, keys) => {
          const multi = views[ns].multi();
          for (const key of keys) multi.incr(key);
          return nodeOutcome(multi.exec());
        },
        blpop: async (ns, key, seconds) => {
          const popped = await views[ns].blPop(key, seconds);
          return popped === null ? null : [popped.key, popped.element];
        },
        subscribe: (ns, channel, listener) => views[ns].subscribe(channel, listener),
        unsubscribe: (ns) => views[ns].unsubscribe(),
        timed: (commandTimeoutMs) => ops(make({ commandTimeoutMs })),
        close: async () => {
          await Promise.all([views.a.quit(), views.b.quit()].map((done) => done.catch(() => undefined)));
          if (raw.isOpen) raw.destroy();
        },
      };
    },
  })),
];

const blockedClients = async (): Promise<number> => Number(infoFields(await redisCommand(server.port, 'INFO', 'clients')).get('blocked_clients'));
const valueOf = async (key: string): Promise<number> => Number((await redisCommand(server.port, 'GET', key)) ?? 0);
/** A read-only script that keeps the server busy for `ms` (BUSY for every other client after busy-reply-threshold). */
const BUSY_SCRIPT =
  "local s = redis.call('TIME') local start = s[1] * 1000 + s[2] / 1000 " +
  "while true do local t = redis.call('TIME') if t[1] * 1000 + t[2] / 1000 - start > tonumber(ARGV[1]) then break end end return 1";

describe.each(drivers)('$name, faults under views of a shared client', (driver) => {
  let shared: Shared;
  beforeEach(async () => {
    await redisCommand(server.port, 'FLUSHALL');
    shared = await driver.open();
  });
  afterEach(async () => {
    await shared.close();
    await redisCommand(server.port, 'CONFIG', 'SET', 'maxmemory', '0').catch(() => undefined);
  });

  it('restarted mid-pipeline: the batch settles, what ran before the cut is applied once, the rest at most once', async () => {
    const commands: CommandEvent[] = [];
    shared.events('a').on('command', (event) => commands.push(event));
    const before = ['c0', 'c1', 'c2', 'c3'];
    const after = ['c4', 'c5', 'c6', 'c7'];
    const batch = shared.gatedPipeline('a', before, 'gate', after);
    await waitUntil('the pipeline to block at its BLPOP', async () => ((await blockedClients()) === 1 ? true : undefined));
    await server.restart({ signal: 'SIGKILL', downMs: 100 });
    // A driver that resends the rest of the pipeline gets its BLPOP answered.
    await waitUntil('the gate opened', async () => ((await redisCommand(server.port, 'RPUSH', 'a:gate', 'open')) !== undefined ? true : undefined));
    const settled = await batch;
    // The view works again (the driver reconnected).
    await waitUntil('the view to answer again', async () => ((await settle(shared.incr('a', 'later'))).ok ? true : undefined), 10_000);

    for (const key of before) expect(await valueOf(`a:${key}`)).toBe(1);
    // What was cut off: never applied twice; applied once where the driver resent it and answered.
    for (const [i, key] of after.entries()) {
      const reply = 'replies' in settled ? settled.replies[before.length + 1 + i] : undefined;
      expect(await valueOf(`a:${key}`)).toBe(reply?.ok === true ? 1 : 0);
    }
    expectPrefixedOnce(await keysOn(server.port), namespaces);
    const pipelines = commands.filter((event) => event.command === 'pipeline');
    expect(pipelines).toHaveLength(1);
    expect(pipelines[0]?.ok).toBe(!('rejected' in settled));
  });

  it('restarted mid-MULTI: the transaction is applied whole or not at all, never twice', async () => {
    const commands: CommandEvent[] = [];
    shared.events('a').on('command', (event) => commands.push(event));
    const keys = ['m0', 'm1', 'm2'];
    // Writes paused: the server takes MULTI and holds the first INCR, the rest unread.
    await redisCommand(server.port, 'CLIENT', 'PAUSE', 10_000, 'WRITE');
    const transaction = shared.transaction('a', keys);
    await waitUntil('the transaction to be open on the server', async () => (/ flags=[A-Za-z]*x/.test(String(await redisCommand(server.port, 'CLIENT', 'LIST'))) ? true : undefined));
    await server.restart({ signal: 'SIGKILL', downMs: 100 });
    const settled = await transaction;
    await waitUntil('the view to answer again', async () => ((await settle(shared.incr('a', 'later'))).ok ? true : undefined), 10_000);

    const values = await Promise.all(keys.map((key) => valueOf(`a:${key}`)));
    expect(new Set(values).size).toBe(1);
    expect(values[0]).toBeLessThanOrEqual(1);
    expectPrefixedOnce(await keysOn(server.port), namespaces);
    const multis = commands.filter((event) => event.command === 'multi');
    expect(multis).toHaveLength(1);
    expect(multis[0]?.ok).toBe(!('rejected' in settled));
  });

  it('connection killed under a blocking command: it settles, the element is popped once, the view blocks again', async () => {
    const popped = settle(shared.blpop('a', 'q', 5));
    await waitUntil('the BLPOP to block', async () => ((await blockedClients()) === 1 ? true : undefined));
    const blocked = /id=(\d+) [^\n]* cmd=blpop/.exec(String(await redisCommand(server.port, 'CLIENT', 'LIST')))?.[1];
    expect(await redisCommand(server.port, 'CLIENT', 'KILL', 'ID', String(blocked))).toBe(1);
    await redisCommand(server.port, 'RPUSH', 'a:q', 'job');
    const first = await popped;
    // ioredis sends the BLPOP again on the new connection; node-redis fails it.
    if (first.ok) expect(first.value).toEqual(['q', 'job']);
    else expect(await shared.blpop('a', 'q', 5)).toEqual(['q', 'job']);
    expect(await redisCommand(server.port, 'LLEN', 'a:q')).toBe(0);
    await redisCommand(server.port, 'RPUSH', 'a:q', 'second');
    expect(await shared.blpop('a', 'q', 5)).toEqual(['q', 'second']);
  });

  it('subscriber connection killed: the subscriptions come back, each view hearing its own channels', async () => {
    const heard: Record<Namespace, string[][]> = { a: [], b: [] };
    await shared.subscribe('a', 'ch', (message, channel) => heard.a.push([message, channel]));
    await shared.subscribe('b', 'ch', (message, channel) => heard.b.push([message, channel]));
    expect(await redisCommand(server.port, 'CLIENT', 'KILL', 'TYPE', 'pubsub')).toBeGreaterThan(0);
    await publishUntil(() => redisCommand(server.port, 'PUBLISH', 'a:ch', 'for a'), () => heard.a.length > 0, 'a message to a after the kill');
    await publishUntil(() => redisCommand(server.port, 'PUBLISH', 'b:ch', 'for b'), () => heard.b.length > 0, 'a message to b after the kill');
    for (const message of heard.a) expect(message).toEqual(['for a', 'ch']);
    for (const message of heard.b) expect(message).toEqual(['for b', 'ch']);
    await shared.unsubscribe('a');
    await shared.unsubscribe('b');
  });

  it('OOM inside a pipeline: each write fails with it, nothing is written, the pressure is reported', async () => {
    const pressure: PressureEvent[] = [];
    shared.events('a').on('pressure', (event) => pressure.push(event));
    await shared.pipeline('a', [['set', 'k', 'v']]);
    await redisCommand(server.port, 'CONFIG', 'SET', 'maxmemory', '1');
    const settled = await shared.pipeline('a', [
      ['get', 'k'],
      ['set', 'x', '1'],
      ['incr', 'n'],
    ]);
    if ('rejected' in settled) expect(settled.rejected.message).toMatch(/^OOM/);
    else expect(settled.replies.map((reply) => (reply.ok ? reply.value : reply.error.message.slice(0, 3)))).toEqual(['v', 'OOM', 'OOM']);
    await redisCommand(server.port, 'CONFIG', 'SET', 'maxmemory', '0');
    expect(await keysOn(server.port)).toEqual(['a:k']);
    expect(pressure.map((event) => [event.signal, event.level, event.error?.message.slice(0, 3)])).toEqual([['error-reply', 'critical', 'OOM']]);
  });

  it('BUSY inside a pipeline: each command fails with it, nothing is written, the pressure is reported', async () => {
    const pressure: PressureEvent[] = [];
    shared.events('a').on('pressure', (event) => pressure.push(event));
    const script = redisCommand(server.port, 'EVAL', BUSY_SCRIPT, 0, 600);
    await waitUntil('the server to answer BUSY', async () => (await redisCommand(server.port, 'PING').then(() => undefined, (error: Error) => (/BUSY/.test(error.message) ? true : undefined))));
    const settled = await shared.pipeline('a', [
      ['set', 'x', '1'],
      ['incr', 'n'],
      ['get', 'x'],
    ]);
    if ('rejected' in settled) expect(settled.rejected.message).toMatch(/^BUSY/);
    else expect(settled.replies.map((reply) => (reply.ok ? reply.value : reply.error.message.slice(0, 4)))).toEqual(['BUSY', 'BUSY', 'BUSY']);
    await script;
    expect(await keysOn(server.port)).toEqual([]);
    expect(pressure.map((event) => [event.signal, event.level, event.error?.message.slice(0, 4)])).toEqual([['error-reply', 'warn', 'BUSY']]);
    // The connection is in step after the errors.
    expect(await shared.incr('a', 'n')).toBe(1);
  });

  it('stalled by CLIENT PAUSE with commandTimeoutMs: every command times out once, is applied once, replies stay in step', async () => {
    const timed = shared.timed(150);
    const timeouts: TimeoutEvent[] = [];
    timed.events('a').on('timeout', (event) => timeouts.push(event));
    timed.events('b').on('timeout', (event) => timeouts.push(event));
    await redisCommand(server.port, 'CLIENT', 'PAUSE', 600, 'ALL');
    const [incrA, incrB, pipeline] = await Promise.all([
      settle(timed.incr('a', 'p')),
      settle(timed.incr('b', 'p')),
      timed.pipeline('a', [
        ['incr', 'p'],
        ['get', 'p'],
      ]),
    ]);
    for (const result of [incrA, incrB]) expect(result.ok ? undefined : result.error).toBeInstanceOf(CommandTimeoutError);
    expect('rejected' in pipeline ? pipeline.rejected : undefined).toBeInstanceOf(CommandTimeoutError);
    expect(timeouts.map((event) => `${event.namespace} ${event.command} ${event.kind}`).sort()).toEqual(['a incr command', 'a pipeline command', 'b incr command']);
    // Once the pause is over, the late replies are read and dropped, the next ones reach their callers.
    await waitUntil('the pause to end', async () => ((await redisCommand(server.port, 'PING')) === 'PONG' ? true : undefined));
    expect(await timed.get('a', 'p')).toBe('2');
    expect(await timed.get('b', 'p')).toBe('1');
    expect(await shared.incr('b', 'p')).toBe(2);
  });
});
