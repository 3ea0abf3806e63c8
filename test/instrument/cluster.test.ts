import { describe, expect, inject, it, vi } from 'vitest';
import { CrossNamespaceError, createIsolatedRedis, type CommandEvent } from '../../src/index.js';
import { IOREDIS_VERSIONS } from '../support/ioredis-versions.js';
import { NODE_REDIS_VERSIONS } from '../support/node-redis-versions.js';

// The shared cluster: these tests only write keys of their own namespace and flush nothing.
const namespaces = ['instr', 'celery'];
const rootNodes = (): Array<{ host: string; port: number }> => inject('redisClusterPorts').map((port) => ({ host: '127.0.0.1', port }));

/** What the test uses of an isolated cluster client, whichever the driver. */
interface Opened {
  set(key: string, value: string): Promise<unknown>;
  get(key: string): Promise<unknown>;
  close(): Promise<void>;
}

const drivers: Array<{ name: string; open(hooks: { onCommand: (e: CommandEvent) => void; onRejected: () => void }): Promise<Opened> }> = [
  ...IOREDIS_VERSIONS.map(({ name, Cluster }) => ({
    name,
    async open(hooks: { onCommand: (e: CommandEvent) => void; onRejected: () => void }): Promise<Opened> {
      const raw = new Cluster(rootNodes());
      const redis = createIsolatedRedis({ namespace: 'instr', namespaces, client: raw, hooks, commandTimeoutMs: 2000 });
      return { set: (k, v) => redis.set(k, v), get: (k) => redis.get(k), close: async () => void raw.disconnect() };
    },
  })),
  ...NODE_REDIS_VERSIONS.map(({ name, createCluster }) => ({
    name,
    async open(hooks: { onCommand: (e: CommandEvent) => void; onRejected: () => void }): Promise<Opened> {
      const raw = createCluster({ rootNodes: rootNodes().map(({ host, port }) => ({ url: `redis://${host}:${port}` })) });
      await raw.connect();
      const redis = createIsolatedRedis({ namespace: 'instr', namespaces, client: raw, hooks, commandTimeoutMs: 2000 });
      return { set: (k, v) => redis.set(k, v), get: (k) => redis.get(k), close: async () => void (await raw.close()) };
    },
  })),
];

describe.each(drivers)('$name, Redis Cluster', (driver) => {
  it('reports commands and refusals, and applies commandTimeoutMs without getting in the way', async () => {
    const onCommand = vi.fn<(e: CommandEvent) => void>();
    const onRejected = vi.fn();
    const client = await driver.open({ onCommand, onRejected });
    try {
      for (let i = 0; i < 10; i++) await client.set(`k:${i}`, String(i));
      for (let i = 0; i < 10; i++) expect(await client.get(`k:${i}`)).toBe(String(i));
      await expect(client.get('celery:k')).rejects.toBeInstanceOf(CrossNamespaceError);
      const commands = onCommand.mock.calls.map(([event]) => `${event.command}/${event.keys}/${event.ok}`);
      expect(commands).toEqual([...Array<string>(10).fill('set/1/true'), ...Array<string>(10).fill('get/1/true')]);
      expect(onRejected).toHaveBeenCalledWith(expect.objectContaining({ namespace: 'instr', code: 'ERR_CROSS_NAMESPACE' }));
    } finally {
      await client.close();
    }
  });
});
