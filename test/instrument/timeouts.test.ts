import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CommandTimeoutError, createIsolatedRedis, type TimeoutEvent } from '../../src/index.js';
import { IOREDIS_VERSIONS } from '../support/ioredis-versions.js';
import { NODE_REDIS_VERSIONS } from '../support/node-redis-versions.js';
import { freePort, startRedisServer, type RunningRedis } from '../support/redis-server.js';

// CLIENT PAUSE stops the whole server: these tests have one of their own.
let server: RunningRedis;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server.stop();
});

/** What the timeout tests use of an isolated client and of a raw one, whichever the driver. */
interface Opened {
  get(key: string): Promise<unknown>;
  set(key: string, value: string): Promise<unknown>;
  blpop(key: string, seconds: number): Promise<unknown>;
  /** GET of `key` twice, in one pipeline. */
  pipelineGets(key: string): Promise<unknown>;
  /** A raw command on another connection (CLIENT PAUSE, PING). */
  other(...args: string[]): Promise<unknown>;
  close(): Promise<void>;
}
interface Driver {
  readonly name: string;
  open(options: { commandTimeoutMs?: number; onTimeout: (event: TimeoutEvent) => void; url?: string; native?: boolean }): Promise<Opened>;
}

const drivers: Driver[] = [
  ...IOREDIS_VERSIONS.map(({ name, Redis }): Driver => ({
    name,
    async open({ commandTimeoutMs, onTimeout, url = server.url, native = false }) {
      const raw = new Redis(url, { lazyConnect: true, retryStrategy: () => 50, ...(native ? { commandTimeout: 100 } : {}) });
      raw.on('error', () => undefined);
      const other = new Redis(server.url);
      const redis = createIsolatedRedis({ namespace: 'mcp2', client: raw, hooks: { onTimeout }, ...(commandTimeoutMs ? { commandTimeoutMs } : {}) });
      return {
        get: (k) => redis.get(k),
        set: (k, v) => redis.set(k, v),
        blpop: (k, s) => redis.blpop(k, s),
        pipelineGets: (k) => redis.pipeline().get(k).get(k).exec(),
        other: (...args) => other.call(args[0] as string, ...args.slice(1)),
        close: async () => {
          raw.disconnect();
          other.disconnect();
        },
      };
    },
  })),
  ...NODE_REDIS_VERSIONS.map(({ name, createClient }): Driver => ({
    name,
    async open({ commandTimeoutMs, onTimeout, url = server.url }) {
      const raw = createClient({ url, socket: { reconnectStrategy: () => 50 } });
      raw.on('error', () => undefined);
      const connected = raw.connect().catch(() => undefined);
      if (url === server.url) await connected;
      const other = createClient({ url: server.url });
      await other.connect();
      const redis = createIsolatedRedis({ namespace: 'mcp2', client: raw, hooks: { onTimeout }, ...(commandTimeoutMs ? { commandTimeoutMs } : {}) });
      return {
        get: (k) => redis.get(k),
        set: (k, v) => redis.set(k, v),
        blpop: (k, s) => redis.blPop(k, s),
        pipelineGets: (k) => redis.multi().get(k).get(k).execAsPipeline(),
        other: (...args) => other.sendCommand(args),
        close: async () => {
          raw.destroy();
          other.destroy();
        },
      };
    },
  })),
];

describe.each(drivers)('$name', (driver) => {
  it('rejects a command written to a paused server with CommandTimeoutError, once, and keeps replies in step', async () => {
    const onTimeout = vi.fn<(event: TimeoutEvent) => void>();
    const client = await driver.open({ commandTimeoutMs: 100, onTimeout });
    try {
      await client.other('SET', 'mcp2:a', 'value of a');
      await client.other('SET', 'mcp2:b', 'value of b');
      await client.other('CLIENT', 'PAUSE', '500', 'ALL');
      const start = performance.now();
      const error = await client.get('a').catch((e: unknown) => e);
      const elapsed = performance.now() - start;
      expect(error).toBeInstanceOf(CommandTimeoutError);
      expect(error).toMatchObject({ code: 'ERR_COMMAND_TIMEOUT', command: 'get', kind: 'command', timeoutMs: 100, namespace: 'mcp2' });
      expect(elapsed).toBeGreaterThanOrEqual(99);
      expect(elapsed).toBeLessThan(300);
      expect(onTimeout).toHaveBeenCalledTimes(1);
      expect(onTimeout.mock.calls[0]?.[0]).toMatchObject({ namespace: 'mcp2', command: 'get', kind: 'command', timeoutMs: 100 });
      // Returns once the pause is over; then the late reply of GET a has been read and dropped.
      await client.other('PING');
      expect(await client.get('b')).toBe('value of b');
      expect(await client.get('a')).toBe('value of a');
      expect(onTimeout).toHaveBeenCalledTimes(1);
    } finally {
      await client.close();
    }
  });

  it('times out a whole pipeline, and keeps replies in step after it', async () => {
    const onTimeout = vi.fn<(event: TimeoutEvent) => void>();
    const client = await driver.open({ commandTimeoutMs: 100, onTimeout });
    try {
      await client.other('SET', 'mcp2:p', 'value of p');
      await client.other('CLIENT', 'PAUSE', '400', 'ALL');
      await expect(client.pipelineGets('p')).rejects.toMatchObject({ code: 'ERR_COMMAND_TIMEOUT', command: 'pipeline' });
      expect(onTimeout).toHaveBeenCalledWith(expect.objectContaining({ command: 'pipeline', kind: 'command' }));
      await client.other('PING');
      await client.other('SET', 'mcp2:q', 'value of q');
      expect(await client.get('q')).toBe('value of q');
    } finally {
      await client.close();
    }
  });

  it('gives a blocking command its block time plus commandTimeoutMs', async () => {
    const onTimeout = vi.fn();
    // The timeout exceeds Redis's own resolution of block timeouts (its 100 ms cron at the default
    // hz: an idle server answers BLPOP 0.2 after 200-300 ms), and the block time is twice the timeout.
    const client = await driver.open({ commandTimeoutMs: 250, onTimeout });
    try {
      // A view's first blocking command also waits for the view's exclusive connection to connect,
      // within the same timeout (as a command in the offline queue does): open it first, so that
      // what is measured is the block time alone.
      await vi.waitFor(() => client.blpop('empty-queue', 0.01), { timeout: 5000, interval: 10 });
      onTimeout.mockClear();
      expect(await client.blpop('empty-queue', 0.5)).toBeNull();
      expect(onTimeout).not.toHaveBeenCalled();
    } finally {
      await client.close();
    }
  });

  it('times out commands waiting in the offline queue', async () => {
    const onTimeout = vi.fn<(event: TimeoutEvent) => void>();
    const client = await driver.open({ commandTimeoutMs: 100, onTimeout, url: `redis://127.0.0.1:${await freePort()}` });
    try {
      await expect(client.get('a')).rejects.toBeInstanceOf(CommandTimeoutError);
      expect(onTimeout).toHaveBeenCalledWith(expect.objectContaining({ kind: 'command', command: 'get' }));
    } finally {
      await client.close();
    }
  });
});

describe.each(IOREDIS_VERSIONS.map(({ name }) => drivers.find((d) => d.name === name) as Driver))('$name, its own commandTimeout', (driver) => {
  it('is reported through onTimeout too', async () => {
    const onTimeout = vi.fn<(event: TimeoutEvent) => void>();
    const client = await driver.open({ onTimeout, native: true });
    try {
      await client.set('a', '1');
      await client.other('CLIENT', 'PAUSE', '300', 'ALL');
      await expect(client.get('a')).rejects.toThrow('Command timed out');
      expect(onTimeout).toHaveBeenCalledWith(expect.objectContaining({ kind: 'command', command: 'get', timeoutMs: undefined }));
      await client.other('PING');
      expect(await client.get('a')).toBe('1');
    } finally {
      await client.close();
    }
  });
});
