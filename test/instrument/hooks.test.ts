import diagnostics from 'node:diagnostics_channel';
import RedisMock from 'ioredis-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  COMMAND_CHANNEL,
  type IsolationEvents,
  CrossNamespaceError,
  createIsolatedRedis,
  type CommandEvent,
  type CommandTraceContext,
  type InstrumentationHooks,
  type RejectedEvent,
} from '../../src/index.js';
import { IOREDIS_VERSIONS } from '../support/ioredis-versions.js';
import { NODE_REDIS_VERSIONS } from '../support/node-redis-versions.js';
import { startRedisServer, type RunningRedis } from '../support/redis-server.js';

const namespaces = ['mcp2', 'celery'];
let server: RunningRedis;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server.stop();
});

/** The surface the hook tests use, which both drivers' isolated clients have (names differ). */
interface Driver {
  readonly name: string;
  open(hooks: InstrumentationHooks): Promise<{
    set(key: string, value: string): Promise<unknown>;
    get(key: string): Promise<unknown>;
    mset(pairs: Record<string, string>): Promise<unknown>;
    pipelineSetGet(key: string): Promise<unknown>;
    events: IsolationEvents;
    close(): Promise<void>;
  }>;
}

const drivers: Driver[] = [
  ...IOREDIS_VERSIONS.map(({ name, Redis }) => ({
    name,
    async open(hooks: InstrumentationHooks) {
      const raw = new Redis(`${server.url}/1`);
      const redis = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: raw, hooks });
      return {
        set: (k: string, v: string) => redis.set(k, v),
        get: (k: string) => redis.get(k),
        mset: (pairs: Record<string, string>) => redis.mset(pairs),
        pipelineSetGet: (k: string) => redis.pipeline().set(k, 'p').get(k).exec(),
        events: redis.isolation.events,
        close: async () => void raw.disconnect(),
      };
    },
  })),
  ...NODE_REDIS_VERSIONS.map(({ name, createClient }) => ({
    name,
    async open(hooks: InstrumentationHooks) {
      const raw = createClient({ url: `${server.url}/2` });
      await raw.connect();
      const redis = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: raw, hooks });
      return {
        set: (k: string, v: string) => redis.set(k, v),
        get: (k: string) => redis.get(k),
        mset: (pairs: Record<string, string>) => redis.mSet(pairs),
        pipelineSetGet: (k: string) => redis.multi().set(k, 'p').get(k).execAsPipeline(),
        events: redis.isolation.events,
        close: async () => void (await raw.close()),
      };
    },
  })),
];

describe.each(drivers)('$name', (driver) => {
  it('calls onCommand after every command, with the namespace, the command, its key count and its outcome', async () => {
    const seen: CommandEvent[] = [];
    const client = await driver.open({ onCommand: (event) => seen.push(event) });
    try {
      await client.set('a', '1');
      await client.mset({ b: '2', c: '3' });
      expect(await client.get('a')).toBe('1');
      await client.pipelineSetGet('p');
      expect(seen.map(({ command, keys, ok }) => ({ command, keys, ok }))).toEqual([
        { command: 'set', keys: 1, ok: true },
        { command: 'mset', keys: 2, ok: true },
        { command: 'get', keys: 1, ok: true },
        { command: 'pipeline', keys: 2, ok: true },
      ]);
      for (const event of seen) {
        expect(event.namespace).toBe('mcp2');
        expect(event.durationMs).toBeGreaterThanOrEqual(0);
      }
    } finally {
      await client.close();
    }
  });

  it('calls onRejected for every refusal, emits on isolation.events, and survives throwing hooks', async () => {
    const rejected: RejectedEvent[] = [];
    const emitted: string[] = [];
    const client = await driver.open({
      onRejected: (event) => {
        rejected.push(event);
        throw new Error('a broken hook');
      },
      onCommand: () => {
        throw new Error('another broken hook');
      },
    });
    const listener = (event: CommandEvent): void => void emitted.push(event.command);
    client.events.on('command', listener);
    client.events.on('rejected', () => {
      throw new Error('a broken listener');
    });
    try {
      await expect(client.get('celery:task')).rejects.toBeInstanceOf(CrossNamespaceError);
      expect(rejected).toEqual([expect.objectContaining({ namespace: 'mcp2', command: 'get', code: 'ERR_CROSS_NAMESPACE', key: 'celery:task' })]);
      expect(await client.set('ok', 'still works')).toBe('OK');
      expect(emitted).toEqual(['set']);
      client.events.off('command', listener);
      await client.get('ok');
      expect(emitted).toEqual(['set']);
    } finally {
      await client.close();
    }
  });

  it(`publishes each command on the ${COMMAND_CHANNEL} TracingChannel with its namespace`, async () => {
    const channel = diagnostics.tracingChannel(COMMAND_CHANNEL);
    const seen: Array<[string, string, string]> = [];
    const handlers = {
      start: (ctx: unknown) => seen.push(['start', (ctx as CommandTraceContext).namespace, (ctx as CommandTraceContext).command]),
      end: () => undefined,
      asyncStart: () => undefined,
      asyncEnd: (ctx: unknown) => seen.push(['asyncEnd', (ctx as CommandTraceContext).namespace, (ctx as CommandTraceContext).command]),
      error: () => undefined,
    };
    const client = await driver.open({});
    channel.subscribe(handlers);
    try {
      await client.set('traced', '1');
      expect(seen).toEqual([
        ['start', 'mcp2', 'set'],
        ['asyncEnd', 'mcp2', 'set'],
      ]);
    } finally {
      channel.unsubscribe(handlers);
      await client.close();
    }
  });
});

describe('ioredis-mock', () => {
  it('reports commands and refusals too', async () => {
    const onCommand = vi.fn();
    const onRejected = vi.fn();
    const redis = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: new RedisMock({ port: 6391 }), hooks: { onCommand, onRejected } });
    await redis.set('a', '1');
    await expect(redis.get('celery:a')).rejects.toBeInstanceOf(CrossNamespaceError);
    expect(onCommand).toHaveBeenCalledWith(expect.objectContaining({ namespace: 'mcp2', command: 'set', keys: 1, ok: true }));
    expect(onRejected).toHaveBeenCalledWith(expect.objectContaining({ code: 'ERR_CROSS_NAMESPACE', command: 'get' }));
  });
});

describe('node-redis pool and ioredis auto-pipelining', () => {
  it('reports the commands of a node-redis client pool', async () => {
    const { createClientPool } = await import('redis');
    const pool = createClientPool({ url: `${server.url}/3` }, { minimum: 1, maximum: 2 });
    await pool.connect();
    const onCommand = vi.fn<(event: CommandEvent) => void>();
    const redis = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: pool, hooks: { onCommand } });
    try {
      await redis.set('pooled', '1');
      expect(await redis.get('pooled')).toBe('1');
      expect(onCommand.mock.calls.map(([event]) => event.command)).toEqual(['set', 'get']);
    } finally {
      pool.destroy();
    }
  });

  it.each(IOREDIS_VERSIONS)('reports each auto-pipelined command of $name once', async ({ Redis }) => {
    const raw = new Redis(`${server.url}/4`, { enableAutoPipelining: true });
    const onCommand = vi.fn<(event: CommandEvent) => void>();
    const redis = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: raw, hooks: { onCommand }, commandTimeoutMs: 5000 });
    try {
      expect(await Promise.all([redis.set('a', '1'), redis.set('b', '2'), redis.get('a')])).toEqual(['OK', 'OK', '1']);
      expect(onCommand.mock.calls.map(([event]) => `${event.command}:${event.ok}`)).toEqual(['set:true', 'set:true', 'get:true']);
    } finally {
      raw.disconnect();
    }
  });
});
