import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { createIsolatedRedis } from '../../../src/index.js';

/** A raw client of one driver on a standalone server, and views of it. */
export interface DriverClient {
  /** An isolated view of `namespace` over the raw client, in `mode`. */
  view(namespace: string, mode: 'prefix' | 'strict'): object;
  close(): Promise<void>;
}

/** The two drivers isolated-redis wraps, each opening a raw client on `port`. */
export const DRIVERS = [
  {
    driver: 'ioredis',
    async open(port: number): Promise<DriverClient> {
      const raw = new Redis({ host: '127.0.0.1', port, lazyConnect: true });
      await raw.connect();
      return {
        view: (namespace, mode) => createIsolatedRedis({ namespace, mode, client: raw }),
        close: async () => void (await raw.quit()),
      };
    },
  },
  {
    driver: 'node-redis',
    async open(port: number): Promise<DriverClient> {
      const raw = createClient({ url: `redis://127.0.0.1:${port}` });
      await raw.connect();
      return {
        view: (namespace, mode) => createIsolatedRedis({ namespace, mode, client: raw }),
        close: async () => void (await raw.close()),
      };
    },
  },
] as const;
