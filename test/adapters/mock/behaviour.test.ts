import RedisMock from 'ioredis-mock';
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  BlockedCommandError,
  CrossNamespaceError,
  IsolationConfigError,
  MockUnsupportedCommandError,
  createIsolatedRedis,
  type Isolated,
} from '../../../src/index.js';
import type { Redis } from 'ioredis';
import { expectViewsShareRawClient } from '../../support/shared-client.js';

const namespaces = ['mcp2', 'celery'];

/** A raw mock over a keyspace of its own (mocks with the same host and port share data). */
const freshMock = (): Redis => new RedisMock({ host: `behaviour-${randomUUID()}` });

describe('createIsolatedRedis over ioredis-mock', () => {
  let raw: Redis;
  let mcp2: Isolated<Redis>;
  let celery: Isolated<Redis>;

  beforeEach(() => {
    raw = freshMock();
    mcp2 = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: raw });
    celery = createIsolatedRedis({ namespace: 'celery', namespaces, client: raw });
  });

  it('prefixes typed methods, argument transformers, Buffer variants and call()', async () => {
    await mcp2.set('a', '1');
    await mcp2.hset('h', { f: 'v', g: 'w' });
    await mcp2.mset({ m1: 'x', m2: 'y' });
    expect((await raw.keys('*')).sort()).toEqual(['mcp2:a', 'mcp2:h', 'mcp2:m1', 'mcp2:m2']);
    expect(await mcp2.hgetall('h')).toEqual({ f: 'v', g: 'w' });
    expect(await mcp2.mget(['m1', 'm2'])).toEqual(['x', 'y']);
    expect(await mcp2.getBuffer('a')).toEqual(Buffer.from('1'));
    expect(await mcp2.call('get', 'a')).toBe('1');
    expect(await mcp2.callBuffer('get', 'a')).toEqual(Buffer.from('1'));
    expect(mcp2.isolation).toMatchObject({ namespace: 'mcp2', prefix: 'mcp2:', mode: 'prefix' });
  });

  it('keeps the mock raw: two namespaces share it, each sees only its own keys', async () => {
    await expectViewsShareRawClient(raw, mcp2, celery);
  });

  it('refuses cross-namespace reads and deletes with the guard\'s codes, and nothing changes', async () => {
    await celery.set('task:1', 'payload');
    await expect(mcp2.get('celery:task:1')).rejects.toBeInstanceOf(CrossNamespaceError);
    await expect(mcp2.del('celery:task:1')).rejects.toMatchObject({ code: 'ERR_CROSS_NAMESPACE', key: 'celery:task:1' });
    await expect(mcp2.get('mcp2:x')).rejects.toMatchObject({ code: 'ERR_DOUBLE_PREFIX' });
    await expect(mcp2.flushdb()).rejects.toBeInstanceOf(BlockedCommandError);
    await expect(mcp2.randomkey()).rejects.toMatchObject({ code: 'ERR_BLOCKED_COMMAND' });
    await expect(mcp2.call('json.get', 'x')).rejects.toMatchObject({ code: 'ERR_UNKNOWN_COMMAND' });
    await expect(mcp2.monitor()).rejects.toMatchObject({ code: 'ERR_BLOCKED_COMMAND' });
    await expect(mcp2.exec()).rejects.toMatchObject({ code: 'ERR_BLOCKED_COMMAND', command: 'exec' });
    // call('multi') would hand back the mock's raw batch, past the guard; EXEC and DISCARD act on
    // the one transaction every view of the mock shares.
    await expect(mcp2.call('multi')).rejects.toMatchObject({ code: 'ERR_BLOCKED_COMMAND', command: 'multi' });
    await expect(mcp2.callBuffer('MULTI')).rejects.toMatchObject({ code: 'ERR_BLOCKED_COMMAND', command: 'multi' });
    await expect(mcp2.call('EXEC')).rejects.toMatchObject({ code: 'ERR_BLOCKED_COMMAND', command: 'exec' });
    await expect(mcp2.call('discard')).rejects.toMatchObject({ code: 'ERR_BLOCKED_COMMAND', command: 'discard' });
    expect(() => mcp2.multi({ pipeline: false })).toThrow(BlockedCommandError);
    const viaCallback = await new Promise((resolve) => void mcp2.get('celery:task:1', (error) => resolve(error)).catch(() => undefined));
    expect(viaCallback).toBeInstanceOf(CrossNamespaceError);
    expect(await raw.keys('*')).toEqual(['celery:task:1']);
  });

  it('confines KEYS, SCAN and scanStream to the namespace and un-prefixes the names', async () => {
    await mcp2.mset('a', '1', 'b', '2');
    await celery.set('c', '3');
    await raw.set('unprefixed', '4');
    expect((await mcp2.keys('*')).sort()).toEqual(['a', 'b']);
    const [cursor, scanned] = await mcp2.scan(0, 'COUNT', 100);
    expect([cursor, scanned.sort()]).toEqual(['0', ['a', 'b']]);
    expect(await mcp2.keysBuffer('a')).toEqual([Buffer.from('a')]);
    const streamed: string[] = [];
    for await (const batch of mcp2.scanStream({ match: '*', count: 1 })) streamed.push(...(batch as string[]));
    expect(streamed.sort()).toEqual(['a', 'b']);
    await mcp2.hset('h', 'f1', 'v1', 'f2', 'v2');
    const fields: string[] = [];
    for await (const batch of mcp2.hscanStream('h')) fields.push(...(batch as string[]));
    expect(fields).toEqual(['f1', 'v1', 'f2', 'v2']);
    const buffers: Buffer[] = [];
    for await (const batch of mcp2.scanBufferStream()) buffers.push(...(batch as Buffer[]));
    expect(buffers.map(String).sort()).toEqual(['a', 'b', 'h']);
  });

  it('pipelines and MULTI are all or nothing: one refused command and nothing is written', async () => {
    const refused = mcp2.pipeline().set('p1', 'x').get('celery:k').set('p2', 'y').exec();
    await expect(refused).rejects.toBeInstanceOf(CrossNamespaceError);
    const refusedMulti = mcp2.multi([['set', 'm1', 'x'], ['flushdb']]).exec();
    await expect(refusedMulti).rejects.toMatchObject({ code: 'ERR_BLOCKED_COMMAND' });
    const unsupported = mcp2.pipeline().set('p3', 'x').sort('p3').exec();
    await expect(unsupported).rejects.toBeInstanceOf(MockUnsupportedCommandError);
    expect(await raw.keys('*')).toEqual([]);

    const pipeline = mcp2.pipeline().set('a', '1').incr('n').keys('*');
    expect(pipeline.length).toBe(3);
    const replies = await pipeline.exec();
    expect(replies?.map(([error, reply]) => [error, Array.isArray(reply) ? reply.sort() : reply])).toEqual([[null, 'OK'], [null, 1], [null, ['a', 'n']]]);
    expect(await mcp2.multi().incr('n').get('n').exec()).toEqual([[null, 2], [null, '2']]);
    expect((await raw.keys('*')).sort()).toEqual(['mcp2:a', 'mcp2:n']);
  });

  it('refuses what the mock cannot run with ERR_MOCK_UNSUPPORTED, after the guard\'s own verdict', async () => {
    const error = await mcp2.sort('list').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MockUnsupportedCommandError);
    expect(error).toMatchObject({ code: 'ERR_MOCK_UNSUPPORTED', command: 'sort', namespace: 'mcp2' });
    expect((error as Error).message).toMatch(/SORT cannot run on ioredis-mock/);
    await expect(mcp2.blpop('q', 1)).rejects.toMatchObject({ code: 'ERR_MOCK_UNSUPPORTED', command: 'blpop' });
    await expect(mcp2.call('copy', 'a', 'b')).rejects.toMatchObject({ code: 'ERR_MOCK_UNSUPPORTED' });
    // A foreign key is the guard's refusal first, as on a real server.
    await expect(mcp2.sort('celery:list')).rejects.toMatchObject({ code: 'ERR_CROSS_NAMESPACE' });
    // An option the mock does not implement, in a command it runs.
    await expect(mcp2.zinterstore('d', 2, 'a', 'b', 'AGGREGATE', 'MAX')).rejects.toMatchObject({ code: 'ERR_MOCK_UNSUPPORTED', option: 'AGGREGATE' });
    expect(await mcp2.zinterstore('d', 2, 'a', 'b')).toBe(0);
    await expect(mcp2.scan(0, 'TYPE', 'string')).rejects.toMatchObject({ code: 'ERR_MOCK_UNSUPPORTED', option: 'TYPE' });
    // A command of the table newer than the mock (no method on it at all).
    await expect(mcp2.call('msetex', 1, 'k', 'v', 'EX', 10)).rejects.toMatchObject({ code: 'ERR_MOCK_UNSUPPORTED' });
  });

  it('scripts: EVAL and defineCommand get their KEYS prefixed', async () => {
    await mcp2.set('k', 'v');
    expect(await mcp2.eval("return redis.call('GET', KEYS[1])", 1, 'k')).toBe('v');
    mcp2.defineCommand('getKey', { numberOfKeys: 1, lua: "return redis.call('GET', KEYS[1])" });
    const scripted = mcp2 as Isolated<Redis> & { getKey(key: string): Promise<string | null> };
    expect(await scripted.getKey('k')).toBe('v');
    await expect(scripted.getKey('celery:k')).rejects.toBeInstanceOf(CrossNamespaceError);
    expect(Object.prototype.hasOwnProperty.call(raw, 'getKey')).toBe(false);
    const replies = await (mcp2.pipeline() as unknown as { getKey(key: string): { exec(): Promise<unknown> } }).getKey('k').exec();
    expect(replies).toEqual([[null, 'v']]);
  });

  it('pub/sub: channels prefixed, messages delivered un-prefixed to their own namespace only', async () => {
    const subscriber = mcp2.duplicate();
    const celerySubscriber = celery.duplicate();
    const received: string[][] = [];
    let threeReceived: () => void = () => undefined;
    const allDelivered = new Promise<void>((resolve) => (threeReceived = resolve));
    const receive = (entry: string[]): void => void (received.push(entry) === 3 && threeReceived());
    subscriber.on('message', (channel: string, message: string) => receive(['mcp2', channel, message]));
    subscriber.on('pmessage', (pattern: string, channel: string, message: string) => receive(['mcp2 p', pattern, channel, message]));
    celerySubscriber.on('message', (channel: string, message: string) => receive(['celery', channel, message]));
    await subscriber.subscribe('news');
    await subscriber.psubscribe('ne*');
    await celerySubscriber.subscribe('news');
    expect((await raw.pubsub('CHANNELS')).sort()).toEqual(['celery:news', 'mcp2:news']);
    await mcp2.publish('news', 'hello');
    await celery.publish('news', 'bonjour');
    await allDelivered; // the mock delivers on the next tick
    expect(received).toEqual([
      ['mcp2', 'news', 'hello'],
      ['mcp2 p', 'ne*', 'news', 'hello'],
      ['celery', 'news', 'bonjour'],
    ]);
    expect(subscriber.isolation.namespace).toBe('mcp2');
  });

  it('quit() and disconnect() on a view leave the shared mock open; unsubscribe() without channels ends the view\'s own', async () => {
    expect(await mcp2.quit()).toBe('OK');
    expect(await mcp2.call('quit')).toBe('OK');
    mcp2.disconnect();
    await celery.set('k', 'v');
    expect(await celery.get('k')).toBe('v');
    expect((raw as unknown as { connected: boolean }).connected).toBe(true);
    const heard: string[] = [];
    mcp2.on('message', (channel: string) => heard.push(`mcp2 ${channel}`));
    celery.on('message', (channel: string) => heard.push(`celery ${channel}`));
    await mcp2.subscribe('news', 'weather');
    await celery.subscribe('news');
    expect(await mcp2.unsubscribe()).toBeGreaterThanOrEqual(0);
    // The mock in subscriber mode takes no other command: publish and look from another instance.
    const publisher = createIsolatedRedis({ namespace: 'celery', namespaces, client: raw.duplicate() });
    expect((await raw.duplicate().pubsub('CHANNELS')).sort()).toEqual(['celery:news']);
    await publisher.publish('news', 'still');
    await new Promise((resolve) => setImmediate(resolve));
    expect(heard).toEqual(['celery news']);
    expect(await mcp2.unsubscribe()).toBe(0); // nothing of its own left
  });

  it('strict mode: keys must carry the prefix and replies keep it', async () => {
    const strict = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: raw, mode: 'strict' });
    await strict.set('mcp2:a', '1');
    expect(await strict.keys('mcp2:*')).toEqual(['mcp2:a']);
    await expect(strict.get('a')).rejects.toMatchObject({ code: 'ERR_UNPREFIXED_KEY' });
  });

  it('refuses a mock with its own keyPrefix, and an already isolated one', () => {
    const prefixed = new RedisMock({ host: `behaviour-${randomUUID()}`, keyPrefix: 'x:' });
    expect(() => createIsolatedRedis({ namespace: 'mcp2', client: prefixed })).toThrow(IsolationConfigError);
    expect(() => createIsolatedRedis({ namespace: 'celery', client: mcp2 })).toThrow(/already isolated in namespace "mcp2"/);
  });
});
