import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createIsolatedRedis, type PressureEvent, type PressureSampleEvent } from '../../../src/index.js';
import { IOREDIS_VERSIONS } from '../../support/ioredis-versions.js';
import { NODE_REDIS_VERSIONS } from '../../support/node-redis-versions.js';
import { startRedisServer, type RunningRedis } from '../../support/redis-server.js';

type Hooks = { onPressure: (e: PressureEvent) => void; onPressureSample: (e: PressureSampleEvent) => void };
/** What the test uses of the monitored isolated client. */
interface Monitored {
  set(key: string, value: string): Promise<unknown>;
  close(): Promise<void>;
}

const drivers = [
  ...IOREDIS_VERSIONS.map(({ name, Redis: RedisClass }) => ({
    name,
    async open(url: string, hooks: Hooks): Promise<Monitored> {
      const raw = new RedisClass(url);
      const redis = createIsolatedRedis({ namespace: 'mcp2', client: raw, hooks, pressure: { intervalMs: 50 } });
      return { set: (k, v) => redis.set(k, v), close: async () => void (await raw.quit()) };
    },
  })),
  ...NODE_REDIS_VERSIONS.map(({ name, createClient }) => ({
    name,
    async open(url: string, hooks: Hooks): Promise<Monitored> {
      const raw = createClient({ url });
      await raw.connect();
      const redis = createIsolatedRedis({ namespace: 'mcp2', client: raw, hooks, pressure: { intervalMs: 50 } });
      return { set: (k, v) => redis.set(k, v), close: async () => void (await raw.close()) };
    },
  })),
];

describe.each(drivers)('$name, pressure monitor on a server of its own', (driver) => {
  // CONFIG SET maxmemory and floods: never on the shared server.
  let server: RunningRedis;
  let admin: Redis;
  beforeAll(async () => {
    server = await startRedisServer();
    admin = new Redis(server.url);
  });
  afterAll(async () => {
    admin.disconnect();
    await server.stop();
  });

  const usedMemory = async (): Promise<number> => Number(/used_memory:(\d+)/.exec(await admin.info('memory'))?.[1]);
  const chunk = 'x'.repeat(16 * 1024);

  it('reports critical past 80%, ok after the fill is deleted, an OOM reply at once, and evictions with a positive delta', async () => {
    const reports: PressureEvent[] = [];
    const samples: PressureSampleEvent[] = [];
    const client = await driver.open(server.url, { onPressure: (e) => reports.push(e), onPressureSample: (e) => samples.push(e) });
    try {
      const maxmemory = (await usedMemory()) + 4 * 1024 * 1024;
      await admin.config('SET', 'maxmemory', String(maxmemory));
      await admin.config('SET', 'maxmemory-policy', 'noeviction');
      for (let i = 0; (await usedMemory()) < 0.85 * maxmemory; i++) await admin.set(`fill:${i}`, chunk);

      await vi.waitFor(() => expect(reports.some((r) => r.signal === 'memory' && r.level === 'critical')).toBe(true), { timeout: 3000 });
      const critical = reports.find((r) => r.signal === 'memory' && r.level === 'critical') as PressureEvent;
      expect(critical.figures.maxMemory).toBe(maxmemory);
      expect(critical.figures.ratio).toBeGreaterThanOrEqual(0.8);
      expect(critical.figures.ratio).toBeCloseTo((critical.figures.usedMemory as number) / maxmemory, 6);
      expect(critical.namespace).toBe('mcp2');

      // Past the limit by a margin: the client's own write is refused with OOM, reported at once.
      // (Filling until one write fails is not enough: freed query buffers can bring the server back under.)
      await admin.config('SET', 'maxmemory', String((await usedMemory()) - 1024 * 1024));
      // The monitor keeps sampling meanwhile (a critical memory level repeats once per interval),
      // so look for the OOM report among those that arrived by the time the promise rejected.
      const beforeOom = reports.length;
      await expect(client.set('one-more', chunk)).rejects.toThrow(/OOM/);
      expect(reports.slice(beforeOom)).toContainEqual(expect.objectContaining({ signal: 'error-reply', level: 'critical' }));

      const beforeFlush = reports.length;
      await admin.flushall();
      await vi.waitFor(
        () => expect(reports.slice(beforeFlush)).toContainEqual(expect.objectContaining({ signal: 'memory', level: 'ok', previousLevel: 'critical' })),
        { timeout: 3000 },
      );

      await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
      for (let i = 0; i < (2 * 4 * 1024) / 16; i++) await admin.set(`over:${i}`, chunk);
      await vi.waitFor(() => expect(reports.some((r) => r.signal === 'evictions')).toBe(true), { timeout: 3000 });
      const evictions = reports.find((r) => r.signal === 'evictions') as PressureEvent;
      expect(evictions.figures.evictedKeysDelta).toBeGreaterThan(0);
      expect(evictions.figures.evictedKeys).toBeGreaterThanOrEqual(evictions.figures.evictedKeysDelta as number);
    } finally {
      await client.close();
      await admin.config('SET', 'maxmemory', '0');
    }
    // Stopped with the client: no sample after it closed.
    const taken = samples.length;
    await admin.ping();
    expect(samples.length).toBe(taken);
  });
});

describe('pressure.client: the monitor watches through another client', () => {
  let server: RunningRedis;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('samples the server of the client given, even under a mock view, and stops when either client ends', async () => {
    const { default: RedisMock } = await import('ioredis-mock');
    const samples: PressureSampleEvent[] = [];
    const watcher = new Redis(server.url);
    const mock = new RedisMock({ host: `pressure-client-${Math.random()}` }) as unknown as Redis;
    createIsolatedRedis({ namespace: 'mcp2', client: mock, hooks: { onPressureSample: (e) => samples.push(e) }, pressure: { client: watcher, intervalMs: 20 } });
    await vi.waitFor(() => expect(samples.length).toBeGreaterThan(1));
    expect(samples[0]?.figures.usedMemory).toBeGreaterThan(0);
    await watcher.quit();
    const taken = samples.length;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(samples.length).toBe(taken);
  });

  it('refuses a monitoring client with no single server to watch', async () => {
    const { default: RedisMock } = await import('ioredis-mock');
    const client = new RedisMock() as unknown as Redis;
    expect(() => createIsolatedRedis({ namespace: 'mcp2', client, pressure: { client: new RedisMock() as unknown as Redis } })).toThrow(
      /`pressure.client` must be a standalone ioredis `Redis` or node-redis client/,
    );
  });
});
