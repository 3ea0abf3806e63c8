import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { CrossNamespaceError, createIsolatedRedis, defineNamespaces, type Isolated } from '../../../src/index.js';
import { closeViewConnections } from '../../../src/adapters/own-connections.js';
import { IOREDIS_VERSIONS } from '../../support/ioredis-versions.js';

/**
 * Issue 14 on ioredis: views are cheap and leave nothing behind on the client they share, and
 * every view over one client, whatever its namespace, subscribes on one shared subscriber
 * connection, with counts, messages and unsubscriptions of its own. Channels and keys carry a
 * random tag: pub/sub is server-wide, and other files publish too.
 */
const deployment = defineNamespaces({ namespaces: ['mcp2', 'celery'], families: ['tenant-*'] });

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** `promise`, or a rejection once `ms` have passed: a stalled reply fails the test instead of hanging it. */
const within = <T>(ms: number, promise: Promise<T>): Promise<T> =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no reply within ${ms} ms`)), ms))]);

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(IOREDIS_VERSIONS.flatMap((version) => (version.name === 'ioredis 6' ? [2, 3] : [2]).map((protocol) => ({ ...version, protocol }))))(
  '$name (RESP$protocol), standalone: cheap views',
  ({ Redis, protocol }) => {
    type Client = InstanceType<typeof Redis>;
    const closers: Array<() => unknown> = [];
    afterAll(async () => {
      for (const close of closers) await close();
    });
    /** A client named `name` (so that its connections, and its duplicates', can be counted), closed after the file. */
    const client = (name = `cv-${randomUUID().slice(0, 8)}`): Client => {
      const c = new Redis(`${inject('redisUrl')}/11`, { protocol, connectionName: name } as unknown as Record<string, never>);
      closers.push(() => c.disconnect());
      return c;
    };
    const view = (namespace: string, over: Client, mode?: 'strict'): Isolated<Client> => {
      const v = createIsolatedRedis({ namespace, namespaces: deployment, client: over, ...(mode ? { mode } : {}) });
      closers.unshift(() => v.quit());
      return v;
    };
    const observer = client('cv-observer');
    /** The server's connections named `name`, as CLIENT LIST lines. */
    const connectionsNamed = async (name: string): Promise<string[]> =>
      String(await observer.client('LIST')).split('\n').filter((line) => line.includes(` name=${name} `));
    /** A snapshot of what a client holds that a view could leave behind: listeners, queues, per-instance state. */
    const footprint = (c: Client): Record<string, unknown> => {
      const internals = c as unknown as { scriptsSet: object; addedBuiltinSet: Set<string>; _autoPipelines: Map<unknown, unknown>; _runningAutoPipelines: Set<unknown>; commandQueue: { length: number }; offlineQueue: { length: number } };
      return {
        listeners: Object.fromEntries(c.eventNames().map((event) => [String(event), c.listenerCount(event)])),
        ownProperties: Object.getOwnPropertyNames(c).sort(),
        ownSymbols: Object.getOwnPropertySymbols(c).length,
        scripts: Object.keys(internals.scriptsSet).sort(),
        builtins: [...internals.addedBuiltinSet].sort(),
        autoPipelines: internals._autoPipelines.size + internals._runningAutoPipelines.size,
        queued: internals.commandQueue.length + internals.offlineQueue.length,
      };
    };

    it('leaves nothing on the client: a used and dropped view is collected, listeners and state of the client unchanged', async () => {
      const name = `cv-${randomUUID().slice(0, 8)}`;
      const raw = client(name);
      const tag = randomUUID();
      await raw.ping();
      const before = footprint(raw);
      const refs: Array<WeakRef<object>> = [];
      const use = async (i: number): Promise<void> => {
        const v = createIsolatedRedis({ namespace: `tenant-${i}`, namespaces: deployment, client: raw });
        refs.push(new WeakRef(v));
        await v.set(`k:${tag}`, String(i));
        expect(await v.get(`k:${tag}`)).toBe(String(i));
        expect(await v.pipeline().incr(`n:${tag}`).get(`n:${tag}`).exec()).toEqual([[null, 1], [null, '1']]);
        expect(await v.multi().del(`n:${tag}`, `k:${tag}`).exec()).toEqual([[null, 2]]);
        expect(v.isolation.namespace).toBe(`tenant-${i}`);
        v.defineCommand(`echo${i}`, { numberOfKeys: 0, lua: 'return ARGV[1]' });
        const listener = (): void => undefined;
        v.on('message', listener);
        v.on('error', listener);
        v.once('end', listener);
        if (i % 2 === 0) {
          // Subscribes and blocks (own connections), then quits: what it opened goes with it.
          expect(await v.subscribe(`news:${tag}`)).toBe(1);
          expect(await v.blpop(`q:${tag}`, 0.01)).toBeNull();
          await v.quit();
        }
        v.off('message', listener);
        v.removeAllListeners();
        // Checked here, not kept: an error keeps the frames of its stack (the view among them) until it is formatted.
        const refused = await v.get(`celery:x:${tag}`).then(() => undefined, (error: unknown) => error);
        expect(refused instanceof CrossNamespaceError).toBe(true);
      };
      for (let i = 0; i < 20; i++) await use(i);
      await vi.waitFor(async () => expect(await connectionsNamed(name)).toHaveLength(1));
      expect(footprint(raw)).toEqual(before);
      // Nothing references the views any more: the client, its listeners and the module's maps hold none.
      await pause(0);
      gc();
      await pause(0);
      gc();
      expect(refs.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
    });

    it('keeps delivering to a subscribed view the caller no longer references, and lets it be collected once it unsubscribed', async () => {
      const raw = client();
      const tag = randomUUID();
      const heard: string[] = [];
      let ref: WeakRef<object> | undefined;
      await (async () => {
        const v = createIsolatedRedis({ namespace: 'tenant-kept', namespaces: deployment, client: raw });
        ref = new WeakRef(v);
        v.on('message', (channel: string, message: string) => heard.push(`${channel} ${message}`));
        await v.subscribe(`news:${tag}`);
      })();
      await pause(0);
      gc();
      expect(ref?.deref()).toBeDefined();
      await raw.publish(`tenant-kept:news:${tag}`, 'still here');
      await vi.waitFor(() => expect(heard).toEqual([`news:${tag} still here`]));
      await (ref?.deref() as Client | undefined)?.unsubscribe();
      await pause(0);
      gc();
      await pause(0);
      gc();
      expect(ref?.deref()).toBeUndefined();
    });

    it('subscribes every view of every namespace on one shared connection; each hears only its own messages', async () => {
      const name = `cv-${randomUUID().slice(0, 8)}`;
      const raw = client(name);
      const tag = randomUUID();
      await raw.ping();
      const namespaces = ['mcp2', 'celery', 'tenant-1', 'tenant-2', 'tenant-3'];
      const views = namespaces.flatMap((namespace) => [view(namespace, raw), view(namespace, raw)]);
      const heard = views.map(() => [] as string[]);
      views.forEach((v, i) => v.on('message', (channel: string, message: string) => heard[i]?.push(`${channel} ${message}`)));
      expect(await Promise.all(views.map((v) => v.subscribe(`news:${tag}`, `own:${tag}`)))).toEqual(views.map(() => 2));
      // The raw client and one subscriber: not one connection per view.
      const connections = await connectionsNamed(name);
      expect(connections).toHaveLength(2);
      expect(connections.filter((line) => / sub=10 /.test(line))).toHaveLength(1);
      for (const namespace of namespaces) await raw.publish(`${namespace}:news:${tag}`, `for ${namespace}`);
      await raw.publish(`news:${tag}`, 'unprefixed');
      await raw.publish(`tenant-4:news:${tag}`, 'for nobody here');
      await vi.waitFor(() => expect(heard.flat()).toHaveLength(10));
      views.forEach((v, i) => expect(heard[i]).toEqual([`news:${tag} for ${v.isolation.namespace}`]));
      await Promise.all(views.map((v) => v.quit()));
      // The last subscription gone, the shared subscriber closes.
      await vi.waitFor(async () => expect(await connectionsNamed(name)).toHaveLength(1));
    });

    it('ends only its own subscriptions with UNSUBSCRIBE without channels; counts are per view', async () => {
      const raw = client();
      const tag = randomUUID();
      const [a1, a2, b] = [view('mcp2', raw), view('mcp2', raw), view('celery', raw)];
      const heard: string[] = [];
      a1.on('message', (channel: string) => heard.push(`a1 ${channel}`));
      a2.on('message', (channel: string) => heard.push(`a2 ${channel}`));
      b.on('message', (channel: string) => heard.push(`b ${channel}`));
      expect(await a1.subscribe(`x:${tag}`, `y:${tag}`)).toBe(2);
      expect(await a2.subscribe(`x:${tag}`)).toBe(1);
      expect(await b.subscribe(`x:${tag}`)).toBe(1);
      expect(await a1.psubscribe(`p:${tag}:*`)).toBe(3);
      expect(await a1.subscribe(`x:${tag}`)).toBe(3); // already its own: unchanged, as Redis counts
      expect(await a1.ssubscribe(`s:${tag}`)).toBe(1); // shard channels are counted apart
      expect(await a2.unsubscribe(`y:${tag}`)).toBe(1); // not a2's: a2 keeps x
      expect(await a1.unsubscribe()).toBe(1); // its pattern remains
      expect(await raw.pubsub('NUMSUB', `mcp2:x:${tag}`, `mcp2:y:${tag}`)).toEqual([`mcp2:x:${tag}`, 1, `mcp2:y:${tag}`, 0]);
      await raw.publish(`mcp2:x:${tag}`, '1');
      await raw.publish(`celery:x:${tag}`, '2');
      await vi.waitFor(() => expect(heard.sort()).toEqual([`a2 x:${tag}`, `b x:${tag}`]));
      expect(await a1.punsubscribe()).toBe(0);
      expect(await a1.sunsubscribe()).toBe(0);
      expect(await a1.unsubscribe()).toBe(0);
      expect(await a2.unsubscribe()).toBe(0);
      expect(await raw.pubsub('NUMSUB', `mcp2:x:${tag}`, `celery:x:${tag}`)).toEqual([`mcp2:x:${tag}`, 0, `celery:x:${tag}`, 1]);
      expect(await b.unsubscribe(`x:${tag}`)).toBe(0);
    });

    it('follows subscribe/unsubscribe races in the order each view asked, and ends on what was asked last', async () => {
      const name = `cv-${randomUUID().slice(0, 8)}`;
      const raw = client(name);
      const tag = randomUUID();
      const channel = `race:${tag}`;
      const [a, b] = [view('mcp2', raw), view('mcp2', raw)];
      const heard: string[] = [];
      a.on('message', (_channel: string, message: string) => heard.push(`a ${message}`));
      b.on('message', (_channel: string, message: string) => heard.push(`b ${message}`));
      // Not awaited in between: each view's replies come in its own order, with its own counts.
      const order: string[] = [];
      const track = (label: string, promise: Promise<unknown>): Promise<unknown> => promise.then((count) => (order.push(label), count));
      const replies = await within(3000, Promise.all([
        track('a sub', a.subscribe(channel)),
        track('b sub', b.subscribe(channel)),
        track('a unsub', a.unsubscribe(channel)),
        track('b unsub', b.unsubscribe(channel)),
        track('a sub again', a.subscribe(channel)),
      ]));
      expect(replies).toEqual([1, 1, 0, 0, 1]);
      expect(order.indexOf('a sub')).toBeLessThan(order.indexOf('a unsub'));
      expect(order.indexOf('a unsub')).toBeLessThan(order.indexOf('a sub again'));
      expect(order.indexOf('b sub')).toBeLessThan(order.indexOf('b unsub'));
      expect(await raw.pubsub('NUMSUB', `mcp2:${channel}`)).toEqual([`mcp2:${channel}`, 1]);
      await raw.publish(`mcp2:${channel}`, 'one');
      await vi.waitFor(() => expect(heard).toEqual(['a one']));
      // The last one out closes the shared subscriber; the next subscription opens a new one.
      expect(await a.unsubscribe(channel)).toBe(0);
      await vi.waitFor(async () => expect(await connectionsNamed(name)).toHaveLength(1));
      const again = a.subscribe(channel);
      const quitting = a.unsubscribe(channel);
      const third = a.subscribe(channel);
      expect(await Promise.all([again, quitting, third])).toEqual([1, 0, 1]);
      await raw.publish(`mcp2:${channel}`, 'two');
      await vi.waitFor(() => expect(heard).toEqual(['a one', 'a two']));
      expect(await connectionsNamed(name)).toHaveLength(2);
      await a.quit();
      await vi.waitFor(async () => expect(await connectionsNamed(name)).toHaveLength(1));
    });

    it('delivers Buffers and binary payloads, and patterns, prefix stripped, per namespace and mode', async () => {
      const raw = client();
      const tag = randomUUID();
      const [a, strict, b] = [view('mcp2', raw), view('mcp2', raw, 'strict'), view('celery', raw)];
      const heard: string[] = [];
      const payload = Buffer.from([0, 255, 1, 254]);
      a.on('messageBuffer', (channel: Buffer, message: Buffer) => heard.push(`a buffer ${channel.toString()} ${message.toString('hex')}`));
      a.on('pmessage', (pattern: string, channel: string) => heard.push(`a pmessage ${pattern} ${channel}`));
      a.on('pmessageBuffer', (pattern: string, channel: Buffer) => heard.push(`a pmessageBuffer ${pattern} ${Buffer.isBuffer(channel)}`));
      strict.on('message', (channel: string) => heard.push(`strict ${channel}`));
      b.on('pmessage', (pattern: string, channel: string) => heard.push(`b pmessage ${pattern} ${channel}`));
      expect(await a.subscribe(Buffer.from(`bin:${tag}`))).toBe(1);
      expect(await strict.subscribe(`mcp2:bin:${tag}`)).toBe(1);
      expect(await a.psubscribe(`bi*:${tag}`)).toBe(2);
      expect(await b.psubscribe(`bi*:${tag}`)).toBe(1);
      await raw.publish(`mcp2:bin:${tag}`, payload);
      await raw.publish(`celery:bin:${tag}`, 'c');
      await vi.waitFor(() => expect(heard).toHaveLength(5));
      expect(heard.sort()).toEqual(
        [
          `a buffer bin:${tag} 00ff01fe`,
          `a pmessage bi*:${tag} bin:${tag}`,
          `a pmessageBuffer bi*:${tag} true`,
          `b pmessage bi*:${tag} bin:${tag}`,
          `strict mcp2:bin:${tag}`,
        ].sort(),
      );
      expect(await a.punsubscribe(`bi*:${tag}`)).toBe(1);
      await raw.publish(`celery:bin:${tag}`, 'c2'); // b's pattern stays
      await vi.waitFor(() => expect(heard).toHaveLength(6));
      expect(await b.punsubscribe()).toBe(0);
      expect(await a.unsubscribe(Buffer.from(`bin:${tag}`))).toBe(0);
      expect(await strict.unsubscribe()).toBe(0);
    });

    it('closeViewConnections closes what views opened, dropped views included, and leaves the client open', async () => {
      const name = `cv-${randomUUID().slice(0, 8)}`;
      const raw = client(name);
      const tag = randomUUID();
      await raw.ping();
      // Dropped without quit(): a view that blocked (exclusive connection) and one that subscribed.
      await (async () => {
        const blocker = createIsolatedRedis({ namespace: 'tenant-b', namespaces: deployment, client: raw });
        const subscriber = createIsolatedRedis({ namespace: 'tenant-s', namespaces: deployment, client: raw });
        expect(await blocker.blpop(`q:${tag}`, 0.01)).toBeNull();
        expect(await subscriber.subscribe(`news:${tag}`)).toBe(1);
      })();
      expect(await connectionsNamed(name)).toHaveLength(3);
      await closeViewConnections(raw);
      await vi.waitFor(async () => expect(await connectionsNamed(name)).toHaveLength(1));
      expect(raw.status).toBe('ready');
      // Views keep working: what they need is opened again.
      const later = view('tenant-s', raw);
      expect(await later.subscribe(`news:${tag}`)).toBe(1);
      expect(await later.blpop(`q:${tag}`, 0.01)).toBeNull();
      expect(await connectionsNamed(name)).toHaveLength(3);
      await later.quit();
      await vi.waitFor(async () => expect(await connectionsNamed(name)).toHaveLength(1));
    });

    it("closing the client closes what its views opened, dropped views included, and removes the client's one listener for it", async () => {
      const name = `cv-${randomUUID().slice(0, 8)}`;
      const raw = client(name);
      const tag = randomUUID();
      await raw.ping();
      const ends = raw.listenerCount('end');
      await (async () => {
        expect(await createIsolatedRedis({ namespace: 'tenant-b', namespaces: deployment, client: raw }).blpop(`q:${tag}`, 0.01)).toBeNull();
        expect(await createIsolatedRedis({ namespace: 'tenant-s', namespaces: deployment, client: raw }).subscribe(`news:${tag}`)).toBe(1);
      })();
      expect(await connectionsNamed(name)).toHaveLength(3);
      expect(raw.listenerCount('end')).toBe(ends + 1);
      await raw.quit();
      await vi.waitFor(async () => expect(await connectionsNamed(name)).toHaveLength(0));
      expect(raw.listenerCount('end')).toBe(ends);
    });

    it('forgets a subscription the server never made: a failed SUBSCRIBE leaves no count and no connection behind', async () => {
      // A port nobody listens on, and no retries: the shared subscriber's SUBSCRIBE fails.
      const dead = new Redis('redis://127.0.0.1:1', { protocol, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null } as unknown as Record<string, never>);
      dead.on('error', () => undefined);
      closers.push(() => dead.disconnect());
      const duplicate = dead.duplicate.bind(dead);
      const opened: Client[] = [];
      // Watched from the outside: what the view makes of the dead client's duplicates.
      const watched = Object.assign(dead, {
        duplicate: (...args: Parameters<Client['duplicate']>): Client => {
          const copy = duplicate(...args);
          copy.on('error', () => undefined);
          opened.push(copy);
          return copy;
        },
      });
      const [a, b] = [view('mcp2', watched), view('celery', watched)];
      const results = await Promise.allSettled([a.subscribe('x'), b.subscribe('x', 'y'), a.psubscribe('p*')]);
      expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected']);
      expect(opened).toHaveLength(1);
      expect(await a.unsubscribe()).toBe(0);
      expect(await a.punsubscribe()).toBe(0);
      expect(await b.unsubscribe('y')).toBe(0);
      // Nothing subscribed: the hub let that connection go, and the next subscription opens another.
      await expect(a.subscribe('z')).rejects.toThrow();
      expect(opened).toHaveLength(2);
    });

    it('keeps the options views share frozen: no view can change them for the others', () => {
      const raw = client();
      const [a, b] = [view('mcp2', raw), view('celery', raw)];
      expect(() => {
        (a.options as { keyPrefix?: string }).keyPrefix = 'celery:';
      }).toThrow(TypeError);
      expect(b.options.keyPrefix).toBe(raw.options.keyPrefix);
      expect(a.options.enableAutoPipelining).toBe(false);
    });
  },
);

describe.each(IOREDIS_VERSIONS)('$name, Redis Cluster: cheap views', ({ Cluster }) => {
  type Client = InstanceType<typeof Cluster>;
  let raw: Client;
  const opened: Array<Isolated<Client>> = [];
  afterAll(async () => {
    await Promise.all(opened.map((v) => v.quit()));
    raw.disconnect();
  });

  it('subscribes views of several namespaces on one shared subscriber, counts and messages per view, and closes it', async () => {
    raw = new Cluster(inject('redisClusterPorts').map((port) => ({ host: '127.0.0.1', port })));
    const tag = randomUUID();
    await raw.ping();
    const before = Object.fromEntries(raw.eventNames().map((event) => [String(event), raw.listenerCount(event)]));
    const view = (namespace: string): Isolated<Client> => {
      const v = createIsolatedRedis({ namespace, namespaces: deployment, client: raw });
      opened.push(v);
      return v;
    };
    const duplicate = vi.spyOn(raw, 'duplicate');
    const [a1, a2, b] = [view('mcp2'), view('mcp2'), view('tenant-9')];
    const heard: string[] = [];
    a1.on('message', (channel: string, message: string) => heard.push(`a1 ${channel} ${message}`));
    a2.on('message', (channel: string, message: string) => heard.push(`a2 ${channel} ${message}`));
    b.on('message', (channel: string, message: string) => heard.push(`b ${channel} ${message}`));
    expect(await a1.subscribe(`news:${tag}`, `a1:${tag}`)).toBe(2);
    expect(await a2.subscribe(`news:${tag}`)).toBe(1);
    expect(await b.subscribe(`news:${tag}`)).toBe(1);
    // One subscriber for every view over the cluster (a duplicate of it), not one per view.
    expect(duplicate).toHaveBeenCalledTimes(1);
    await a1.publish(`news:${tag}`, 'm');
    await b.publish(`news:${tag}`, 't');
    await vi.waitFor(() => expect(heard.sort()).toEqual([`a1 news:${tag} m`, `a2 news:${tag} m`, `b news:${tag} t`]));
    expect(await a1.unsubscribe()).toBe(0);
    await a2.publish(`news:${tag}`, 'again');
    await vi.waitFor(() => expect(heard).toContain(`a2 news:${tag} again`));
    expect(heard.filter((line) => line.startsWith('a1'))).toHaveLength(1);
    await Promise.all([a2.quit(), b.quit()]);
    duplicate.mockRestore();
    expect(raw.status).toBe('ready');
    // The one `end` listener that ties the subscriber to the cluster goes once the subscriber has ended.
    await vi.waitFor(() => expect(Object.fromEntries(raw.eventNames().map((event) => [String(event), raw.listenerCount(event)]))).toEqual(before));
    expect(await within(2000, a1.get(`k:${tag}`))).toBeNull();
  });
});
