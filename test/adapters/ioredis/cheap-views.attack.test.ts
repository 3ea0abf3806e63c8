import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { CrossNamespaceError, IsolationConfigError, IsolationError, createIsolatedRedis, defineNamespaces, type Isolated } from '../../../src/index.js';
import { closeViewConnections } from '../../../src/adapters/own-connections.js';
import { IOREDIS_VERSIONS } from '../../support/ioredis-versions.js';

/**
 * A reviewer's attempts to break isolation through the cheap views of issue 14 on ioredis: the
 * per-client base every view of a client inherits its methods from, and the one subscriber
 * connection every view over a client shares, whatever its namespace. Tests that hold are kept
 * as properties; the findings of that review are fixed, and their tests say "(review finding, fixed)".
 *
 * Namespaces are random members of families, so that no other test file (pub/sub is
 * server-wide) publishes in them while a view listens to `*`.
 */
const deployment = defineNamespaces({
  namespaces: ['mcp2', 'celery'],
  families: ['tenant-*', 'team-*'],
});

/** `promise`, or a rejection once `ms` have passed: a stalled reply fails the test instead of hanging it. */
const within = <T>(ms: number, promise: Promise<T>): Promise<T> =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no reply within ${ms} ms`)), ms))]);

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

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

const short = (): string => randomUUID().slice(0, 8);

type Heard = string[];
/** Every message event a view can hear, recorded as `event|pattern|channel|message` (Buffers marked `b:`). */
const MESSAGE_EVENTS = ['message', 'messageBuffer', 'pmessage', 'pmessageBuffer', 'smessage', 'smessageBuffer'] as const;
const TEXT_EVENTS = ['message', 'pmessage', 'smessage'] as const;
const text = (value: unknown): string => (Buffer.isBuffer(value) ? `b:${value.toString()}` : String(value));
function record(view: { on(event: string, listener: (...args: unknown[]) => void): unknown }, heard: Heard, events: readonly string[] = TEXT_EVENTS): void {
  for (const event of events) {
    view.on(event, (...args: unknown[]) => {
      const [pattern, channel, message] = event.startsWith('p') ? args : [undefined, ...args];
      heard.push(`${event}|${pattern === undefined ? '' : text(pattern)}|${text(channel)}|${text(message)}`);
    });
  }
}

describe.each(
  IOREDIS_VERSIONS.flatMap((version) =>
    (version.name === 'ioredis 6' ? [2, 3] : [2]).map((protocol) => ({
      ...version,
      protocol,
    }))
  )
)('$name (RESP$protocol), standalone: attacks on cheap views', ({ Redis, protocol }) => {
  type Client = InstanceType<typeof Redis>;
  const closers: Array<() => unknown> = [];
  afterAll(async () => {
    for (const close of closers) await close();
  });
  const client = (name = `atk-${short()}`, extra: Record<string, unknown> = {}): Client => {
    const c = new Redis(`${inject('redisUrl')}/12`, {
      protocol,
      connectionName: name,
      ...extra,
    } as unknown as Record<string, never>);
    c.on('error', () => undefined);
    closers.push(() => c.disconnect());
    return c;
  };
  const view = (namespace: string, over: Client, mode?: 'strict'): Isolated<Client> => {
    const v = createIsolatedRedis({
      namespace,
      namespaces: deployment,
      client: over,
      ...(mode ? { mode } : {}),
    });
    closers.unshift(() => v.quit());
    return v;
  };
  const observer = client('atk-observer');
  /** The server's connections named `name`, as CLIENT LIST lines. */
  const connectionsNamed = async (name: string): Promise<string[]> =>
    String(await observer.client('LIST'))
      .split('\n')
      .filter((line) => line.includes(` name=${name} `));

  it('property: no message crosses namespaces on the shared subscriber: same channel names, `*` patterns, shard channels, text and Buffer events', async () => {
    const raw = client();
    const id = short();
    // tenant-<id> and tenant-<id>0: one name starts the other; team-<id>: another family.
    const namespaces = [`tenant-${id}`, `tenant-${id}0`, `team-${id}`];
    const views = namespaces.map((namespace) => ({
      namespace,
      strict: false,
      v: view(namespace, raw),
      heard: [] as Heard,
    }));
    views.push({
      namespace: namespaces[0] as string,
      strict: true,
      v: view(namespaces[0] as string, raw, 'strict'),
      heard: [],
    });
    for (const { v, heard } of views) record(v, heard, MESSAGE_EVENTS);
    for (const { namespace, strict, v } of views) {
      const p = strict ? `${namespace}:` : '';
      expect(await v.subscribe(`${p}news`, Buffer.from(`${p}bin`))).toBe(2);
      expect(await v.psubscribe(`${p}*`)).toBe(3);
      expect(await v.ssubscribe(`${p}s`)).toBe(1);
    }
    // Each prefix-mode view publishes on the same user names; the raw client on names of no namespace here.
    for (const { namespace, strict, v } of views) {
      if (strict) continue;
      await v.publish('news', `n:${namespace}`);
      await v.publish(Buffer.from('bin'), Buffer.from(`b:${namespace}`));
      await v.publish('other', `o:${namespace}`);
      await v.spublish('s', `s:${namespace}`);
    }
    await raw.publish('news', 'unprefixed');
    await raw.publish(`tenant-${id}1:news`, 'nobody here');
    await raw.publish(`tenant-${id}:`, 'empty channel of the first namespace');
    const expected = ({ namespace, strict }: { namespace: string; strict: boolean }): string[] => {
      const p = strict ? `${namespace}:` : '';
      const pattern = `${p}*`;
      const lines = [
        `message||${p}news|n:${namespace}`,
        `messageBuffer||b:${p}news|b:n:${namespace}`,
        `message||${p}bin|b:${namespace}`,
        `messageBuffer||b:${p}bin|b:b:${namespace}`,
        `smessage||${p}s|s:${namespace}`,
        `smessageBuffer||b:${p}s|b:s:${namespace}`,
      ];
      for (const [channel, message] of [
        ['news', `n:${namespace}`],
        ['bin', `b:${namespace}`],
        ['other', `o:${namespace}`],
        ['', 'empty channel of the first namespace'],
      ] as const) {
        if (channel === '' && namespace !== namespaces[0]) continue;
        lines.push(`pmessage|${pattern}|${p}${channel}|${message}`, `pmessageBuffer|${pattern}|b:${p}${channel}|b:${message}`);
      }
      return lines.sort();
    };
    const total = views.reduce((sum, v) => sum + expected(v).length, 0);
    await vi.waitFor(() => expect(views.reduce((sum, { heard }) => sum + heard.length, 0)).toBeGreaterThanOrEqual(total));
    await pause(50);
    for (const v of views) expect([...v.heard].sort(), `${v.namespace}${v.strict ? ' (strict)' : ''}`).toEqual(expected(v));
  });

  it("property: a view's unsubscribe family, quit and disconnect end its own subscriptions only, of its namespace or another", async () => {
    const name = `atk-${short()}`;
    const raw = client(name);
    const id = short();
    const [a1, a2, b] = [view(`tenant-${id}`, raw), view(`tenant-${id}`, raw), view(`team-${id}`, raw)];
    const heard = { a1: [] as Heard, a2: [] as Heard, b: [] as Heard };
    record(a1, heard.a1);
    record(a2, heard.a2);
    record(b, heard.b);
    for (const v of [a1, a2, b]) {
      expect(await v.subscribe('c')).toBe(1);
      expect(await v.psubscribe('*')).toBe(2);
      expect(await v.ssubscribe('s')).toBe(1);
    }
    // Bare, named (channels the view has and has not), raw-command forms.
    expect(await a1.unsubscribe()).toBe(1);
    expect(await a1.call('punsubscribe')).toBe(0);
    expect(await a1.sunsubscribe('s', 'not-mine')).toBe(0);
    expect(await b.unsubscribe('never-subscribed')).toBe(2);
    const publishAll = async (round: string): Promise<void> => {
      await view(`tenant-${id}`, observer).publish('c', round);
      await view(`tenant-${id}`, observer).spublish('s', round);
      await view(`team-${id}`, observer).publish('c', round);
      await view(`team-${id}`, observer).spublish('s', round);
    };
    const reset = (): void => {
      for (const list of Object.values(heard)) list.length = 0;
    };
    await publishAll('r1');
    await vi.waitFor(() => expect([heard.a2.length, heard.b.length]).toEqual([3, 3]));
    expect(heard.a1).toEqual([]);
    // a2 quits: b keeps everything, and a1 (which subscribes again) too.
    reset();
    expect(await a1.subscribe('c')).toBe(1);
    await a2.quit();
    await publishAll('r2');
    await vi.waitFor(() => expect([heard.a1.length, heard.b.length]).toEqual([1, 3]));
    expect(heard.a2).toEqual([]);
    // b disconnects: a1 keeps its channel.
    reset();
    b.disconnect();
    await pause(20);
    await publishAll('r3');
    await vi.waitFor(() => expect(heard.a1).toEqual(['message||c|r3']));
    expect(heard.b).toEqual([]);
    expect(await observer.pubsub('NUMSUB', `tenant-${id}:c`, `team-${id}:c`)).toEqual([`tenant-${id}:c`, 1, `team-${id}:c`, 0]);
    expect(await observer.pubsub('NUMPAT')).toBeGreaterThanOrEqual(0);
    await a1.quit();
    await vi.waitFor(async () => expect(await connectionsNamed(name)).toHaveLength(1));
  });

  it("property: a view's refusals and server errors reach neither another view's listeners nor its subscriptions", async () => {
    const raw = client();
    const id = short();
    const [a, strict, b] = [view(`tenant-${id}`, raw), view(`tenant-${id}`, raw, 'strict'), view(`team-${id}`, raw)];
    const errors: unknown[] = [];
    const heard: Heard = [];
    b.on('error', (error: unknown) => errors.push(error));
    record(b, heard);
    expect(await b.subscribe('c')).toBe(1);
    await expect(strict.subscribe(`team-${id}:c`)).rejects.toBeInstanceOf(CrossNamespaceError);
    await expect(strict.psubscribe(`team-${id}:*`)).rejects.toBeInstanceOf(CrossNamespaceError);
    await expect(strict.psubscribe('*')).rejects.toBeInstanceOf(IsolationError);
    await expect(strict.psubscribe('t*')).rejects.toBeInstanceOf(IsolationError);
    await expect(strict.psubscribe(`tenant-${id}*`)).rejects.toBeInstanceOf(IsolationError);
    await expect(a.call('subscribe')).rejects.toThrow();
    await expect(a.call('psubscribe')).rejects.toThrow();
    await expect(a.unsubscribe(`team-${id}:c`)).rejects.toBeInstanceOf(CrossNamespaceError);
    await expect(a.call('unsubscribe', `team-${id}:c`)).rejects.toBeInstanceOf(CrossNamespaceError);
    await expect(a.get('k', 'extra' as never)).rejects.toThrow(); // a server error
    await expect(a.call('reset')).rejects.toBeInstanceOf(IsolationError);
    await expect(a.call('client', 'kill', 'type', 'pubsub')).rejects.toBeInstanceOf(IsolationError);
    await expect(a.call('client', 'reply', 'off')).rejects.toBeInstanceOf(IsolationError);
    await expect(a.pipeline().subscribe('c').exec()).rejects.toBeInstanceOf(IsolationError);
    await expect(a.multi().unsubscribe().exec()).rejects.toBeInstanceOf(IsolationError);
    await view(`team-${id}`, observer).publish('c', 'still');
    await vi.waitFor(() => expect(heard).toEqual(['message||c|still']));
    expect(errors).toEqual([]);
    expect(await observer.pubsub('NUMSUB', `team-${id}:c`)).toEqual([`team-${id}:c`, 1]);
  });

  it('property: what one view sets on itself (scripts, options, methods, listeners) is not seen by another view of the same client', async () => {
    const raw = client();
    const id = short();
    const [a, b] = [view(`tenant-${id}`, raw), view(`team-${id}`, raw)];
    a.defineCommand('leak', {
      numberOfKeys: 1,
      lua: 'return redis.call("GET", KEYS[1])',
    });
    expect(typeof (a as unknown as { leak?: unknown }).leak).toBe('function');
    expect((b as unknown as { leak?: unknown }).leak).toBeUndefined();
    expect(Object.keys(b.scriptsSet as object)).not.toContain('leak');
    expect(Object.keys(raw.scriptsSet as object)).not.toContain('leak');
    // Assigning on a view lands on that view.
    (a as unknown as { options: object }).options = {
      keyPrefix: `team-${id}:`,
    };
    (a as unknown as { sendCommand: unknown }).sendCommand = () => 'replaced';
    expect(b.options.keyPrefix).toBe(raw.options.keyPrefix);
    await b.set('k', 'b');
    expect(await b.get('k')).toBe('b');
    expect(await raw.get(`team-${id}:k`)).toBe('b');
    // Derived objects keep their view's namespace.
    const [pa, pb] = [b.pipeline(), view(`tenant-${id}`, raw).multi()];
    pb.set('k', 'a');
    pa.get('k');
    expect(await pb.exec()).toEqual([[null, 'OK']]);
    expect(await pa.exec()).toEqual([[null, 'b']]);
    const dup = b.duplicate();
    closers.unshift(() => dup.quit());
    expect(dup.isolation.namespace).toBe(`team-${id}`);
    expect(await dup.get('k')).toBe('b');
    expect(a.isolation.namespace).toBe(`tenant-${id}`);
    expect(b.isolation.namespace).toBe(`team-${id}`);
  });

  it('property: the per-client base a view inherits from runs nothing itself, and cannot be made a view', async () => {
    const raw = client();
    const id = short();
    const a = view(`tenant-${id}`, raw);
    await a.set('k', 'a');
    const base = Object.getPrototypeOf(a) as Client;
    expect(Object.getPrototypeOf(base)).toBe(raw); // documented: a view's prototype chain leads to the raw client
    expect((base as unknown as { isolation?: unknown }).isolation).toBeUndefined();
    const attempts: Array<() => unknown> = [
      () => base.get(`tenant-${id}:k`),
      () => base.call('get', `team-${id}:k`),
      () => base.subscribe(`team-${id}:c`),
      () => base.psubscribe('*'),
      () => base.pipeline().get('k').exec(),
      () => base.multi().get('k').exec(),
      () => base.duplicate(),
      () => base.on('message', () => undefined),
      () => base.quit(),
      () => base.scriptsSet,
      () =>
        createIsolatedRedis({
          namespace: `team-${id}`,
          namespaces: deployment,
          client: base,
        }),
    ];
    for (const attempt of attempts) {
      const outcome = await (async () => attempt())().then(
        () => 'ran',
        (error: unknown) => error
      );
      expect(outcome).toBeInstanceOf(IsolationConfigError);
    }
    // A client made from the base (an object inheriting it): refused when wrapped, or its views' commands are.
    const borrowed = Object.create(base) as Client;
    const outcome = await (async () =>
      createIsolatedRedis({
        namespace: `team-${id}`,
        namespaces: deployment,
        client: borrowed,
      }).get('k'))().then(
      () => 'ran',
      (error: unknown) => error
    );
    expect(outcome).toBeInstanceOf(IsolationConfigError);
    expect(await raw.get(`tenant-${id}:k`)).toBe('a');
  });

  it("a view lists (and can call) only its own `error` listeners (review finding, fixed)", async () => {
    const raw = client();
    const id = short();
    const [a, b] = [view(`tenant-${id}`, raw), view(`team-${id}`, raw)];
    const bListener = (error: unknown): void => void error;
    b.on('error', bListener);
    // node-redis views list only their own listeners (issue 12); an ioredis view lists the client's.
    expect(a.listeners('error')).not.toContain(bListener);
    expect(a.rawListeners('error')).not.toContain(bListener);
    expect(a.listenerCount('error')).toBe(0);
  });

  it("an event one view emits reaches only its own listeners, and a forged `end` closes nothing (review finding, fixed)", async () => {
    const raw = client();
    const id = short();
    const [a, b] = [view(`tenant-${id}`, raw), view(`team-${id}`, raw)];
    await raw.ping();
    const got: unknown[] = [];
    b.on('error', (error: unknown) => got.push(error));
    b.on('ready', () => got.push('ready'));
    b.on('message', (_channel: string, message: string) => got.push(message));
    expect(await b.subscribe('c')).toBe(1);
    expect(await b.blpop('q', 0.01)).toBeNull(); // b's exclusive connection is open
    const blocking = b.blpop('q', 0.5).then(
      (reply) => reply,
      (error: Error) => error.message
    );
    await pause(50);
    a.emit('error', new Error('forged by tenant'));
    a.emit('ready');
    a.emit('end'); // what the client emits when its owner closes it: views' connections close with it
    got.push(await blocking);
    await pause(50);
    await view(`team-${id}`, observer).publish('c', 'after tenant emitted end');
    await pause(100);
    expect(got).toEqual([null, 'after tenant emitted end']);
  });

  it("property: another namespace's last shard unsubscription (or last channel unsubscription) leaves a view's subscriptions on the shared subscribers working", async () => {
    // Redis counts shard channels apart from channels and patterns: SUNSUBSCRIBE of the last
    // shard channel answers 0 while channels remain, and ioredis then takes the connection out
    // of subscriber mode. Shard channels therefore go on a second shared subscriber, so that
    // one view's last (S)UNSUBSCRIBE never ends subscriber mode under another view's channels.
    const id = short();
    // a listens to a channel; b (another namespace) subscribes to a shard channel and leaves it.
    const name = `atk-${short()}`;
    const raw = client(name);
    const [a, other] = [view(`tenant-${id}`, raw), view(`team-${id}`, raw)];
    const heard: Heard = [];
    record(a, heard);
    expect(await a.subscribe('c')).toBe(1);
    expect(await other.ssubscribe('x')).toBe(1);
    // The client, its subscriber for channels, and the one for shard channels, opened by the first SSUBSCRIBE...
    expect(await connectionsNamed(name)).toHaveLength(3);
    expect(await other.sunsubscribe('x')).toBe(0);
    // ...and closed with the last one.
    await vi.waitFor(async () => expect(await connectionsNamed(name)).toHaveLength(2));
    await view(`tenant-${id}`, observer).publish('c', 'after team left its shard channel');
    // And the other way round: a listens to a shard channel; b subscribes to a channel and leaves it.
    const raw2 = client();
    const [a2, b2] = [view(`tenant-${id}`, raw2), view(`team-${id}`, raw2)];
    const heard2: Heard = [];
    record(a2, heard2);
    expect(await a2.ssubscribe('s')).toBe(1);
    expect(await b2.subscribe('y')).toBe(1);
    expect(await b2.unsubscribe('y')).toBe(0);
    await view(`tenant-${id}`, observer).spublish('s', 'after team left its channel');
    await pause(100);
    expect({ channel: heard, shard: heard2 }).toEqual({
      channel: ['message||c|after team left its shard channel'],
      shard: ['smessage||s|after team left its channel'],
    });
  });

  it("property: a subscription the server refuses to one namespace (ACL channel rules) leaves another namespace's subscriptions on the shared subscriber working", async () => {
    const id = short();
    const user = `atk-${id}`;
    await observer.call('ACL', 'SETUSER', user, 'on', `>${id}`, '~*', 'resetchannels', `&team-${id}:*`, '+@all');
    const raw = client(undefined, { username: user, password: id });
    try {
      const [a, b] = [view(`tenant-${id}`, raw), view(`team-${id}`, raw)];
      const heard = { a: [] as Heard, b: [] as Heard };
      record(a, heard.a);
      record(b, heard.b);
      expect(await b.subscribe('c')).toBe(1);
      await expect(a.subscribe('c')).rejects.toThrow(/NOPERM|permission/i);
      await expect(a.psubscribe('*')).rejects.toThrow(/NOPERM|permission/i);
      expect(await b.psubscribe('*')).toBe(2);
      expect(await b.subscribe('d')).toBe(3);
      await view(`team-${id}`, observer).publish('c', 'tb');
      await vi.waitFor(() => expect(heard.b.sort()).toEqual(['message||c|tb', 'pmessage|*|c|tb']));
      expect(heard.a).toEqual([]);
      expect(await b.unsubscribe()).toBe(1);
      expect(await a.unsubscribe()).toBe(0);
    } finally {
      await closeViewConnections(raw, 'disconnect');
      raw.disconnect();
      await observer.call('ACL', 'DELUSER', user);
    }
  });

  it('property: closeViewConnections() while the shared subscriber connects settles the subscriptions asked meanwhile, and later ones work', async () => {
    const raw = client();
    const id = short();
    const a = view(`tenant-${id}`, raw);
    const first = a.subscribe('c');
    await closeViewConnections(raw);
    const outcome = await within(2000, first).then(
      () => 'subscribed',
      (error: Error) => (error.message.startsWith('no reply') ? 'pending' : 'refused')
    );
    const later = view(`tenant-${id}`, raw);
    const heard: Heard = [];
    record(later, heard);
    expect({
      first: outcome === 'pending' ? 'pending' : 'settled',
      again: await within(2000, later.subscribe('c')),
    }).toEqual({ first: 'settled', again: 1 });
    await view(`tenant-${id}`, observer).publish('c', 'later');
    await vi.waitFor(() => expect(heard).toEqual(['message||c|later']));
  });

  it('property: a dropped subscribed view hears only its namespace; after closeViewConnections it hears nothing, and views subscribe again confined', async () => {
    const name = `atk-${short()}`;
    const raw = client(name);
    const id = short();
    const droppedHeard: Heard = [];
    await (async () => {
      const dropped = createIsolatedRedis({
        namespace: `tenant-${id}`,
        namespaces: deployment,
        client: raw,
      });
      record(dropped, droppedHeard);
      await dropped.subscribe('c');
      await dropped.psubscribe('*');
    })();
    const b = view(`team-${id}`, raw);
    const bHeard: Heard = [];
    record(b, bHeard);
    await b.subscribe('c');
    await view(`team-${id}`, observer).publish('c', 'team');
    await view(`tenant-${id}`, observer).publish('c', 'tenant');
    await vi.waitFor(() => expect([droppedHeard.length, bHeard.length]).toEqual([2, 1]));
    expect(droppedHeard.sort()).toEqual(['message||c|tenant', 'pmessage|*|c|tenant']);
    expect(bHeard).toEqual(['message||c|team']);
    await closeViewConnections(raw);
    await vi.waitFor(async () => expect(await connectionsNamed(name)).toHaveLength(1));
    // b subscribes again (a new shared subscriber): the dropped view's subscriptions are gone for good.
    expect(await b.subscribe('c')).toBe(1);
    await view(`tenant-${id}`, observer).publish('c', 'tenant again');
    await view(`team-${id}`, observer).publish('c', 'team again');
    await vi.waitFor(() => expect(bHeard).toEqual(['message||c|team', 'message||c|team again']));
    await pause(50);
    expect(droppedHeard).toHaveLength(2);
  });

  it('property: when the shared subscriber connection is killed, ioredis resubscribes it and every view still hears only its own', async () => {
    const name = `atk-${short()}`;
    const raw = client(name);
    const id = short();
    const [a, b] = [view(`tenant-${id}`, raw), view(`team-${id}`, raw)];
    const heard = { a: [] as Heard, b: [] as Heard };
    record(a, heard.a);
    record(b, heard.b);
    await a.subscribe('c');
    await a.psubscribe('*');
    await b.subscribe('c');
    const subscriber = (await connectionsNamed(name)).find((line) => !/ sub=0 /.test(line));
    const killed = /\bid=(\d+)/.exec(subscriber ?? '')?.[1];
    expect(killed).toBeDefined();
    await observer.client('KILL', 'ID', killed as string);
    await vi.waitFor(async () => {
      expect(await observer.pubsub('NUMSUB', `tenant-${id}:c`, `team-${id}:c`)).toEqual([`tenant-${id}:c`, 1, `team-${id}:c`, 1]);
    });
    await view(`tenant-${id}`, observer).publish('c', 'ta');
    await view(`team-${id}`, observer).publish('c', 'tb');
    await vi.waitFor(() => expect(heard.a.length + heard.b.length).toBe(3));
    expect(heard.a.sort()).toEqual(['message||c|ta', 'pmessage|*|c|ta']);
    expect(heard.b).toEqual(['message||c|tb']);
    // Counts are still the views' own.
    expect(await a.subscribe('d')).toBe(3);
    expect(await b.unsubscribe()).toBe(0);
  });

  it('property: the client closed by its owner and connected again: views subscribe again, each confined, on one new subscriber', async () => {
    const name = `atk-${short()}`;
    const raw = client(name);
    const id = short();
    const [a, b] = [view(`tenant-${id}`, raw), view(`team-${id}`, raw)];
    const heard = { a: [] as Heard, b: [] as Heard };
    record(a, heard.a);
    record(b, heard.b);
    await a.subscribe('c');
    await b.psubscribe('*');
    await raw.quit();
    await vi.waitFor(async () => expect(await connectionsNamed(name)).toHaveLength(0));
    await raw.connect();
    expect(await a.subscribe('c')).toBe(1);
    expect(await b.subscribe('c')).toBe(1);
    expect(await connectionsNamed(name)).toHaveLength(2);
    await view(`tenant-${id}`, observer).publish('c', 'ta');
    await view(`team-${id}`, observer).publish('c', 'tb');
    await vi.waitFor(() => expect(heard.a.length + heard.b.length).toBe(2));
    expect(heard.a).toEqual(['message||c|ta']);
    expect(heard.b).toEqual(['message||c|tb']); // its pattern ended with the old subscriber
  });

  it('property (seeded): concurrent subscribes and unsubscribes of one prefixed channel by views of one namespace end as the last asked', async () => {
    const raw = client();
    const id = short();
    const seed = Number(process.env.ATTACK_SEED ?? Date.now() % 100_000);
    const next = random(seed);
    const rounds = 25;
    for (let round = 0; round < rounds; round++) {
      const ns = `tenant-${id}r${round}`;
      const views = [view(ns, raw), view(ns, raw), view(`team-${id}r${round}`, raw)];
      const wants = views.map(() => ({ c: false, p: false }));
      const heard = views.map(() => [] as Heard);
      views.forEach((v, i) => record(v, heard[i] as Heard));
      const ops: Array<Promise<unknown>> = [];
      for (let step = 0; step < 12; step++) {
        const i = Math.floor(next() * views.length);
        const v = views[i] as Isolated<Client>;
        const want = wants[i] as { c: boolean; p: boolean };
        const op = Math.floor(next() * 6);
        // Not awaited: the operations race, each view's in the order it asked them.
        if (op === 0) {
          ops.push(v.subscribe('c'));
          want.c = true;
        } else if (op === 1 || op === 2) {
          ops.push(op === 1 ? v.unsubscribe('c') : v.unsubscribe());
          want.c = false;
        } else if (op === 3) {
          ops.push(v.psubscribe('c*'));
          want.p = true;
        } else if (op === 4) {
          ops.push(v.punsubscribe());
          want.p = false;
        } else {
          ops.push(v.quit());
          want.c = want.p = false;
        }
      }
      await within(5000, Promise.all(ops));
      const message = `m${round}`;
      await view(ns, observer).publish('c', message);
      await view(`team-${id}r${round}`, observer).publish('c', message);
      const expected = wants.map((want) => [...(want.c ? ['message||c|' + message] : []), ...(want.p ? ['pmessage|c*|c|' + message] : [])].sort());
      await vi.waitFor(() =>
        expect(
          heard.map((h) => [...h].sort()),
          `seed ${seed}, round ${round}`
        ).toEqual(expected)
      );
      expect(await observer.pubsub('NUMSUB', `${ns}:c`)).toEqual([`${ns}:c`, wants[0]?.c || wants[1]?.c ? 1 : 0]);
      await Promise.all(views.map((v) => v.quit()));
    }
  });

  it('two Buffer channels whose bytes are not UTF-8 have a subscription each on the shared subscriber (review finding, fixed)', async () => {
    const raw = client();
    const id = short();
    const [a, b] = [view(`tenant-${id}`, raw), view(`tenant-${id}`, raw)];
    const heard = { a: [] as string[], b: [] as string[] };
    a.on('messageBuffer', (channel: Buffer) => heard.a.push(channel.toString('hex')));
    b.on('messageBuffer', (channel: Buffer) => heard.b.push(channel.toString('hex')));
    const [ff, fe] = [Buffer.from([0x63, 0xff]), Buffer.from([0x63, 0xfe])];
    expect(await a.subscribe(ff)).toBe(1);
    expect(await b.subscribe(fe)).toBe(1);
    // b hears a's channel (its bytes 63ff), which it never subscribed to...
    await view(`tenant-${id}`, observer).publish(ff, 'for a');
    await vi.waitFor(() => expect(heard.a).toEqual(['63ff']));
    await pause(50);
    expect(heard.b).toEqual([]);
    // ...and its own channel was never sent to the server (a raw client would have subscribed both).
    const numsub = (await observer.pubsub('NUMSUB', Buffer.concat([Buffer.from(`tenant-${id}:`), fe]))) as unknown[];
    expect(numsub[1]).toBe(1);
  });
});

describe.each(IOREDIS_VERSIONS)('$name, Redis Cluster: attacks on cheap views', ({ Cluster }) => {
  type Client = InstanceType<typeof Cluster>;
  let raw: Client;
  const closers: Array<() => unknown> = [];
  beforeAll(async () => {
    raw = new Cluster(inject('redisClusterPorts').map((port) => ({ host: '127.0.0.1', port })));
    closers.push(() => raw.disconnect());
    await raw.ping();
  });
  afterAll(async () => {
    for (const close of closers) await close();
  });

  it('property: views of two namespaces on one cluster subscriber: `*` patterns and same names stay confined; a bare unsubscribe and quit end only their own', async () => {
    const id = short();
    const view = (namespace: string): Isolated<Client> => {
      const v = createIsolatedRedis({
        namespace,
        namespaces: deployment,
        client: raw,
      });
      closers.unshift(() => v.quit());
      return v;
    };
    const [a, a2, b] = [view(`tenant-${id}`), view(`tenant-${id}`), view(`team-${id}`)];
    const heard = { a: [] as Heard, a2: [] as Heard, b: [] as Heard };
    record(a, heard.a);
    record(a2, heard.a2);
    record(b, heard.b);
    expect(await a.psubscribe('*')).toBe(1);
    expect(await a2.subscribe('c')).toBe(1);
    expect(await b.subscribe('c')).toBe(1);
    expect(await b.psubscribe('*')).toBe(2);
    await b.publish('c', 'tb');
    await a2.publish('c', 'ta');
    await vi.waitFor(() => expect(heard.a.length + heard.a2.length + heard.b.length).toBe(4));
    expect(heard.a).toEqual(['pmessage|*|c|ta']);
    expect(heard.a2).toEqual(['message||c|ta']);
    expect(heard.b.sort()).toEqual(['message||c|tb', 'pmessage|*|c|tb']);
    expect(await a.punsubscribe()).toBe(0);
    await a2.quit();
    await b.publish('c', 'tb2');
    await vi.waitFor(() => expect(heard.b).toHaveLength(4));
    expect(heard.a).toHaveLength(1);
    expect(heard.a2).toHaveLength(1);
  });
});
