/**
 * The drivers the many-namespaces benchmark creates views over: ioredis 5 and node-redis 6, each
 * a client connected to a real redis-server, and views `createIsolatedRedis({ namespace,
 * namespaces: set, client })` of namespaces of one family set.
 */
import type { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { createIsolatedRedis, defineNamespaces, type NamespaceSet } from '../src/index.js';
import { closeViewConnections } from '../src/adapters/own-connections.js';

/** Every view of the benchmark is a namespace of this family. */
export const TENANTS: NamespaceSet = defineNamespaces({ families: ['tenant-*'] });

type MessageListener = (channel: string, message: string) => void;

/** One connected client of a driver, and what the benchmark does with views over it. */
export interface DriverSession {
  /** A new view over the client: the object `createIsolatedRedis` returns, nothing around it. */
  view(namespace: string): object;
  get(view: object, key: string): Promise<unknown>;
  /** Subscribes `view` to `channel`; `listener` hears the view's messages (channel as the view names it). */
  subscribe(view: object, channel: string, listener: MessageListener): Promise<void>;
  /** Closes what the view opened (its subscriptions, its own connections); never the shared client. */
  closeView(view: object): void;
  /** Listeners registered on the shared client, all events together. */
  listenerCount(): number;
  close(): Promise<void>;
}

export interface Driver {
  readonly name: string;
  open(url: string): Promise<DriverSession>;
}

const listenersOn = (emitter: EventEmitter): number => emitter.eventNames().reduce((sum, event) => sum + emitter.listenerCount(event), 0);

type IoredisView = Redis & { on(event: 'message', listener: MessageListener): unknown };

const ioredis: Driver = {
  name: 'ioredis 5',
  async open(url) {
    const client = new Redis(url);
    await client.ping();
    return {
      view: (namespace) => createIsolatedRedis({ namespace, namespaces: TENANTS, client }),
      get: (view, key) => (view as Redis).get(key),
      async subscribe(view, channel, listener) {
        (view as IoredisView).on('message', listener);
        await (view as Redis).subscribe(channel);
      },
      closeView: (view) => (view as Redis).disconnect(),
      listenerCount: () => listenersOn(client),
      async close() {
        await closeViewConnections(client);
        await client.quit();
      },
    };
  },
};

type NodeRedisClient = ReturnType<typeof createClient>;

const nodeRedis: Driver = {
  name: 'node-redis 6',
  async open(url) {
    const client = createClient({ url });
    await client.connect();
    return {
      view: (namespace) => createIsolatedRedis({ namespace, namespaces: TENANTS, client }),
      get: (view, key) => (view as NodeRedisClient).get(key),
      async subscribe(view, channel, listener) {
        await (view as NodeRedisClient).subscribe(channel, (message, received) => listener(String(received), String(message)));
      },
      closeView: (view) => (view as NodeRedisClient).destroy(),
      listenerCount: () => listenersOn(client as unknown as EventEmitter),
      async close() {
        await closeViewConnections(client);
        client.destroy();
      },
    };
  },
};

export const DRIVERS: readonly Driver[] = [ioredis, nodeRedis];
