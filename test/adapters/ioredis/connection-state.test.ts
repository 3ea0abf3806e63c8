import { afterAll, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import {
  BlockedCommandError,
  CrossNamespaceError,
  SharedConnectionError,
  createIsolatedRedis,
  type Isolated,
} from '../../../src/index.js';
import { IOREDIS_VERSIONS } from '../../support/ioredis-versions.js';

/**
 * Issue 12: views of two namespaces (`mcp2`, `celery`) over one ioredis connection never disturb
 * or read each other through the connection's state: transactions, WATCH, subscriber mode,
 * blocking commands, QUIT, session commands. Databases 5 (ioredis 5) and 6 (ioredis 6).
 */
const namespaces = ['mcp2', 'celery'];

/** `promise`, or a rejection once `ms` have passed: a stalled reply fails the test instead of hanging it. */
const within = <T>(ms: number, promise: Promise<T>): Promise<T> =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no reply within ${ms} ms`)), ms))]);

describe.each(IOREDIS_VERSIONS.map((version, i) => ({ ...version, db: 5 + i })))('$name, standalone: connection state', ({ name, Redis, db }) => {
  type Client = InstanceType<typeof Redis>;
  const closers: Array<() => unknown> = [];
  /** A client closed after the file; RESP2 for ioredis 6 too (its default is RESP3). */
  const client = (options: Record<string, unknown> = {}): Client => {
    const resp2 = name === 'ioredis 6' ? { protocol: 2 } : {};
    const c = new Redis(`${inject('redisUrl')}/${db}`, { ...resp2, ...options } as Record<string, never>);
    closers.push(() => c.disconnect());
    return c;
  };
  /** A view, whose own connections are closed after the file. */
  const view = (namespace: string, over: Client, options: Record<string, unknown> = {}): Isolated<Client> => {
    const v = createIsolatedRedis({ namespace, namespaces, client: over, ...options });
    closers.unshift(() => v.quit());
    return v;
  };
  let raw: Client;
  let mcp2: Isolated<Client>;
  let celery: Isolated<Client>;
  let observer: Client;
  /** The last command the server received on connection `id`, read from another connection. */
  const lastCommandOn = async (id: unknown): Promise<string | undefined> =>
    /cmd=(\S+)/.exec(String(await observer.client('LIST', 'ID', String(id))))?.[1];

  beforeAll(() => {
    raw = client();
    observer = client();
    mcp2 = view('mcp2', raw);
    celery = view('celery', raw);
  });
  beforeEach(async () => {
    await raw.flushdb();
    await celery.set('secret', 'CELERY-SECRET');
  });
  afterAll(async () => {
    for (const close of closers) await close();
  });

  it('refuses a nested MULTI up front: nothing queued, no reply handed to the wrong namespace', async () => {
    const id = await raw.client('ID');
    const refused = mcp2.pipeline().call('multi').call('multi').set('x', '1').call('exec').exec();
    const celeryRead = celery.get('secret');
    await expect(refused).rejects.toBeInstanceOf(BlockedCommandError);
    expect(await within(1000, celeryRead)).toBe('CELERY-SECRET');
    expect(await within(1000, celery.get('secret'))).toBe('CELERY-SECRET');
    expect(await within(1000, mcp2.get('x'))).toBeNull();
    // The chained form too, refused before the first command reaches the connection.
    const before = await raw.client('ID');
    await expect(mcp2.multi().lrange('l', 0, -1).keys('*').call('multi').exec()).rejects.toBeInstanceOf(BlockedCommandError);
    expect(await lastCommandOn(before)).toBe('client|id');
    expect(before).toBe(id);
    expect(await within(1000, celery.get('secret'))).toBe('CELERY-SECRET');
  });

  it('refuses WATCH inside multi() up front (Redis would not queue it, shifting EXEC\'s replies)', async () => {
    const id = await raw.client('ID');
    await mcp2.rpush('l', 'mcp2:looks-like-a-key');
    const before = await raw.client('ID');
    await expect(mcp2.multi().watch('k').keys('*').lrange('l', 0, -1).exec()).rejects.toBeInstanceOf(BlockedCommandError);
    expect(await lastCommandOn(before)).toBe('client|id');
    expect(before).toBe(id);
    expect(await mcp2.multi().keys('*').lrange('l', 0, -1).exec()).toEqual([[null, ['l']], [null, ['mcp2:looks-like-a-key']]]);
  });

  it('rejects every per-command callback of a refused pipeline, sending nothing', async () => {
    const id = await raw.client('ID');
    const errors = await new Promise<unknown[]>((resolve) => {
      const got: unknown[] = [];
      const collect = (error: unknown): void => {
        got.push(error);
        if (got.length === 4) resolve(got);
      };
      void mcp2.pipeline().set('a', '1', collect).get('celery:x', collect).set('b', '2', collect).exec(collect);
    });
    expect(errors).toHaveLength(4);
    for (const error of errors) expect(error).toBeInstanceOf(CrossNamespaceError);
    expect(await lastCommandOn(id)).toBe('client|id');
  });

  it('runs an inline transaction of a pipeline (pipeline().multi()...exec().exec())', async () => {
    // The README's inline form; ioredis's types do not know multi() on a pipeline.
    type Inline = { set(k: string, v: string): Inline; get(k: string): Inline; multi(): Inline; exec(): Inline & Promise<Array<[Error | null, unknown]> | null> };
    const inline = mcp2.pipeline() as unknown as Inline;
    const results = await inline.set('foo', 'bar').multi().set('foo', 'baz').get('foo').exec().exec();
    expect(results?.map(([error]) => error)).toEqual([null, null, null, null, null]);
    expect(results?.[4]?.[1]).toEqual(['OK', 'baz']);
    expect(await raw.get('mcp2:foo')).toBe('baz');
  });

  it('subscribes on a connection of the view\'s own: celery\'s GET and PUBLISH keep working, counts are mcp2\'s own', async () => {
    const heard: string[] = [];
    mcp2.on('message', (channel: string, message: string) => heard.push(`${channel} ${message}`));
    expect(await celery.subscribe('jobs')).toBe(1);
    expect(await mcp2.subscribe('news')).toBe(1);
    expect(await mcp2.subscribe('weather')).toBe(2);
    expect(await within(1000, celery.get('secret'))).toBe('CELERY-SECRET');
    expect(await within(1000, mcp2.publish('news', 'hello'))).toBe(1);
    expect(await within(1000, celery.publish('jobs', 'j1'))).toBe(1);
    await vi.waitFor(() => expect(heard).toEqual(['news hello']));
    // Without channels: ends mcp2's own subscriptions only, and resolves.
    expect(await mcp2.unsubscribe()).toBe(0);
    expect(await celery.publish('jobs', 'j2')).toBe(1);
    expect(await mcp2.publish('news', 'gone')).toBe(0);
    expect(await celery.unsubscribe('jobs')).toBe(0);
  });

  it('subscribes with an upper-case call() too: ioredis follows subscriber mode by lower-case names only', async () => {
    const heard: string[] = [];
    const loud = view('mcp2', raw);
    loud.on('message', (channel: string, message: string) => heard.push(`${channel} ${message}`));
    expect(await within(1000, loud.call('SUBSCRIBE', 'loud'))).toBe(1);
    expect(await within(1000, celery.publish('other', 'x'))).toBe(0);
    expect(await within(1000, loud.publish('loud', 'hello'))).toBe(1);
    await vi.waitFor(() => expect(heard).toEqual(['loud hello']));
    expect(await within(1000, loud.call('UNSUBSCRIBE'))).toBe(0);
    await loud.quit();
  });

  it('resolves unsubscribe() without channels on a view that never subscribed', async () => {
    const fresh = view('mcp2', raw);
    expect(await fresh.unsubscribe()).toBe(0);
    expect(await fresh.punsubscribe()).toBe(0);
    expect(await fresh.sunsubscribe()).toBe(0);
  });

  it('runs a 2 s BLPOP on the view\'s own connection: celery\'s GET answers at once', async () => {
    const blocked = mcp2.blpop('empty', 2);
    const piped = mcp2.pipeline().brpop('empty', 2).exec();
    await new Promise((resolve) => setTimeout(resolve, 100)); // both are waiting on the server now
    const started = Date.now();
    expect(await within(1500, celery.get('secret'))).toBe('CELERY-SECRET');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await blocked).toBeNull();
    expect(await piped).toEqual([[null, null]]);
  });

  it('keeps WATCH on mcp2\'s own connection: celery\'s transactions neither consume nor fail by it', async () => {
    await mcp2.set('k', 'v0');
    expect(await mcp2.watch('k')).toBe('OK');
    await raw.set('mcp2:k', 'changed'); // mcp2's watched key changes
    // On a shared connection celery's EXEC would answer null (the dirty watch is the connection's) and consume it.
    expect(await celery.multi().set('c', '1').exec()).toEqual([[null, 'OK']]);
    // mcp2's transaction still aborts: its watch saw the change.
    expect(await mcp2.multi().set('k', 'mine').exec()).toBeNull();
    expect(await raw.get('mcp2:k')).toBe('changed');
    // Watched and untouched: it commits, on the connection where the watch is.
    await mcp2.watch('k');
    expect(await mcp2.multi().set('k', 'mine').exec()).toEqual([[null, 'OK']]);
    expect(await raw.get('mcp2:k')).toBe('mine');
  });

  it('refuses session commands on a shared view with SharedConnectionError, and allows them on duplicate()', async () => {
    const id = await raw.client('ID');
    await expect(mcp2.client('TRACKING', 'on')).rejects.toBeInstanceOf(SharedConnectionError);
    await expect(mcp2.client('SETNAME', 'worker')).rejects.toThrow(/duplicate\(\)/);
    await expect(mcp2.call('WAIT', '0', '0')).rejects.toMatchObject({ code: 'ERR_SHARED_CONNECTION' });
    // Inside a batch too, refused whole.
    await expect(mcp2.pipeline().set('a', '1').client('SETNAME', 'worker').exec()).rejects.toBeInstanceOf(SharedConnectionError);
    await expect(mcp2.pipeline().subscribe('news').exec()).rejects.toBeInstanceOf(SharedConnectionError);
    expect(await lastCommandOn(id)).toBe('client|id');
    const own = mcp2.duplicate();
    closers.unshift(() => own.quit());
    expect(await own.client('SETNAME', 'worker')).toBe('OK');
    expect(await own.call('WAIT', '0', '0')).toBe(0);
    expect(await own.client('TRACKING', 'on')).toBe('OK');
    expect(await raw.client('GETNAME')).toBeNull();
  });

  it('shows only the namespace\'s named connections in CLIENT LIST', async () => {
    const mine = mcp2.duplicate();
    const theirs = celery.duplicate();
    closers.unshift(() => mine.quit(), () => theirs.quit());
    await mine.client('SETNAME', 'lister');
    await theirs.client('SETNAME', 'lister');
    const list = String(await mcp2.client('LIST'));
    expect(list).toMatch(/name=lister /);
    expect(list).not.toMatch(/celery/);
    // Unnamed connections (the shared one, the observer) and celery's are left out.
    const names = list.trim().split('\n').map((line) => /name=(\S*)/.exec(line)?.[1]);
    expect(names.every((connection) => connection !== undefined && connection !== '')).toBe(true);
  });

  it('quit() and call(\'quit\') close only what the view opened: celery keeps working', async () => {
    const shared = client();
    const a = view('mcp2', shared);
    const b = view('celery', shared);
    await a.blpop('empty', 0.1); // opens a's exclusive connection
    expect(await a.quit()).toBe('OK');
    expect(await within(1000, b.get('secret'))).toBe('CELERY-SECRET');
    expect(await a.call('quit')).toBe('OK');
    expect(await within(1000, b.get('secret'))).toBe('CELERY-SECRET');
    a.disconnect();
    expect(shared.status).toBe('ready');
    expect(await within(1000, a.get('x'))).toBeNull(); // the view itself still works: the connection is its owner's
  });

  it('reports its own auto-pipeline queue in autoPipelineQueueSize', async () => {
    const piped = view('mcp2', client({ enableAutoPipelining: true }));
    const pending = [piped.set('a', '1'), piped.get('a')];
    expect(piped.autoPipelineQueueSize).toBe(2);
    expect(await Promise.all(pending)).toEqual(['OK', '1']);
    expect(piped.autoPipelineQueueSize).toBe(0);
  });
});

describe.each(IOREDIS_VERSIONS)('$name, Redis Cluster: connection state', ({ Cluster }) => {
  type Client = InstanceType<typeof Cluster>;
  let raw: Client;
  let mcp2: Isolated<Client>;
  let celery: Isolated<Client>;

  beforeAll(async () => {
    raw = new Cluster(inject('redisClusterPorts').map((port) => ({ host: '127.0.0.1', port })));
    mcp2 = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: raw });
    celery = createIsolatedRedis({ namespace: 'celery', namespaces, client: raw });
    await raw.ping();
    await celery.set('secret', 'CELERY-SECRET');
  });
  afterAll(async () => {
    await Promise.all([mcp2.quit(), celery.quit()]);
    raw.disconnect();
  });

  it('runs BLPOP on the view\'s own Cluster connections, WATCH there too, and refuses session commands', async () => {
    const blocked = mcp2.blpop('empty', 2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    expect(await within(1500, celery.get('secret'))).toBe('CELERY-SECRET');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await blocked).toBeNull();
    await mcp2.set('{w}k', 'v0');
    await mcp2.watch('{w}k');
    await raw.set('mcp2:{w}k', 'changed');
    expect(await mcp2.multi().set('{w}k', 'mine').exec()).toBeNull();
    await expect(mcp2.client('SETNAME', 'x')).rejects.toBeInstanceOf(SharedConnectionError);
    await expect(mcp2.pipeline().call('multi').call('multi').set('x', '1').call('exec').exec()).rejects.toBeInstanceOf(BlockedCommandError);
  });

  it('subscribes on the view\'s own connections, counts its own, and quit() leaves the cluster to its owner', async () => {
    const heard: string[] = [];
    celery.on('message', (channel: string, message: string) => heard.push(`${channel} ${message}`));
    expect(await mcp2.subscribe('news')).toBe(1);
    expect(await celery.subscribe('news')).toBe(1);
    await mcp2.publish('news', 'for mcp2');
    await celery.publish('news', 'for celery');
    await vi.waitFor(() => expect(heard).toEqual(['news for celery']));
    expect(await mcp2.unsubscribe()).toBe(0);
    expect(await mcp2.quit()).toBe('OK');
    expect(await within(1000, celery.get('secret'))).toBe('CELERY-SECRET');
    expect(raw.status).toBe('ready');
  });
});
