import { afterAll, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import {
  BlockedCommandError,
  CrossNamespaceError,
  IsolationConfigError,
  createIsolatedRedis,
  type Isolated,
} from '../../../src/index.js';
import { IOREDIS_VERSIONS } from '../../support/ioredis-versions.js';
import { expectViewsShareRawClient } from '../../support/shared-client.js';

const namespaces = ['mcp2', 'celery'];

describe.each(IOREDIS_VERSIONS.map((version, i) => ({ ...version, db: 2 + i })))('$name, standalone', ({ Redis, db }) => {
  type Client = InstanceType<typeof Redis>;
  let raw: Client;
  let mcp2: Isolated<Client>;
  let celery: Isolated<Client>;
  const open: Client[] = [];
  const client = (options: Record<string, unknown> = {}): Client => {
    const c = new Redis(`${inject('redisUrl')}/${db}`, { lazyConnect: true, ...options });
    open.push(c);
    return c;
  };
  /**
   * The last command the server received on connection `id`, read from another connection.
   * (Server-wide counters would not do: other test files share the server.)
   */
  const lastCommandOn = async (id: unknown): Promise<string | undefined> => {
    observer ??= client();
    return /cmd=(\S+)/.exec(String(await observer.client('LIST', 'ID', String(id))))?.[1];
  };
  let observer: Client | undefined;

  beforeAll(async () => {
    raw = client();
    await raw.connect();
    mcp2 = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: raw });
    celery = createIsolatedRedis({ namespace: 'celery', namespaces, client: raw });
  });
  beforeEach(async () => {
    await raw.flushdb();
  });
  afterAll(async () => {
    // The views' own connections (opened by blocking commands, WATCH, subscriptions) close with them.
    await Promise.all([mcp2.quit(), celery.quit()]);
    open.forEach((c) => c.disconnect());
  });

  it('prefixes typed methods, argument transformers and Buffer variants', async () => {
    await mcp2.set('a', '1');
    await mcp2.hset('h', { f: 'v', g: 'w' });
    await mcp2.mset({ m1: 'x', m2: 'y' });
    await mcp2.set(Buffer.from([0xff]), 'binary');
    expect((await raw.keys('*')).sort()).toEqual(['mcp2:a', 'mcp2:h', 'mcp2:m1', 'mcp2:m2', 'mcp2:\ufffd'].sort());
    expect(await raw.getBuffer(Buffer.concat([Buffer.from('mcp2:'), Buffer.from([0xff])]))).toEqual(Buffer.from('binary'));
    expect(await mcp2.hgetall('h')).toEqual({ f: 'v', g: 'w' });
    expect(await mcp2.mget('m1', 'm2')).toEqual(['x', 'y']);
    expect(await mcp2.getBuffer('a')).toEqual(Buffer.from('1'));
    expect(await mcp2.call('get', 'a')).toBe('1');
    expect(await mcp2.callBuffer('get', 'a')).toEqual(Buffer.from('1'));
  });

  it('keeps the client raw and lets two namespaces share its connection', async () => {
    await expectViewsShareRawClient(raw, mcp2, celery);
    expect(Object.prototype.hasOwnProperty.call(raw, 'sendCommand')).toBe(false);
    expect(mcp2.isolation).toMatchObject({ namespace: 'mcp2', prefix: 'mcp2:', mode: 'prefix' });
    expect(mcp2.status).toBe('ready');
  });

  it('refuses before sending: cross-namespace keys and blocked commands', async () => {
    const id = await raw.client('ID');
    await expect(mcp2.get('celery:k')).rejects.toBeInstanceOf(CrossNamespaceError);
    await expect(mcp2.flushdb()).rejects.toMatchObject({ code: 'ERR_BLOCKED_COMMAND' });
    await expect(mcp2.call('json.get', 'x')).rejects.toMatchObject({ code: 'ERR_UNKNOWN_COMMAND' });
    await expect(mcp2.monitor()).rejects.toBeInstanceOf(BlockedCommandError);
    const refusedWithCallback = await new Promise((resolve) => mcp2.get('celery:k', (error) => resolve(error)));
    expect(refusedWithCallback).toBeInstanceOf(CrossNamespaceError);
    expect(await lastCommandOn(id)).toBe('client|id');
  });

  it('un-prefixes replies that name keys, also inside pipelines and MULTI', async () => {
    await mcp2.rpush('q', 'job');
    await mcp2.set('s', '1');
    expect((await mcp2.keys('*')).sort()).toEqual(['q', 's']);
    const [cursor, keys] = await mcp2.scan('0', 'COUNT', 100);
    expect(cursor).toBe('0');
    expect(keys.sort()).toEqual(['q', 's']);
    expect(await mcp2.blpop('q', 1)).toEqual(['q', 'job']);
    await mcp2.rpush('q', 'job2');
    const piped = await mcp2.pipeline().keys('*').blpop('q', 1).exec();
    expect(piped?.map(([, r]) => r)).toEqual([expect.arrayContaining(['q', 's']), ['q', 'job2']]);
    await mcp2.rpush('q', 'job3');
    const transaction = await mcp2.multi().lpop('q').rpush('q', 'x').keys('q*').exec();
    expect(transaction?.map(([, r]) => r)).toEqual(['job3', 1, ['q']]);
    expect(await mcp2.multi([['set', 'arr', '1'], ['get', 'arr']]).exec()).toEqual([[null, 'OK'], [null, '1']]);
    expect(await mcp2.pipeline([['get', 'arr']]).exec()).toEqual([[null, '1']]);
  });

  it('rejects a pipeline or MULTI with one refused command as a whole, sending nothing', async () => {
    const id = await raw.client('ID');
    await expect(mcp2.pipeline().set('a', '1').get('celery:x').set('b', '2').exec()).rejects.toBeInstanceOf(CrossNamespaceError);
    await expect(mcp2.multi().set('a', '1').flushall().exec()).rejects.toBeInstanceOf(BlockedCommandError);
    const viaCallback = await new Promise((resolve) => void mcp2.pipeline().set('a', '1').randomkey().exec((error) => resolve(error)));
    expect(viaCallback).toBeInstanceOf(BlockedCommandError);
    expect(() => mcp2.multi({ pipeline: false })).toThrow(BlockedCommandError);
    expect(await lastCommandOn(id)).toBe('client|id');
    expect(await raw.keys('*')).toEqual([]);
  });

  it('refuses MULTI, EXEC and DISCARD sent on their own, which would open a transaction on the shared connection', async () => {
    await expect(mcp2.call('multi')).rejects.toBeInstanceOf(BlockedCommandError);
    await expect(mcp2.exec()).rejects.toBeInstanceOf(BlockedCommandError);
    await expect(mcp2.discard()).rejects.toBeInstanceOf(BlockedCommandError);
    // celery's command is not swallowed by a transaction mcp2 could have opened.
    await celery.set('secret', 's');
    expect(await celery.get('secret')).toBe('s');
    expect(await mcp2.multi().get('secret').exec()).toEqual([[null, null]]);
  });

  it('refuses a pipeline that would leave the shared connection inside a transaction', async () => {
    await celery.set('secret', 's');
    const id = await raw.client('ID');
    // A MULTI the pipeline does not close would queue celery's next commands (GET answered QUEUED)
    // and hand their replies to whoever sends EXEC next.
    await expect(mcp2.pipeline().call('multi').exec()).rejects.toBeInstanceOf(BlockedCommandError);
    await expect(mcp2.pipeline([['set', 'a', '1'], ['call', 'multi']]).exec()).rejects.toBeInstanceOf(BlockedCommandError);
    await expect(mcp2.pipeline().call('exec').exec()).rejects.toBeInstanceOf(BlockedCommandError);
    await expect(mcp2.pipeline().call('discard').exec()).rejects.toBeInstanceOf(BlockedCommandError);
    // Past the pipeline: a MULTI handed to sendCommand with a stream is refused too.
    const { Command } = Redis as unknown as { Command: new (name: string, args: unknown[]) => { promise: Promise<unknown> } };
    const loose = new Command('multi', []);
    await expect((mcp2 as unknown as { sendCommand(c: unknown, s: unknown): Promise<unknown> }).sendCommand(loose, raw.stream)).rejects.toBeInstanceOf(
      BlockedCommandError,
    );
    expect(await lastCommandOn(id)).toBe('client|id');
    expect(await celery.get('secret')).toBe('s');
    // Transactions a pipeline opens and closes itself stay allowed.
    const framed = await mcp2.pipeline().call('multi').set('a', '1').call('exec').exec();
    expect(framed?.map(([error]) => error)).toEqual([null, null, null]);
    expect(await mcp2.multi().get('a').exec()).toEqual([[null, '1']]);
    expect(await raw.keys('*')).toEqual(expect.arrayContaining(['mcp2:a', 'celery:secret']));
    // EXEC's replies are un-prefixed whatever the case of its name.
    const upper = await mcp2.pipeline().call('MULTI').keys('a*').call('Exec').exec();
    expect(upper?.[2]).toEqual([null, [['a']]]);
  });

  it('runs defineCommand scripts with their keys prefixed, EVALSHA and its EVAL fallback', async () => {
    // A script text the server has never seen: the first call must fall back from EVALSHA to EVAL.
    const lua = `-- ${Math.random()}\nreturn {redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2]), KEYS[1]}`;
    mcp2.defineCommand('getPair', { numberOfKeys: 2, lua });
    await mcp2.mset({ a: '1', b: '2' });
    const call = (mcp2 as unknown as { getPair: (a: string, b: string) => Promise<unknown> }).getPair;
    // The script sees its KEYS as the caller named them; it read the prefixed keys.
    expect(await call.call(mcp2, 'a', 'b')).toEqual(['1', '2', 'a']);
    expect(await call.call(mcp2, 'a', 'b')).toEqual(['1', '2', 'a']);
    expect('getPair' in raw).toBe(false);
    await expect(call.call(mcp2, 'a', 'celery:b')).rejects.toBeInstanceOf(CrossNamespaceError);
  });

  it('scans with scanStream and friends: SCAN confined, keys un-prefixed, field MATCH untouched', async () => {
    for (let i = 0; i < 30; i++) await mcp2.set(`k${i}`, 'v');
    await celery.set('k0', 'other');
    await mcp2.hset('h', { fa: '1', fb: '2', g: '3' });
    const collect = (stream: NodeJS.ReadableStream): Promise<string[]> =>
      new Promise((resolve, reject) => {
        const out: string[] = [];
        stream.on('data', (batch: string[]) => out.push(...batch));
        stream.on('end', () => resolve(out));
        stream.on('error', reject);
      });
    const all = await collect(mcp2.scanStream({ count: 5 }));
    expect(all.length).toBe(31);
    expect(all.every((key) => !key.startsWith('mcp2:') && !key.startsWith('celery:'))).toBe(true);
    expect((await collect(mcp2.scanStream({ match: 'k1*' }))).sort()).toEqual(['k1', ...Array.from({ length: 10 }, (_, i) => `k1${i}`)].sort());
    expect(await collect(mcp2.hscanStream('h', { match: 'f*' }))).toEqual(expect.arrayContaining(['fa', '1', 'fb', '2']));
  });

  it('delivers pub/sub messages of its own namespace only, with un-prefixed channels', async () => {
    const connection = client();
    const subscriber = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: connection });
    const other = createIsolatedRedis({ namespace: 'celery', namespaces, client: connection });
    const got: string[] = [];
    subscriber.on('message', (channel: string, message: string) => got.push(`mcp2 message ${channel} ${message}`));
    subscriber.on('pmessage', (pattern: string, channel: string, message: string) => got.push(`mcp2 pmessage ${pattern} ${channel} ${message}`));
    subscriber.on('messageBuffer', (channel: Buffer) => got.push(`mcp2 messageBuffer ${channel.toString()}`));
    other.on('message', (channel: string, message: string) => got.push(`celery message ${channel} ${message}`));
    await subscriber.subscribe('news');
    await other.subscribe('news');
    await subscriber.psubscribe('n*');
    await mcp2.publish('news', 'hello');
    await celery.publish('news', 'hola');
    await raw.publish('news', 'unprefixed');
    // Published last on the same connection: once it is in, every message before it is too.
    await mcp2.publish('news', 'sentinel');
    await vi.waitFor(() => expect(got).toContain('mcp2 message news sentinel'));
    expect(got.filter((line) => !line.includes('sentinel') && !line.endsWith('messageBuffer news')).sort()).toEqual(
      ['mcp2 message news hello', 'mcp2 pmessage n* news hello', 'celery message news hola'].sort(),
    );
    expect(got.filter((line) => line === 'mcp2 messageBuffer news')).toHaveLength(2);
    // Without channels: ends the view's own channel subscriptions (its pattern remains), not celery's.
    expect(await subscriber.unsubscribe()).toBe(1);
    expect(await subscriber.punsubscribe()).toBe(0);
    await celery.publish('news', 'still');
    await vi.waitFor(() => expect(got).toContain('celery message news still'));
    await Promise.all([subscriber.quit(), other.quit()]);
  });

  it('delivers sharded messages and honours once/off on message listeners', async () => {
    const connection = client();
    const subscriber = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: connection });
    const got: string[] = [];
    const listener = (channel: string, message: string): void => void got.push(`smessage ${channel} ${message}`);
    subscriber.on('smessage', listener);
    subscriber.once('message', (channel: string, message: string) => got.push(`once ${channel} ${message}`));
    await subscriber.ssubscribe('orders');
    await subscriber.subscribe('news');
    await mcp2.spublish('orders', 'o1');
    await celery.spublish('orders', 'not mine');
    await mcp2.publish('news', 'first');
    await mcp2.publish('news', 'second');
    await vi.waitFor(() => expect(got).toEqual(['smessage orders o1', 'once news first']));
    subscriber.off('smessage', listener);
    const sentinel = new Promise((resolve) => subscriber.once('smessage', resolve));
    await mcp2.spublish('orders', 'after off');
    await sentinel; // delivered to the view, and not to the removed listener
    expect(got).toEqual(['smessage orders o1', 'once news first']);
    // A view's message listeners hear its own subscriber connection, not the shared client.
    expect(connection.listenerCount('smessage')).toBe(0);
    expect(connection.listenerCount('message')).toBe(0);
    await subscriber.quit();
  });

  it('keeps a once listener for its own namespace\'s message, past messages of other namespaces', async () => {
    const connection = client();
    const subscriber = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: connection });
    const other = createIsolatedRedis({ namespace: 'celery', namespaces, client: connection });
    await other.subscribe('news');
    await subscriber.subscribe('news');
    const seen: string[] = [];
    subscriber.once('message', (channel: string, message: string) => seen.push(`${channel} ${message}`));
    other.once('message', (channel: string, message: string) => seen.push(`celery ${channel} ${message}`));
    // celery's message reaches the connection first: it must not use up mcp2's once listener.
    await celery.publish('news', 'first');
    await mcp2.publish('news', 'second');
    await vi.waitFor(() => expect(seen).toEqual(['celery news first', 'news second']));
    expect(connection.listenerCount('message')).toBe(0);
    await Promise.all([subscriber.quit(), other.quit()]);
  });

  it('keeps each view\'s listeners its own: on/off pairs, once, removeAllListeners, strict-mode filtering', async () => {
    const connection = client();
    const a = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: connection });
    const b = createIsolatedRedis({ namespace: 'celery', namespaces, client: connection });
    const strictView = createIsolatedRedis({ namespace: 'mcp2', namespaces, mode: 'strict', client: connection });
    const calls: string[] = [];
    const f = (channel: string): void => void calls.push(`f ${channel}`);
    const g = (channel: string, message: string): void => void calls.push(`g ${channel} ${message}`);
    a.on('message', f);
    a.on('message', f);
    a.off('message', f);
    a.off('message', f);
    a.once('message', f);
    a.once('message', f);
    b.on('message', g);
    strictView.on('message', (channel: string) => calls.push(`strict ${channel}`));
    connection.on('message', () => calls.push('raw'));
    await Promise.all([a.subscribe('news'), b.subscribe('news'), strictView.subscribe('mcp2:news')]);
    await raw.publish('mcp2:news', 'x');
    await raw.publish('mcp2:news', 'y');
    await raw.publish('celery:news', 'z');
    await vi.waitFor(() => expect(calls).toContain('g news z'));
    await vi.waitFor(() => expect(calls.filter((call) => call.startsWith('strict'))).toHaveLength(2));
    // The raw client subscribed to nothing: the views' subscriptions are on their own connections.
    expect(calls.sort()).toEqual(['f news', 'f news', 'g news z', 'strict mcp2:news', 'strict mcp2:news'].sort());
    a.on('message', f);
    a.removeAllListeners('message');
    strictView.removeAllListeners();
    calls.length = 0;
    await raw.publish('mcp2:news', 'after');
    await raw.publish('celery:news', 'sentinel');
    await vi.waitFor(() => expect(calls).toContain('g news sentinel'));
    // b's listener is still there; a's and strictView's are gone.
    expect(calls).toEqual(['g news sentinel']);
    await Promise.all([a.quit(), b.quit(), strictView.quit()]);
  });

  it('duplicate() returns an isolated client of the same namespace', async () => {
    const copy = mcp2.duplicate();
    open.push(copy as unknown as Client);
    await copy.set('dup', '1');
    expect(await raw.get('mcp2:dup')).toBe('1');
    expect(copy.isolation.namespace).toBe('mcp2');
    await expect(copy.get('celery:x')).rejects.toBeInstanceOf(CrossNamespaceError);
  });

  it('reconnects after CLIENT KILL on its own database and keeps delivering un-prefixed channels', async () => {
    const own = client({ retryStrategy: () => 50 });
    const subConnection = client({ retryStrategy: () => 50 });
    const view = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: own });
    // An owning view (duplicate()): its subscriptions are on its own connection, the one killed here.
    const sub = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: subConnection }).duplicate();
    open.push(sub as unknown as Client);
    const [ownId, subId] = await Promise.all([own.client('ID'), sub.client('ID')]);
    const messages: string[] = [];
    sub.on('message', (channel: string, message: string) => messages.push(`${channel}:${message}`));
    await sub.subscribe('events');
    await view.set('before', '1');
    await raw.client('KILL', 'ID', String(ownId));
    await raw.client('KILL', 'ID', String(subId));
    await view.set('after', '1'); // queued while offline, sent once reconnected
    expect(await raw.exists('mcp2:before', 'mcp2:after')).toBe(2);
    // The subscriber resubscribes on its own; publish until a message comes through.
    await vi.waitFor(
      async () => {
        await mcp2.publish('events', 'after-reconnect');
        expect(messages.length).toBeGreaterThan(0);
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(new Set(messages)).toEqual(new Set(['events:after-reconnect']));
  });

  it('auto-pipelines guarded commands; a refused one fails alone', async () => {
    const piped = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: client({ enableAutoPipelining: true }) });
    const results = await Promise.allSettled([piped.set('a', '1'), piped.get('celery:x'), piped.get('a'), piped.incr('n')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(results[2]).toMatchObject({ value: '1' });
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(CrossNamespaceError);
    expect((await raw.keys('*')).sort()).toEqual(['mcp2:a', 'mcp2:n']);
  });

  it('refuses a client with ioredis keyPrefix, and options it cannot wrap', () => {
    expect(() => createIsolatedRedis({ namespace: 'mcp2', client: client({ keyPrefix: 'x:' }) })).toThrow(IsolationConfigError);
    expect(() => createIsolatedRedis({ namespace: 'mcp2', client: {} })).toThrow(IsolationConfigError);
    expect(() => createIsolatedRedis({ namespace: 'celery', namespaces, client: mcp2 })).toThrow(/already isolated/);
  });
});

describe('createIsolatedRedis with driver: ioredis', () => {
  it('creates the client from url', async () => {
    const redis = createIsolatedRedis({ namespace: 'mcp2', driver: 'ioredis', url: `${inject('redisUrl')}/4` });
    try {
      await redis.set('from-url', '1');
      expect(await redis.get('from-url')).toBe('1');
      expect(redis.isolation.prefix).toBe('mcp2:');
    } finally {
      await redis.del('from-url');
      redis.disconnect();
    }
  });
});
