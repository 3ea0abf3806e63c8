import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { CrossNamespaceError, IsolationConfigError, IsolationError, createIsolatedRedis, defineNamespaces, type Isolated } from '../../../src/index.js';
import { closeViewConnections } from '../../../src/adapters/own-connections.js';
import { NODE_REDIS_VARIANTS, NODE_REDIS_VERSIONS } from '../../support/node-redis-versions.js';
import type { NodeRedisTestClient as Client } from '../../support/node-redis-views.js';

/**
 * A reviewer's attempts to break isolation through the cheap views of issue 14 on node-redis: the
 * per-client base every view inherits its methods from, and the one subscriber connection every
 * view over a client shares, whatever its namespace. Tests that hold are kept as properties;
 * the findings of that review are fixed, and their tests say "(review finding, fixed)".
 *
 * Namespaces are random members of families, so that no other test file (pub/sub is
 * server-wide) publishes in them while a view listens to `*`.
 */
const deployment = defineNamespaces({
  namespaces: ['journal', 'celery'],
  families: ['tenant-*', 'team-*'],
});

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const short = (): string => randomUUID().slice(0, 8);

/** `promise`, or a rejection once `ms` have passed: a stalled reply fails the test instead of hanging it. */
const within = <T>(ms: number, promise: Promise<T>): Promise<T> =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no reply within ${ms} ms`)), ms))]);

/** A seeded generator (mulberry32): a failing sequence can be replayed from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Listener = (message: unknown, channel: unknown) => void;
const text = (value: unknown): string => (Buffer.isBuffer(value) ? `b:${value.toString()}` : String(value));
/** A listener recording `kind|channel|message` into `heard`. */
const recorder =
  (heard: string[], kind: string): Listener =>
  (message, channel) =>
    heard.push(`${kind}|${text(channel)}|${text(message)}`);

describe.each(NODE_REDIS_VARIANTS.map((variant, i) => ({ ...variant, db: i + 5 })))('$label: attacks on cheap views', ({ createClient, options, db }) => {
  const clients: Client[] = [];
  const client = (name = `atk-${short()}`, extra: Record<string, unknown> = {}): Client => {
    const c = createClient({
      url: `${inject('redisUrl')}/${db}`,
      name,
      ...options,
      ...extra,
    }) as Client;
    c.on('error', () => undefined);
    clients.push(c);
    return c;
  };
  const fresh = async (name?: string, extra?: Record<string, unknown>): Promise<Client> => {
    const c = client(name, extra);
    await c.connect();
    return c;
  };
  const views: Array<{ quit(): Promise<unknown> }> = [];
  const view = (namespace: string, over: Client, mode?: 'strict'): Isolated<Client> => {
    const v = createIsolatedRedis({
      namespace,
      namespaces: deployment,
      client: over,
      ...(mode ? { mode } : {}),
    });
    views.push(v);
    return v;
  };
  let observer: Client;
  /** The server's connections named `name`, as CLIENT LIST lines. */
  const connectionsNamed = async (name: string): Promise<string[]> =>
    String(await observer.sendCommand(['CLIENT', 'LIST']))
      .split('\n')
      .filter((line) => line.includes(` name=${name} `));
  const publisher = (namespace: string): Isolated<Client> => view(namespace, observer);

  beforeAll(async () => {
    observer = await fresh('atk-observer');
  });
  afterAll(async () => {
    // Bounded: a view stuck by a finding below (a subscription pending for ever) would hold its quit() for ever too.
    await Promise.all(views.map((v) => within(2000, v.quit()).catch(() => undefined)));
    for (const c of clients) await within(2000, closeViewConnections(c)).catch(() => undefined);
    await Promise.all(clients.filter((c) => c.isOpen).map((c) => c.close()));
  });

  it('property: no message crosses namespaces on the shared subscriber: same channel names and listener functions, `*` patterns, shard channels, Buffer listeners', async () => {
    const raw = await fresh();
    const id = short();
    const namespaces = [`tenant-${id}`, `tenant-${id}0`, `team-${id}`];
    const subscribers = namespaces.map((namespace) => ({
      namespace,
      strict: false,
      v: view(namespace, raw),
      heard: [] as string[],
    }));
    subscribers.push({
      namespace: namespaces[0] as string,
      strict: true,
      v: view(namespaces[0] as string, raw, 'strict'),
      heard: [],
    });
    // One function given to every view: each view must keep its own registration of it.
    const everyone: string[] = [];
    const shared: Listener = (message, channel) => everyone.push(`${text(channel)}|${text(message)}`);
    for (const { namespace, strict, v, heard } of subscribers) {
      const p = strict ? `${namespace}:` : '';
      await v.subscribe(`${p}news`, recorder(heard, 'message'));
      await v.subscribe(`${p}news`, recorder(heard, 'buffer'), true);
      await v.pSubscribe(`${p}*`, recorder(heard, 'pmessage'));
      await v.sSubscribe(`${p}s`, recorder(heard, 'smessage'));
      await v.subscribe(`${p}shared`, shared);
    }
    for (const namespace of namespaces) {
      const pub = publisher(namespace);
      await pub.publish('news', `n:${namespace}`);
      await pub.publish('other', `o:${namespace}`);
      await pub.sPublish('s', `s:${namespace}`);
    }
    await observer.publish('news', 'unprefixed');
    await observer.publish(`tenant-${id}1:news`, 'nobody here');
    const expected = ({ namespace, strict }: { namespace: string; strict: boolean }): string[] => {
      const p = strict ? `${namespace}:` : '';
      return [
        `message|${p}news|n:${namespace}`,
        `buffer|b:${p}news|b:n:${namespace}`,
        `pmessage|${p}news|n:${namespace}`,
        `pmessage|${p}other|o:${namespace}`,
        `smessage|${p}s|s:${namespace}`,
        `pmessage|${p}shared|${namespace}`,
      ].sort();
    };
    for (const namespace of namespaces) await publisher(namespace).publish('shared', namespace);
    const total = subscribers.reduce((sum, s) => sum + expected(s).length, 0);
    await vi.waitFor(() => expect(subscribers.reduce((sum, { heard }) => sum + heard.length, 0)).toBeGreaterThanOrEqual(total));
    await vi.waitFor(() => expect(everyone.length).toBeGreaterThanOrEqual(4));
    await pause(50);
    for (const s of subscribers) expect([...s.heard].sort(), `${s.namespace}${s.strict ? ' (strict)' : ''}`).toEqual(expected(s));
    expect([...everyone].sort()).toEqual([...namespaces.map((namespace) => `shared|${namespace}`), `tenant-${id}:shared|tenant-${id}`].sort());
  });

  it("property: a view's unsubscribe family, quit, close, disconnect and destroy end its own subscriptions only; listings and activity are per view", async () => {
    const name = `atk-${short()}`;
    const raw = await fresh(name);
    const id = short();
    const make = (): Array<{ v: Isolated<Client>; heard: string[] }> =>
      [`tenant-${id}`, `tenant-${id}`, `team-${id}`].map((namespace) => ({
        v: view(namespace, raw),
        heard: [] as string[],
      }));
    const round = async (end: (v: Isolated<Client>) => Promise<unknown> | unknown, label: string): Promise<void> => {
      const [a1, a2, b] = make() as [{ v: Isolated<Client>; heard: string[] }, { v: Isolated<Client>; heard: string[] }, { v: Isolated<Client>; heard: string[] }];
      const same: Listener = () => undefined;
      for (const { v, heard } of [a1, a2, b]) {
        await v.subscribe('c', recorder(heard, 'message'));
        await v.subscribe('c', same);
        await v.pSubscribe('*', recorder(heard, 'pmessage'));
        await v.sSubscribe('s', recorder(heard, 'smessage'));
      }
      await end(a1.v);
      await pause(10);
      expect(a1.v.isPubSubActive, label).toBe(false);
      expect(a1.v.getPubSubListeners('CHANNELS' as never).size, label).toBe(0);
      expect([a2.v.isPubSubActive, b.v.isPubSubActive], label).toEqual([true, true]);
      expect([...a2.v.getPubSubListeners('CHANNELS' as never).keys()], label).toEqual(['c']);
      expect([...a2.v.getPubSubListeners('PATTERNS' as never).keys()], label).toEqual(['*']);
      for (const namespace of [`tenant-${id}`, `team-${id}`]) {
        await publisher(namespace).publish('c', label);
        await publisher(namespace).sPublish('s', label);
      }
      const expected = [`message|c|${label}`, `pmessage|c|${label}`, `smessage|s|${label}`];
      await vi.waitFor(() => expect([[...a2.heard].sort(), [...b.heard].sort()], label).toEqual([expected, expected]));
      expect(a1.heard, label).toEqual([]);
      await Promise.all([a2.v.quit(), b.v.quit()]);
    };
    await round(async (v) => {
      await v.unsubscribe();
      await v.pUnsubscribe();
      await v.sUnsubscribe();
    }, 'bare');
    await round(async (v) => {
      await v.unsubscribe('c');
      await v.pUnsubscribe('*');
      await v.sUnsubscribe(['s', 'not-mine']);
    }, 'named');
    await round((v) => v.quit(), 'quit');
    await round((v) => v.close(), 'close');
    await round((v) => v.disconnect(), 'disconnect');
    await round((v) => v.destroy(), 'destroy');
    await vi.waitFor(async () => expect(await connectionsNamed(name)).toHaveLength(1));
  });

  it("property: another namespace's last shard unsubscription, or last channel unsubscription, leaves a view's subscriptions on the shared subscriber alone", async () => {
    const id = short();
    const raw = await fresh();
    const [a, b] = [view(`tenant-${id}`, raw), view(`team-${id}`, raw)];
    const heard: string[] = [];
    await a.subscribe('c', recorder(heard, 'message'));
    await b.sSubscribe('x', () => undefined);
    await b.sUnsubscribe('x');
    await publisher(`tenant-${id}`).publish('c', 'after team left its shard channel');
    const raw2 = await fresh();
    const [a2, b2] = [view(`tenant-${id}`, raw2), view(`team-${id}`, raw2)];
    await a2.sSubscribe('s', recorder(heard, 'smessage'));
    await b2.subscribe('y', () => undefined);
    await b2.unsubscribe('y');
    await publisher(`tenant-${id}`).sPublish('s', 'after team left its channel');
    await vi.waitFor(() => expect(heard.sort()).toEqual(['message|c|after team left its shard channel', 'smessage|s|after team left its channel']));
  });

  it("property: a view's refusals and server errors reach neither another view's listeners nor its subscriptions", async () => {
    const raw = await fresh();
    const id = short();
    const [a, strict, b] = [view(`tenant-${id}`, raw), view(`tenant-${id}`, raw, 'strict'), view(`team-${id}`, raw)];
    const errors: unknown[] = [];
    const heard: string[] = [];
    b.on('error', (error: unknown) => errors.push(error));
    await b.subscribe('c', recorder(heard, 'message'));
    await expect(strict.subscribe(`team-${id}:c`, () => undefined)).rejects.toBeInstanceOf(CrossNamespaceError);
    await expect(strict.pSubscribe('*', () => undefined)).rejects.toBeInstanceOf(IsolationError);
    await expect(strict.pSubscribe(`tenant-${id}*`, () => undefined)).rejects.toBeInstanceOf(IsolationError);
    await expect(a.unsubscribe(`team-${id}:c`)).rejects.toBeInstanceOf(CrossNamespaceError);
    await expect(a.subscribe([], () => undefined)).rejects.toBeInstanceOf(IsolationError);
    await expect(a.subscribe('c', undefined as never)).rejects.toBeInstanceOf(IsolationError);
    await expect(a.sendCommand(['SUBSCRIBE', 'c'])).rejects.toBeInstanceOf(IsolationError);
    await expect(a.sendCommand(['GET', 'k', 'extra'])).rejects.toThrow(); // a server error
    await expect(a.reset()).rejects.toBeInstanceOf(IsolationError);
    await expect(a.sendCommand(['RESET'])).rejects.toBeInstanceOf(IsolationError);
    await expect(a.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub'])).rejects.toBeInstanceOf(IsolationError);
    await expect(a.sendCommand(['UNSUBSCRIBE'])).rejects.toBeInstanceOf(IsolationError);
    await expect(a.multi().addCommand(['PUNSUBSCRIBE']).exec()).rejects.toBeInstanceOf(IsolationError);
    await expect(a.extendPubSubListeners('CHANNELS' as never, new Map() as never)).rejects.toBeInstanceOf(IsolationError);
    await publisher(`team-${id}`).publish('c', 'still');
    await vi.waitFor(() => expect(heard).toEqual(['message|c|still']));
    expect(errors).toEqual([]);
  });

  it("a view's message listener that throws hands its error to the view's own `error` listeners, not another namespace's (review finding, fixed)", async () => {
    const raw = await fresh();
    const id = short();
    const [a, b] = [view(`tenant-${id}`, raw), view(`team-${id}`, raw)];
    const seenByTeam: string[] = [];
    const seenByTenant: string[] = [];
    b.on('error', (error: Error) => seenByTeam.push(error.message));
    a.on('error', (error: Error) => seenByTenant.push(error.message));
    await a.subscribe('orders', (message) => {
      throw new Error(`cannot process order ${String(message)}`);
    });
    await publisher(`tenant-${id}`).publish('orders', 'card 4111-1111 (tenant secret)');
    await vi.waitFor(() => expect(seenByTenant).toEqual(['cannot process order card 4111-1111 (tenant secret)']));
    expect(seenByTeam.join('\n')).not.toContain('tenant secret');
  });

  it("an event one view emits reaches only its own listeners, and a forged `end` closes nothing (review finding, fixed)", async () => {
    const raw = await fresh();
    const id = short();
    const [a, b] = [view(`tenant-${id}`, raw), view(`team-${id}`, raw)];
    const got: unknown[] = [];
    b.on('error', (error: unknown) => got.push(error));
    b.on('ready', () => got.push('ready'));
    await b.subscribe('c', (message) => got.push(message));
    expect(await b.blPop('q', 0.01)).toBeNull(); // b's exclusive connection is open
    const blocking = b.blPop('q', 0.5).then(
      (reply) => reply,
      (error: Error) => error.message
    );
    await pause(50);
    a.emit('error', new Error('forged by tenant'));
    a.emit('ready');
    a.emit('end'); // what the client emits when its owner closes it: views' connections close with it
    got.push(await blocking);
    await pause(50);
    await publisher(`team-${id}`).publish('c', 'after tenant emitted end');
    await pause(100);
    expect(got).toEqual([null, 'after tenant emitted end']);
  });

  it('closeViewConnections() while the shared subscriber connects settles the subscriptions asked meanwhile, and leaves the channel usable for every view (review finding, fixed)', async () => {
    const name = `atk-${short()}`;
    const raw = await fresh(name);
    const id = short();
    const a = view(`tenant-${id}`, raw);
    const heard: string[] = [];
    const first = a.subscribe('c', recorder(heard, 'first'));
    const closing = closeViewConnections(raw);
    await closing;
    const outcome = await within(2000, first).then(
      () => 'subscribed',
      (error: Error) => (error.message.startsWith('no reply') ? 'pending' : 'refused')
    );
    // Another view of the namespace, on the same channel, later; and one of another namespace.
    const later = view(`tenant-${id}`, raw);
    const again = await within(2000, later.subscribe('c', recorder(heard, 'later'))).then(
      () => 'subscribed',
      (error: Error) => error.message
    );
    const otherView = view(`team-${id}`, raw);
    const other = await within(
      2000,
      otherView.subscribe('c', () => undefined)
    ).then(
      () => 'subscribed',
      (error: Error) => error.message
    );
    await otherView.quit();
    await later.quit();
    await pause(200);
    // Settled either way is fine for the first; pending for ever is not. With nothing subscribed, only the client's connection is left.
    expect({
      first: outcome === 'pending' ? 'pending' : 'settled',
      again,
      other,
      connections: (await connectionsNamed(name)).length,
    }).toEqual({ first: 'settled', again: 'subscribed', other: 'subscribed', connections: 1 });
  });

  it("duplicate({ name }) names the view's own connection in its namespace, and refuses another namespace's name (review finding, fixed)", async () => {
    const name = `atk-${short()}`;
    const raw = await fresh(name);
    const id = short();
    const [a, b] = [view(`tenant-${id}`, raw), view(`team-${id}`, raw)];
    expect(() => a.duplicate({ name: `team-${id}:worker` } as never)).toThrow(CrossNamespaceError);
    const own = a.duplicate({ name: 'worker' } as never);
    views.push(own);
    await own.connect();
    expect(await connectionsNamed(`tenant-${id}:worker`)).toHaveLength(1);
    const listed = String(await b.sendCommand(['CLIENT', 'LIST']));
    expect(listed).not.toContain(' name=worker ');
    expect(await connectionsNamed(`team-${id}:worker`)).toHaveLength(0);
  });

  it('property: what one view derives or sets on itself (command options, type mapping, methods) is not seen by another view of the same client', async () => {
    const raw = await fresh();
    const id = short();
    const [a, b] = [view(`tenant-${id}`, raw), view(`team-${id}`, raw)];
    await b.set('k', 'b');
    const mapped = a.withTypeMapping({ [36]: Buffer } as never);
    const optioned = a.withCommandOptions({
      typeMapping: { [36]: Buffer },
    } as never);
    expect(Buffer.isBuffer(await mapped.get('k'))).toBe(false); // a's own (missing) key: null
    expect(await b.get('k')).toBe('b');
    expect(await optioned.get('k')).toBeNull();
    expect((mapped as unknown as { isolation: { namespace: string } }).isolation.namespace).toBe(`tenant-${id}`);
    // Subscriptions of a derived view are its parent's: ended by the parent, seen by it only.
    const heard: string[] = [];
    await mapped.subscribe('c', recorder(heard, 'derived'));
    expect(a.isPubSubActive).toBe(true);
    expect(b.isPubSubActive).toBe(false);
    expect(b.getPubSubListeners('CHANNELS' as never).size).toBe(0);
    await a.unsubscribe();
    expect(mapped.isPubSubActive).toBe(false);
    // Assigning on a view lands on that view.
    (a as unknown as { sendCommand: unknown }).sendCommand = () => 'replaced';
    (a as unknown as { _commandOptions: unknown })._commandOptions = {
      typeMapping: { [36]: Buffer },
    };
    expect(await b.sendCommand(['GET', 'k'])).toBe('b');
    expect(await b.get('k')).toBe('b');
    const m1 = b.multi().get('k');
    const m2 = view(`tenant-${id}`, raw).multi().set('k', 'a');
    expect(await m2.exec()).toEqual(['OK']);
    expect(await m1.exec()).toEqual(['b']);
  });

  it('property: the per-client base a view inherits from runs nothing itself, and cannot be made a view', async () => {
    const raw = await fresh();
    const id = short();
    const a = view(`tenant-${id}`, raw);
    await a.set('k', 'a');
    const base = Object.getPrototypeOf(a) as Client;
    const attempts: Array<() => unknown> = [
      () => base.get(`tenant-${id}:k`),
      () => base.sendCommand(['GET', `team-${id}:k`]),
      () => base.subscribe(`team-${id}:c`, () => undefined),
      () => base.pSubscribe('*', () => undefined),
      () => base.multi().get('k').exec(),
      () => base.duplicate(),
      () => base.withTypeMapping({}).get('k'),
      () => base.on('error', () => undefined),
      () => base.quit(),
      () => base.getPubSubListeners('CHANNELS' as never),
      () =>
        createIsolatedRedis({
          namespace: `team-${id}`,
          namespaces: deployment,
          client: base,
        }).get('k'),
      () =>
        createIsolatedRedis({
          namespace: `team-${id}`,
          namespaces: deployment,
          client: Object.create(base) as Client,
        }).get('k'),
    ];
    for (const [i, attempt] of attempts.entries()) {
      const outcome = await (async () => attempt())().then(
        () => 'ran',
        (error: unknown) => error
      );
      expect(outcome, `attempt ${i}`).toBeInstanceOf(IsolationConfigError);
    }
    expect(await raw.get(`tenant-${id}:k`)).toBe('a');
  });

  it('property: when the shared subscriber connection is killed, node-redis resubscribes it and every view still hears only its own', async () => {
    const name = `atk-${short()}`;
    const raw = await fresh(name);
    const id = short();
    const [a, b] = [view(`tenant-${id}`, raw), view(`team-${id}`, raw)];
    const heard = { a: [] as string[], b: [] as string[] };
    await a.subscribe('c', recorder(heard.a, 'message'));
    await a.pSubscribe('*', recorder(heard.a, 'pmessage'));
    await b.subscribe('c', recorder(heard.b, 'message'));
    const subscriber = (await connectionsNamed(name)).find((line) => !/ sub=0 /.test(line));
    const killed = /\bid=(\d+)/.exec(subscriber ?? '')?.[1];
    expect(killed).toBeDefined();
    await observer.sendCommand(['CLIENT', 'KILL', 'ID', killed as string]);
    await vi.waitFor(async () => {
      expect(await observer.pubSubNumSub([`tenant-${id}:c`, `team-${id}:c`])).toEqual({ [`tenant-${id}:c`]: 1, [`team-${id}:c`]: 1 });
    });
    await publisher(`tenant-${id}`).publish('c', 'ta');
    await publisher(`team-${id}`).publish('c', 'tb');
    await vi.waitFor(() => expect(heard.a.length + heard.b.length).toBe(3));
    expect(heard.a.sort()).toEqual(['message|c|ta', 'pmessage|c|ta']);
    expect(heard.b).toEqual(['message|c|tb']);
    await Promise.all([a.quit(), b.quit()]);
    await vi.waitFor(async () => expect(await connectionsNamed(name)).toHaveLength(1));
  });

  it("property: a subscription the server refuses to one namespace (ACL channel rules) leaves another namespace's subscriptions on the shared subscriber working", async () => {
    const id = short();
    const user = `atk-${id}`;
    await observer.sendCommand(['ACL', 'SETUSER', user, 'on', `>${id}`, '~*', 'resetchannels', `&team-${id}:*`, '+@all']);
    const raw = await fresh(undefined, { username: user, password: id });
    try {
      const [a, b] = [view(`tenant-${id}`, raw), view(`team-${id}`, raw)];
      const heard = { a: [] as string[], b: [] as string[] };
      await b.subscribe('c', recorder(heard.b, 'message'));
      await expect(within(2000, a.subscribe('c', recorder(heard.a, 'message')))).rejects.toThrow(/NOPERM|permission/i);
      await expect(within(2000, a.pSubscribe('*', recorder(heard.a, 'pmessage')))).rejects.toThrow(/NOPERM|permission/i);
      await within(2000, b.pSubscribe('*', recorder(heard.b, 'pmessage')));
      await within(2000, b.subscribe('d', recorder(heard.b, 'message')));
      await publisher(`team-${id}`).publish('c', 'tb');
      await vi.waitFor(() => expect(heard.b.sort()).toEqual(['message|c|tb', 'pmessage|c|tb']));
      expect(heard.a).toEqual([]);
      expect(a.isPubSubActive).toBe(false);
      expect([...b.getPubSubListeners('CHANNELS' as never).keys()].sort()).toEqual(['c', 'd']);
      await within(2000, b.quit());
    } finally {
      await closeViewConnections(raw, 'disconnect');
      raw.destroy();
      await observer.sendCommand(['ACL', 'DELUSER', user]);
    }
  });

  it('property: a dropped subscribed view hears only its namespace; after closeViewConnections nobody hears the old subscriptions, and views subscribe again confined', async () => {
    const name = `atk-${short()}`;
    const raw = await fresh(name);
    const id = short();
    const droppedHeard: string[] = [];
    await (async () => {
      const dropped = createIsolatedRedis({
        namespace: `tenant-${id}`,
        namespaces: deployment,
        client: raw,
      });
      await dropped.subscribe('c', recorder(droppedHeard, 'message'));
      await dropped.pSubscribe('*', recorder(droppedHeard, 'pmessage'));
    })();
    const b = view(`team-${id}`, raw);
    const bHeard: string[] = [];
    await b.subscribe('c', recorder(bHeard, 'message'));
    await publisher(`team-${id}`).publish('c', 'team');
    await publisher(`tenant-${id}`).publish('c', 'tenant');
    await vi.waitFor(() => expect([droppedHeard.length, bHeard.length]).toEqual([2, 1]));
    expect(droppedHeard.sort()).toEqual(['message|c|tenant', 'pmessage|c|tenant']);
    await closeViewConnections(raw);
    await vi.waitFor(async () => expect(await connectionsNamed(name)).toHaveLength(1));
    await b.subscribe('c', recorder(bHeard, 'again'));
    await publisher(`tenant-${id}`).publish('c', 'tenant again');
    await publisher(`team-${id}`).publish('c', 'team again');
    await vi.waitFor(() => expect(bHeard).toEqual(['message|c|team', 'again|c|team again']));
    await pause(50);
    expect(droppedHeard).toHaveLength(2);
    await b.quit();
  });

  it('property (seeded): concurrent subscribes and unsubscribes of one prefixed channel by views of one namespace end as the last asked', async () => {
    const raw = await fresh();
    const id = short();
    const seed = Number(process.env.ATTACK_SEED ?? Date.now() % 100_000);
    const next = random(seed);
    for (let round = 0; round < 20; round++) {
      const ns = `tenant-${id}r${round}`;
      const vs = [view(ns, raw), view(ns, raw), view(`team-${id}r${round}`, raw)];
      const heard = vs.map(() => [] as string[]);
      // Two listener functions per view.
      const listeners = vs.map((_, i) =>
        [0, 1].map(
          (which): Listener =>
            (message) =>
              heard[i]?.push(`${which}|${String(message)}`)
        )
      );
      const wants = vs.map(() => [false, false]);
      const ops: Array<Promise<unknown>> = [];
      for (let step = 0; step < 12; step++) {
        const i = Math.floor(next() * vs.length);
        const v = vs[i] as Isolated<Client>;
        const want = wants[i] as boolean[];
        const which = Math.floor(next() * 2);
        const listener = (listeners[i] as Listener[])[which] as Listener;
        const op = Math.floor(next() * 5);
        // Not awaited: the operations race, each view's in the order it asked them.
        if (op === 0 || op === 1) {
          ops.push(v.subscribe('c', listener));
          want[which] = true;
        } else if (op === 2) {
          ops.push(v.unsubscribe('c', listener));
          want[which] = false;
        } else {
          ops.push(op === 3 ? v.unsubscribe('c') : v.quit());
          want.fill(false);
        }
      }
      await within(5000, Promise.all(ops));
      const message = `m${round}`;
      await publisher(ns).publish('c', message);
      await publisher(`team-${id}r${round}`).publish('c', message);
      const expected = wants.map((want) => want.flatMap((on, which) => (on ? [`${which}|${message}`] : [])));
      await pause(30);
      await vi.waitFor(() =>
        expect(
          heard.map((h) => [...h].sort()),
          `seed ${seed}, round ${round}`
        ).toEqual(expected)
      );
      const subscribed = (wants[0]?.some(Boolean) ?? false) || (wants[1]?.some(Boolean) ?? false);
      expect(await observer.pubSubNumSub([`${ns}:c`]), `seed ${seed}, round ${round}`).toEqual({ [`${ns}:c`]: subscribed ? 1 : 0 });
      await Promise.all(vs.map((v) => v.quit()));
    }
  });
});

describe.each(NODE_REDIS_VERSIONS)('$name, cluster: attacks on cheap views', ({ createCluster }) => {
  let raw: ReturnType<typeof createCluster>;
  const opened: Array<{ quit(): Promise<unknown> }> = [];
  afterAll(async () => {
    await Promise.all(opened.map((v) => v.quit().catch(() => undefined)));
    await raw?.close();
  });

  it('property: views of two namespaces on one cluster: `*` patterns, same names and shard channels stay confined; a bare unsubscribe and quit end only their own', async () => {
    raw = createCluster({
      rootNodes: inject('redisClusterPorts').map((port) => ({
        url: `redis://127.0.0.1:${port}`,
      })),
    });
    raw.on('error', () => undefined);
    await raw.connect();
    const id = short();
    type ClusterView = Isolated<typeof raw>;
    const view = (namespace: string): ClusterView => {
      const v = createIsolatedRedis({
        namespace,
        namespaces: deployment,
        client: raw,
      });
      opened.push(v);
      return v;
    };
    const [a, a2, b] = [view(`tenant-${id}`), view(`tenant-${id}`), view(`team-${id}`)];
    const heard = {
      a: [] as string[],
      a2: [] as string[],
      b: [] as string[],
    };
    await a.pSubscribe('*', recorder(heard.a, 'pmessage'));
    await a2.subscribe('c', recorder(heard.a2, 'message'));
    await a2.sSubscribe('s', recorder(heard.a2, 'smessage'));
    await b.subscribe('c', recorder(heard.b, 'message'));
    await b.pSubscribe('*', recorder(heard.b, 'pmessage'));
    await b.sSubscribe('s', recorder(heard.b, 'smessage'));
    await b.publish('c', 'tb');
    await b.sPublish('s', 'sb');
    await a2.publish('c', 'ta');
    await a2.sPublish('s', 'sa');
    await vi.waitFor(() => expect(heard.a.length + heard.a2.length + heard.b.length).toBe(6));
    expect(heard.a).toEqual(['pmessage|c|ta']);
    expect(heard.a2.sort()).toEqual(['message|c|ta', 'smessage|s|sa']);
    expect(heard.b.sort()).toEqual(['message|c|tb', 'pmessage|c|tb', 'smessage|s|sb']);
    await a.pUnsubscribe();
    await a2.sUnsubscribe('s');
    await a2.quit();
    await b.publish('c', 'tb2');
    await b.sPublish('s', 'sb2');
    await vi.waitFor(() => expect(heard.b).toHaveLength(6));
    expect(heard.a).toHaveLength(1);
    expect(heard.a2).toHaveLength(2);
  });

  it("on a cluster, a view's message listener that throws hands its error to the view's own `error` listeners only (review finding, fixed)", async () => {
    const id = short();
    const a = createIsolatedRedis({
      namespace: `tenant-${id}`,
      namespaces: deployment,
      client: raw,
    });
    const b = createIsolatedRedis({
      namespace: `team-${id}`,
      namespaces: deployment,
      client: raw,
    });
    opened.push(a, b);
    const seenByTeam: string[] = [];
    const seenByTenant: string[] = [];
    b.on('error', (error: Error) => seenByTeam.push(error.message));
    a.on('error', (error: Error) => seenByTenant.push(error.message));
    await a.subscribe('orders', (message) => {
      throw new Error(`cannot process order ${String(message)}`);
    });
    await a.publish('orders', 'card 4111-1111 (tenant secret)');
    await vi.waitFor(() => expect(seenByTenant).toHaveLength(1));
    expect(seenByTeam.join('\n')).not.toContain('tenant secret');
  });
});
