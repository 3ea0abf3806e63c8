import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BlockedCommandError,
  CrossNamespaceError,
  IsolationConfigError,
  createIsolatedRedis,
  type Isolated,
} from '../../../src/index.js';
import type { createClient as createNodeRedis6} from 'redis';
import { type RedisFunctions, type RedisModules, type RedisScripts } from 'redis';
import { NODE_REDIS_VARIANTS } from '../../support/node-redis-versions.js';
import { startRedisServer, type RunningRedis } from '../../support/redis-server.js';

const namespaces = ['mcp2', 'celery', 'journal'];
/** A node-redis client as the tests use it (both versions share this surface). */
type Client = ReturnType<typeof createNodeRedis6<RedisModules, RedisFunctions, RedisScripts, 2 | 3>>;
let server: RunningRedis;

beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server.stop();
});

describe.each(NODE_REDIS_VARIANTS.map((variant, i) => ({ ...variant, db: i + 1 })))('$label, standalone', ({ createClient, options, db, major, RESP }) => {
  const open: Client[] = [];
  const client = (extra: Record<string, unknown> = {}): Client => {
    const c = createClient({ url: `${server.url}/${db}`, ...options, ...extra }) as Client;
    c.on('error', () => undefined); // reconnection tests kill connections on purpose
    open.push(c);
    return c;
  };
  let raw: Client;
  let observer: Client;
  let journal: Isolated<Client>;
  let celery: Isolated<Client>;

  /** The last command the server received on connection `id`, read from another connection. */
  const lastCommandOn = async (id: number): Promise<string | undefined> =>
    /cmd=(\S+)/.exec(String(await observer.sendCommand(['CLIENT', 'LIST', 'ID', String(id)])))?.[1];

  beforeAll(async () => {
    raw = client();
    observer = client();
    await Promise.all([raw.connect(), observer.connect()]);
    journal = createIsolatedRedis({ namespace: 'journal', namespaces, client: raw });
    celery = createIsolatedRedis({ namespace: 'celery', namespaces, client: raw });
  });
  beforeEach(async () => {
    await raw.flushDb();
  });
  afterAll(async () => {
    await Promise.all(open.filter((c) => c.isOpen).map((c) => c.close()));
  });

  it('prefixes typed commands, keeps the client raw and lets two namespaces share its connection', async () => {
    const ownBefore = Object.getOwnPropertyNames(raw).sort();
    await journal.xAdd('events', '1-1', { kind: 'login' });
    await journal.hSet('h', { f: 'v', g: 'w' });
    await journal.mSet({ m1: 'x', m2: 'y' });
    await journal.zAdd('z', [{ score: 1, value: 'a' }]);
    await journal.set(Buffer.from([0xff]), 'binary');
    await celery.set('k', 'from celery');
    await journal.set('k', 'from journal');
    await raw.set('k', 'raw');
    expect((await raw.keys('*')).sort()).toEqual(
      ['journal:events', 'journal:h', 'journal:m1', 'journal:m2', 'journal:z', 'journal:\ufffd', 'celery:k', 'journal:k', 'k'].sort(),
    );
    expect([await journal.get('k'), await celery.get('k'), await raw.get('k')]).toEqual(['from journal', 'from celery', 'raw']);
    expect(await journal.hGetAll('h')).toEqual({ f: 'v', g: 'w' });
    expect(await journal.mGet(['m1', 'm2'])).toEqual(['x', 'y']);
    expect(await journal.zUnionStore('z2', ['z'])).toBe(1);
    expect(await raw.exists('journal:z2')).toBe(1);
    expect(Object.getOwnPropertyNames(raw).sort()).toEqual(ownBefore);
    expect(Object.prototype.hasOwnProperty.call(raw, '_executeCommand')).toBe(false);
    expect(journal.isolation).toMatchObject({ namespace: 'journal', prefix: 'journal:', mode: 'prefix' });
    expect(journal.isOpen).toBe(true);
  });

  it('prefixes sendCommand (which node-redis keyPrefix leaves alone) and un-prefixes its replies', async () => {
    await journal.sendCommand(['SET', 'a', '1']);
    await journal.sendCommand(['RPUSH', 'q', 'job']);
    expect(await raw.get('journal:a')).toBe('1');
    expect(((await journal.sendCommand(['KEYS', '*'])) as string[]).sort()).toEqual(['a', 'q']);
    expect(await journal.sendCommand(['BLPOP', 'q', '1'])).toEqual(['q', 'job']);
    await journal.sendCommand(['XADD', 's', '1-1', 'f', 'v']);
    // RESP3 answers XREAD with a map keyed by stream name, RESP2 with [[name, entries]]: both un-prefixed.
    const xread = await journal.sendCommand(['XREAD', 'STREAMS', 's', '0']);
    expect(JSON.stringify(xread)).toBe(JSON.stringify(await raw.sendCommand(['XREAD', 'STREAMS', 'journal:s', '0'])).replace('journal:s', 's'));
    expect(JSON.stringify(xread)).toContain('"s"');
  });

  it('un-prefixes typed replies that name keys: KEYS, SCAN, blocking pops, XREAD', async () => {
    await journal.rPush('q', ['a', 'b']);
    await journal.xAdd('s', '1-1', { f: 'v' });
    expect((await journal.keys('*')).sort()).toEqual(['q', 's']);
    const scan = await journal.scan('0', { COUNT: 100 });
    expect(scan.keys.sort()).toEqual(['q', 's']);
    expect(await journal.blPop('q', 1)).toEqual({ key: 'q', element: 'a' });
    expect(await journal.lmPop(['nope', 'q'], 'LEFT')).toEqual(['q', ['b']]);
    const xread = JSON.stringify(await journal.xRead({ key: 's', id: '0' }));
    expect(xread).toBe(JSON.stringify(await raw.xRead({ key: 'journal:s', id: '0' })).replace('journal:s', 's'));
    expect(xread).toContain('"s"');
  });

  it('refuses before sending: cross-namespace keys, blocked commands, MONITOR, SELECT, bare MULTI', async () => {
    const id = Number(await raw.sendCommand(['CLIENT', 'ID']));
    await expect(journal.get('celery:k')).rejects.toBeInstanceOf(CrossNamespaceError);
    await expect(journal.sendCommand(['GET', 'mcp2:k'])).rejects.toMatchObject({ code: 'ERR_CROSS_NAMESPACE' });
    await expect(journal.flushDb()).rejects.toMatchObject({ code: 'ERR_BLOCKED_COMMAND' });
    await expect(journal.randomKey()).rejects.toMatchObject({ code: 'ERR_BLOCKED_COMMAND' });
    await expect(journal.select(2)).rejects.toMatchObject({ code: 'ERR_BLOCKED_COMMAND' });
    await expect(journal.sendCommand(['JSON.GET', 'x'])).rejects.toMatchObject({ code: 'ERR_UNKNOWN_COMMAND' });
    await expect(journal.sendCommand(['MULTI'])).rejects.toBeInstanceOf(BlockedCommandError);
    await expect(journal.monitor(() => undefined)).rejects.toBeInstanceOf(BlockedCommandError);
    await expect(journal.subscribe('__keyspace@0__:x', () => undefined)).rejects.toMatchObject({ code: 'ERR_BLOCKED_COMMAND' });
    expect(await lastCommandOn(id)).toBe('client|id');
  });

  it('refuses raw commands that would change the shared connection: MULTI, EXEC, DISCARD, (P|S)(UN)SUBSCRIBE, alone or queued', async () => {
    const id = Number(await raw.sendCommand(['CLIENT', 'ID']));
    for (const frame of [['MULTI'], ['exec'], ['DISCARD'], ['SUBSCRIBE', 'x'], [Buffer.from('psubscribe'), 'x*'], ['SSUBSCRIBE', 'x'], ['UNSUBSCRIBE', 'x'], ['PUNSUBSCRIBE', 'x*'], ['SUNSUBSCRIBE', 'x']]) {
      await expect(journal.sendCommand(frame)).rejects.toBeInstanceOf(BlockedCommandError);
      await expect(journal.multi().set('a', '1').addCommand(frame).execAsPipeline()).rejects.toBeInstanceOf(BlockedCommandError);
      await expect(journal.multi().addCommand(frame).set('a', '1').exec()).rejects.toBeInstanceOf(BlockedCommandError);
    }
    expect(await lastCommandOn(id)).toBe('client|id');
    // Nothing was left open on the connection: another namespace's commands run, and are answered, as before.
    expect(await celery.set('after', '1')).toBe('OK');
    expect(await celery.get('after')).toBe('1');
  });

  it('runs multi().exec() and execAsPipeline() guarded and un-prefixed; one refusal rejects all, sending nothing', async () => {
    expect(await journal.multi().set('a', '1').rPush('q', 'x').keys('*').blPop('q', 1).exec()).toEqual([
      'OK',
      1,
      expect.arrayContaining(['a', 'q']),
      { key: 'q', element: 'x' },
    ]);
    expect(await journal.multi().get('a').sendCommand(['KEYS', 'a*']).execAsPipeline()).toEqual(['1', ['a']]);
    const id = Number(await raw.sendCommand(['CLIENT', 'ID']));
    await expect(journal.multi().set('b', '1').get('celery:x').exec()).rejects.toBeInstanceOf(CrossNamespaceError);
    await expect(journal.multi().set('b', '1').flushAll().execAsPipeline()).rejects.toBeInstanceOf(BlockedCommandError);
    await expect(journal.multi().set('b', '1').select(3).exec()).rejects.toBeInstanceOf(BlockedCommandError);
    expect(await lastCommandOn(id)).toBe('client|id');
    expect(await raw.exists('journal:b')).toBe(0);
  });

  it('guards WATCH: a write to the watched (prefixed) key aborts the transaction', async () => {
    const own = client();
    await own.connect();
    const view = createIsolatedRedis({ namespace: 'journal', namespaces, client: own });
    await view.set('balance', '10');
    await view.watch('balance');
    await raw.set('journal:balance', '11');
    await expect(view.multi().set('balance', '12').exec()).rejects.toThrow(/WATCH|watch/);
    await expect(view.watch('celery:balance')).rejects.toBeInstanceOf(CrossNamespaceError);
    expect(await raw.get('journal:balance')).toBe('11');
  });

  it('runs scripts and functions with their keys prefixed: eval, evalSha, fCall, defineScript', async () => {
    const { defineScript } = await import(major === 5 ? 'redis5' : 'redis');
    const lua = `-- ${Math.random()}\nreturn {redis.call('GET', KEYS[1]), KEYS[1]}`;
    const scripted = client({ scripts: { pair: defineScript({ NUMBER_OF_KEYS: 1, SCRIPT: lua, parseCommand: (parser: { pushKey(k: string): void }, key: string) => parser.pushKey(key), transformReply: (r: unknown) => r }) } });
    await scripted.connect();
    const view = createIsolatedRedis({ namespace: 'journal', namespaces, client: scripted }) as unknown as Isolated<Client> & { pair(key: string): Promise<unknown> };
    await view.set('a', '1');
    // EVALSHA fell back to EVAL; the script sees its KEYS as the caller named them, and read the prefixed key.
    expect(await view.pair('a')).toEqual(['1', 'a']);
    expect(await view.pair('a')).toEqual(['1', 'a']);
    await expect(view.pair('celery:a')).rejects.toBeInstanceOf(CrossNamespaceError);
    expect(await journal.eval("return redis.call('GET', KEYS[1])", { keys: ['a'] })).toBe('1');
    const sha = String(await journal.scriptLoad("return redis.call('STRLEN', KEYS[1])"));
    expect(await journal.evalSha(sha, { keys: ['a'] })).toBe(1);
    const library = `lib_${major}_${RESP}_${Date.now()}`;
    const code = `#!lua name=${library}\nredis.register_function('${library}_get', function(keys) return redis.call('GET', keys[1]) end)`;
    expect(await journal.functionLoad(code)).toBe(library);
    // The library is the namespace's own (journal__...): REPLACE can only replace it.
    expect(await journal.functionLoad(code, { REPLACE: true })).toBe(library);
    expect(await journal.fCall(`${library}_get`, { keys: ['a'] })).toBe('1');
    await expect(journal.fCall(`${library}_get`, { keys: ['celery:a'] })).rejects.toBeInstanceOf(CrossNamespaceError);
  });

  it('scans with scanIterator (SCAN confined, keys un-prefixed) and member scans with their MATCH untouched', async () => {
    for (let i = 0; i < 30; i++) await journal.set(`k${i}`, 'v');
    await celery.set('k0', 'other');
    await journal.hSet('h', { fa: '1', fb: '2', g: '3' });
    await journal.sAdd('s', ['fa', 'g']);
    await journal.zAdd('z', [{ score: 1, value: 'fa' }, { score: 2, value: 'g' }]);
    const keys: string[] = [];
    for await (const page of journal.scanIterator({ COUNT: 5 })) keys.push(...page);
    expect(new Set(keys)).toEqual(new Set([...Array.from({ length: 30 }, (_, i) => `k${i}`), 'h', 's', 'z']));
    const matched: string[] = [];
    for await (const page of journal.scanIterator({ MATCH: 'k1*' })) matched.push(...page);
    expect(matched.sort()).toEqual(['k1', ...Array.from({ length: 10 }, (_, i) => `k1${i}`)].sort());
    const fields: string[] = [];
    for await (const page of journal.hScanIterator('h', { MATCH: 'f*' })) fields.push(...page.map((entry) => entry.field));
    expect(fields.sort()).toEqual(['fa', 'fb']);
    const members: string[] = [];
    for await (const page of journal.sScanIterator('s', { MATCH: 'f*' })) members.push(...page);
    expect(members).toEqual(['fa']);
    const zmembers: string[] = [];
    for await (const page of journal.zScanIterator('z', { MATCH: 'g' })) zmembers.push(...page.map((m) => m.value));
    expect(zmembers).toEqual(['g']);
  });

  it('confines pub/sub: listeners get un-prefixed channels, unsubscribe() ends only this namespace', async () => {
    const subscriber = client();
    await subscriber.connect();
    const sub = createIsolatedRedis({ namespace: 'journal', namespaces, client: subscriber });
    const celerySub = createIsolatedRedis({ namespace: 'celery', namespaces, client: subscriber });
    const got: unknown[] = [];
    await sub.subscribe('news', (message, channel) => got.push(['message', message, channel]));
    await sub.pSubscribe('n*', (message, channel) => got.push(['pmessage', message, channel]));
    await sub.sSubscribe('shard', (message, channel) => got.push(['smessage', message, channel]));
    await sub.subscribe('bin', (message, channel) => got.push(['buffer', message, channel]), true);
    const celeryGot: unknown[] = [];
    await celerySub.subscribe('news', (message, channel) => celeryGot.push([message, channel]));
    expect(await raw.pubSubChannels()).toEqual(expect.arrayContaining(['journal:news', 'celery:news', 'journal:bin']));
    await journal.publish('news', 'hello');
    await journal.sPublish('shard', 'sharded');
    await journal.publish('bin', 'bytes');
    await raw.publish('news', 'unprefixed');
    await vi.waitFor(() => expect(got).toHaveLength(4));
    expect(got).toEqual(
      expect.arrayContaining([
        ['message', 'hello', 'news'],
        ['pmessage', 'hello', 'news'],
        ['smessage', 'sharded', 'shard'],
        ['buffer', Buffer.from('bytes'), Buffer.from('bin')],
      ]),
    );
    expect(celeryGot).toEqual([]);
    await sub.unsubscribe();
    await sub.pUnsubscribe();
    expect(await raw.pubSubChannels()).toEqual(['celery:news']);
    expect(await raw.pubSubShardChannels()).toEqual(['journal:shard']);
    await celery.publish('news', 'still here');
    await vi.waitFor(() => expect(celeryGot).toEqual([['still here', 'news']]));
    // Quitting ends each view's subscriptions; the client's subscriber connection closes with the last (channels are server-wide).
    await Promise.all([sub.quit(), celerySub.quit()]);
    expect(await raw.pubSubShardChannels()).toEqual([]);
  });

  it('refuses what writes past the executors: reset(), extendPubSub*Listeners(); getPubSubListeners() shows the namespace only', async () => {
    const subscriber = client();
    await subscriber.connect();
    const sub = createIsolatedRedis({ namespace: 'journal', namespaces, client: subscriber });
    const celerySub = createIsolatedRedis({ namespace: 'celery', namespaces, client: subscriber });
    await celerySub.subscribe('kept', () => undefined);
    await sub.subscribe('kept', () => undefined);
    await expect(sub.reset()).rejects.toBeInstanceOf(BlockedCommandError);
    await expect(sub.extendPubSubChannelListeners('CHANNELS' as never, 'celery:news', { buffers: new Set(), strings: new Set() } as never)).rejects.toBeInstanceOf(BlockedCommandError);
    await expect(sub.extendPubSubListeners('CHANNELS' as never, new Map() as never)).rejects.toBeInstanceOf(BlockedCommandError);
    expect([...sub.getPubSubListeners('CHANNELS' as never).keys()]).toEqual(['kept']);
    // RESET never reached the connection: both namespaces are still subscribed.
    expect(await raw.pubSubNumSub(['celery:kept', 'journal:kept'])).toEqual({ 'celery:kept': 1, 'journal:kept': 1 });
    await Promise.all([sub.quit(), celerySub.quit()]);
  });

  it('unsubscribe() also ends subscriptions the server has not confirmed yet', async () => {
    const subscriber = client();
    await subscriber.connect();
    const sub = createIsolatedRedis({ namespace: 'journal', namespaces, client: subscriber });
    await Promise.all([sub.subscribe('racing', () => undefined), sub.unsubscribe()]);
    expect(await raw.pubSubChannels('journal:racing')).toEqual([]);
    await sub.quit();
  });

  it('binds module and function commands to the view, even when the raw client read them first', async () => {
    const name = `setter_${major}_${RESP}_${Date.now()}`;
    // Loaded through a view of the namespace: its library and function carry the namespace on the server.
    await journal.sendCommand(['FUNCTION', 'LOAD', `#!lua name=${name}\nredis.register_function('${name}', function(keys, args) return redis.call('SET', keys[1], args[1]) end)`]);
    const functions = { lib: { [name]: { NUMBER_OF_KEYS: 1, parseCommand: (parser: { pushKey(k: string): void; push(v: string): void }, key: string, value: string) => { parser.pushKey(key); parser.push(value); }, transformReply: undefined } } };
    const withFunctions = client({ functions });
    await withFunctions.connect();
    type Lib = Record<string, (key: string, value: string) => Promise<unknown>>;
    const rawLib = (withFunctions as unknown as { lib: Lib }).lib;
    expect(rawLib).toBeDefined(); // node-redis 5 caches the namespace object on whoever reads it first
    const view = createIsolatedRedis({ namespace: 'journal', namespaces, client: withFunctions }) as unknown as { lib: Lib };
    await view.lib[name]?.('fn-key', 'v');
    expect(await raw.get('journal:fn-key')).toBe('v');
    await expect(view.lib[name]?.('celery:stolen', 'v')).rejects.toBeInstanceOf(CrossNamespaceError);
    expect(await raw.exists('celery:stolen')).toBe(0);
  });

  it('keeps isolation through duplicate(), withTypeMapping(), withCommandOptions() and the legacy client', async () => {
    const { RESP_TYPES } = await import(major === 5 ? 'redis5' : 'redis');
    await journal.set('a', '1');
    await journal.rPush('q', 'x');
    const copy = journal.duplicate();
    await copy.connect();
    expect(copy.isolation.namespace).toBe('journal');
    expect(await copy.get('a')).toBe('1');
    await expect(copy.get('celery:a')).rejects.toBeInstanceOf(CrossNamespaceError);
    await copy.close();
    const buffers = journal.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
    expect((buffers as unknown as { isolation: { namespace: string } }).isolation.namespace).toBe('journal');
    expect(((await buffers.keys('*')) as unknown as Buffer[]).map(String).sort()).toEqual(['a', 'q']);
    expect(await buffers.blPop('q', 1)).toEqual({ key: Buffer.from('q'), element: Buffer.from('x') });
    await expect(buffers.get('celery:a')).rejects.toBeInstanceOf(CrossNamespaceError);
    const withOptions = journal.withCommandOptions({ typeMapping: {} });
    expect(await withOptions.get('a')).toBe('1');
    await expect(withOptions.get('celery:a')).rejects.toBeInstanceOf(CrossNamespaceError);
    expect(await journal.asap().get('a')).toBe('1');
    const abortable = journal.withAbortSignal(new AbortController().signal);
    expect(await abortable.get('a')).toBe('1');
    await expect(abortable.get('celery:a')).rejects.toBeInstanceOf(CrossNamespaceError);
    expect(await buffers.withCommandOptions({ typeMapping: {} }).get('a')).toBe('1'); // derived from a derived view
    const legacy = journal.legacy();
    const reply = await new Promise((resolve, reject) => legacy.get('a', (error: unknown, value: unknown) => (error ? reject(error) : resolve(value))));
    expect(reply).toBe('1');
  });

  it('isolates a pool made with createPool()', async () => {
    if (typeof (journal as { createPool?: unknown }).createPool !== 'function') throw new Error('this node-redis has no createPool');
    const pool = journal.createPool({ minimum: 1, maximum: 2 });
    await pool.connect();
    await pool.set('pooled', '1');
    expect(await raw.get('journal:pooled')).toBe('1');
    expect(await pool.keys('pool*')).toEqual(['pooled']);
    expect(await pool.execute((c) => c.get('pooled'))).toBe('1');
    await expect(pool.get('celery:x')).rejects.toBeInstanceOf(CrossNamespaceError);
    await expect(pool.execute((c) => c.get('celery:x'))).rejects.toBeInstanceOf(CrossNamespaceError);
    expect(await pool.multi().set('m', '2').get('m').exec()).toEqual(['OK', '2']);
    await pool.close();
  });

  it('keeps the database, the ACL user and subscriptions across a reconnect (CLIENT KILL)', async () => {
    const user = `reconnect-${major}-${RESP}`;
    await observer.sendCommand(['ACL', 'SETUSER', user, 'reset', 'on', '>secret', '~*', '&*', '+@all']);
    const subscriber = client();
    await subscriber.connect();
    const sub = createIsolatedRedis({ namespace: 'journal', namespaces, client: subscriber });
    const got: unknown[] = [];
    await sub.subscribe('news', (message, channel) => got.push([message, channel]));
    // The view subscribed on the client's subscriber connection: the one subscribed to journal:news in this database.
    const subscribed = String(await observer.sendCommand(['CLIENT', 'LIST', 'TYPE', 'pubsub'])).split('\n').filter((line) => line.includes(`db=${db} `) && / sub=1 /.test(line));
    expect(subscribed).toHaveLength(1);
    const subscriberId = Number(/id=(\d+)/.exec(subscribed[0] as string)?.[1]);
    const conn = client({ username: user, password: 'secret' });
    await conn.connect();
    const view = createIsolatedRedis({ namespace: 'journal', namespaces, client: conn });
    await view.set('before', '1');
    expect(await view.sendCommand(['ACL', 'WHOAMI'])).toBe(user);
    for (const id of [Number(await conn.sendCommand(['CLIENT', 'ID'])), subscriberId]) {
      expect(await observer.sendCommand(['CLIENT', 'KILL', 'ID', String(id)])).toBe(1);
    }
    await vi.waitFor(async () => expect(await view.get('before')).toBe('1'), { timeout: 5000 });
    expect(await raw.get('journal:before')).toBe('1'); // same database after the reconnect
    expect(await view.sendCommand(['ACL', 'WHOAMI'])).toBe(user); // same user
    await vi.waitFor(async () => {
      await journal.publish('news', 'after');
      expect(got).toContainEqual(['after', 'news']);
    }, { timeout: 5000 });
    await sub.quit();
  });

  // Client-side caching needs RESP3.
  if (RESP === 3) it('client-side caching: invalidations reach the cache for prefixed keys', async () => {
    const cached = client({ clientSideCache: { ttl: 0, maxEntries: 0 } });
    await cached.connect();
    const view = createIsolatedRedis({ namespace: 'journal', namespaces, client: cached });
    await raw.set('journal:c', 'v1');
    expect(await view.get('c')).toBe('v1');
    expect(await view.get('c')).toBe('v1');
    const cache = cached.clientSideCache as unknown as { stats(): { hitCount: number } };
    expect(cache.stats().hitCount).toBeGreaterThanOrEqual(1);
    await raw.set('journal:c', 'v2');
    await vi.waitFor(async () => expect(await view.get('c')).toBe('v2'));
  });

  it('refuses clients it cannot isolate', () => {
    expect(() => createIsolatedRedis({ namespace: 'journal', client: journal })).toThrow(/already isolated/);
    if (major === 6) {
      const prefixed = client({ keyPrefix: 'app:' });
      expect(() => createIsolatedRedis({ namespace: 'journal', client: prefixed })).toThrow(IsolationConfigError);
    }
  });
});

describe("driver: 'node-redis'", () => {
  it('creates a node-redis client from the url, isolated and not yet connected', async () => {
    const redis = createIsolatedRedis({ namespace: 'journal', namespaces, driver: 'node-redis', url: `${server.url}/5` });
    expect(redis.isOpen).toBe(false);
    await redis.connect();
    await redis.set('made', 'here');
    expect(await redis.keys('*')).toEqual(['made']);
    expect(await redis.sendCommand(['KEYS', 'journal:*']).catch((error: Error) => error)).toMatchObject({ code: 'ERR_DOUBLE_PREFIX' });
    await redis.flushDb().catch(() => undefined);
    await redis.del('made');
    await redis.close();
  });
});
