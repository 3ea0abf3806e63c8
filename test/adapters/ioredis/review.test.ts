import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { BlockedCommandError, CrossNamespaceError, IsolationConfigError, createIsolatedRedis } from '../../../src/index.js';
import { IOREDIS_VERSIONS } from '../../support/ioredis-versions.js';

/**
 * Review of issue 12 (views over one ioredis connection): regressions for what a reviewer found
 * still crossing from one view to another, or left open by one. Keys carry a random tag, so the
 * file shares its database with no one's assumptions (no FLUSHDB).
 */
const namespaces = ['mcp2', 'celery'];

/** `promise`, or a rejection once `ms` have passed: a stalled reply fails the test instead of hanging it. */
const within = <T>(ms: number, promise: Promise<T>): Promise<T> =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no reply within ${ms} ms`)), ms))]);

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(IOREDIS_VERSIONS.flatMap((version) => (version.name === 'ioredis 6' ? [2, 3] : [2]).map((protocol) => ({ ...version, protocol }))))(
  '$name (RESP$protocol), standalone: review',
  ({ Redis, protocol }) => {
    type Client = InstanceType<typeof Redis>;
    const closers: Array<() => unknown> = [];
    const client = (options: Record<string, unknown> = {}): Client => {
      const c = new Redis(`${inject('redisUrl')}/11`, { protocol, ...options } as unknown as Record<string, never>);
      closers.push(() => c.disconnect());
      return c;
    };
    afterAll(async () => {
      for (const close of closers) await close();
    });
    /** How many connections the server has that are named `name`. */
    const connectionsNamed = async (observer: Client, name: string): Promise<number> =>
      String(await observer.client('LIST')).split('\n').filter((line) => line.includes(` name=${name} `)).length;

    it('refuses every command of a pipeline built over a view past its pipeline(): nothing is queued, other views keep their replies', async () => {
      const raw = client();
      const mcp2 = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: raw });
      const celery = createIsolatedRedis({ namespace: 'celery', namespaces, client: raw });
      const tag = randomUUID();
      await celery.set(`secret:${tag}`, 'CELERY-SECRET');
      // ioredis's own Redis#pipeline, called on the view: a Pipeline over the view that the view never judged.
      const byHand = (Object.getPrototypeOf(raw) as { pipeline: () => typeof raw extends { pipeline(): infer P } ? P : never }).pipeline.call(mcp2);
      byHand.set(`a:${tag}`, '1').get(`celery:secret:${tag}`).get(`a:${tag}`);
      const results = (await within(2000, byHand.exec())) ?? [];
      expect(results).toHaveLength(3);
      for (const [error] of results) expect(error).toBeInstanceOf(BlockedCommandError);
      expect(await within(2000, celery.get(`secret:${tag}`))).toBe('CELERY-SECRET');
      expect(await within(2000, mcp2.get(`a:${tag}`))).toBeNull();
    });

    it("names a duplicate()'s connection in the namespace, so another namespace's CLIENT LIST never lists it", async () => {
      const raw = client();
      const observer = client();
      const mcp2 = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: raw });
      const celery = createIsolatedRedis({ namespace: 'celery', namespaces, client: raw });
      const tag = randomUUID().slice(0, 8);
      const celeryOwn = celery.duplicate();
      closers.push(() => celeryOwn.disconnect());
      expect(() => mcp2.duplicate({ connectionName: `celery:spy-${tag}` })).toThrow(CrossNamespaceError);
      const copy = mcp2.duplicate({ connectionName: `spy-${tag}` });
      closers.push(() => copy.disconnect());
      await copy.ping();
      expect(await connectionsNamed(observer, `mcp2:spy-${tag}`)).toBe(1);
      expect(String(await celeryOwn.client('LIST'))).not.toContain(`spy-${tag}`);
      expect(String(await copy.client('LIST'))).toContain(`name=spy-${tag} `);
    });

    it('leaves no connection open when duplicate() refuses the copy it made', async () => {
      const marker = `review-${randomUUID().slice(0, 8)}`;
      const raw = client({ connectionName: marker });
      const observer = client();
      await raw.ping();
      const mcp2 = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: raw });
      expect(() => mcp2.duplicate({ keyPrefix: 'x:' })).toThrow(IsolationConfigError);
      await pause(500);
      expect(await connectionsNamed(observer, marker)).toBe(1);
    });
  },
);

describe.each(IOREDIS_VERSIONS)('$name, Redis Cluster: review', ({ Redis, Cluster }) => {
  const ports = (): number[] => inject('redisClusterPorts');
  /** Connections named `name` on every master. */
  const connectionsNamed = async (name: string): Promise<number> => {
    let count = 0;
    for (const port of ports()) {
      const observer = new Redis(port, '127.0.0.1');
      count += String(await observer.client('LIST')).split('\n').filter((line) => line.includes(` name=${name} `)).length;
      observer.disconnect();
    }
    return count;
  };

  it('quit() closes the connections that views of nodes() opened (blocking, subscribing), and only those', async () => {
    const marker = `review-${randomUUID().slice(0, 8)}`;
    const raw = new Cluster(ports().map((port) => ({ host: '127.0.0.1', port })), { redisOptions: { connectionName: marker } });
    try {
      await raw.ping();
      await Promise.all(raw.nodes('master').map((node) => node.ping()));
      const before = await connectionsNamed(marker);
      const mcp2 = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: raw });
      const [first, second] = mcp2.nodes('master');
      /** A key of the namespace that node `view` serves (a blocking command must reach its own node). */
      const keyServedBy = async (view: typeof first): Promise<string> => {
        const address = `${String(view?.options.host)}:${String(view?.options.port)}`;
        const slots = (raw as unknown as { slots: string[][] }).slots;
        for (let i = 0; ; i += 1) {
          if (slots[Number(await raw.cluster('KEYSLOT', `mcp2:q:${marker}:${i}`))]?.includes(address)) return `q:${marker}:${i}`;
        }
      };
      expect(await first?.blpop(await keyServedBy(first), 0.05)).toBeNull();
      expect(await second?.subscribe(`news:${marker}`)).toBe(1);
      expect(await connectionsNamed(marker)).toBe(before + 2);
      expect(await mcp2.quit()).toBe('OK');
      await pause(300);
      expect(await connectionsNamed(marker)).toBe(before);
      expect(await raw.ping()).toBe('PONG');
    } finally {
      raw.disconnect();
    }
  });
});
