import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { IsolationConfigError, moveNamespace, type MoveReport } from '../../src/index.js';
import { startRedisServer, type RunningRedis } from '../support/redis-server.js';

let shared: RunningRedis;
let celeryRedis: RunningRedis;
let source: Redis;
let target: Redis;

beforeAll(async () => {
  [shared, celeryRedis] = await Promise.all([startRedisServer(), startRedisServer()]);
  source = new Redis(shared.url);
  target = new Redis(celeryRedis.url);
});
afterAll(async () => {
  source.disconnect();
  target.disconnect();
  await Promise.all([shared.stop(), celeryRedis.stop()]);
});

/** Seeds `celery:` with every type, some with a TTL, beside other namespaces' keys. */
async function seed(): Promise<string[]> {
  const batch = source.pipeline();
  for (let i = 0; i < 1200; i++) batch.set(`celery:task:${i}`, `payload ${i}`);
  batch.set('celery:ttl', 'expires', 'PX', 600_000);
  batch.hset('celery:hash', { a: '1', b: '2' }).pexpire('celery:hash', 900_000);
  batch.rpush('celery:queue', 'x', 'y', 'z').sadd('celery:set', 'm').zadd('celery:zset', 1, 'a');
  batch.xadd('celery:stream', '1-1', 'f', 'v');
  batch.set(Buffer.from([0x63, 0x65, 0x6c, 0x65, 0x72, 0x79, 0x3a, 0xff]), 'binary key'); // celery:\xff
  batch.set('mcp2:payload:1', 'other namespace').set('celeryx:lookalike', 'not celery').set('unprefixed', 'no namespace');
  await batch.exec();
  return (await source.keys('celery:*')).sort();
}

const dumps = async (client: Redis, keys: readonly string[]): Promise<Array<Buffer | null>> => Promise.all(keys.map((key) => client.dumpBuffer(key)));

describe('moveNamespace', () => {
  beforeEach(async () => {
    await Promise.all([source.flushall(), target.flushall()]);
  });

  it('copies every key, value and TTL of the namespace, and nothing else', async () => {
    const keys = await seed();
    const progress: MoveReport[] = [];
    const report = await moveNamespace({ namespace: 'celery', from: shared.url, to: celeryRedis.url, count: 100, onProgress: (p) => progress.push(p) });
    expect(report).toMatchObject({ namespace: 'celery', prefix: 'celery:', scanned: keys.length, copied: keys.length, skipped: 0, vanished: 0, interrupted: false });
    expect(keys.length).toBe(1207);
    expect(await target.getBuffer(Buffer.from('celery:\xff', 'latin1'))).toEqual(Buffer.from('binary key'));
    expect(progress.length).toBeGreaterThan(5);
    expect(progress.at(-1)?.copied).toBe(keys.length);
    expect((await target.keys('*')).sort()).toEqual(keys);
    expect(await dumps(target, keys)).toEqual(await dumps(source, keys));
    const ttl = await target.pttl('celery:ttl');
    expect(ttl).toBeGreaterThan(590_000);
    expect(ttl).toBeLessThanOrEqual(600_000);
    expect(await target.pttl('celery:hash')).toBeGreaterThan(890_000);
    expect(await target.pttl('celery:task:1')).toBe(-1);
    // The source is untouched: other namespaces there, and the namespace itself until it is deleted by hand.
    expect(await source.dbsize()).toBe(keys.length + 3);
  });

  it('resumes after an interruption: a second run copies the rest and skips what arrived', async () => {
    const keys = await seed();
    const stop = new AbortController();
    const first = await moveNamespace({
      namespace: 'celery', from: shared.url, to: celeryRedis.url, count: 100, signal: stop.signal,
      onProgress: (p) => {
        if (p.copied >= 300) stop.abort();
      },
    });
    expect(first.interrupted).toBe(true);
    expect(first.copied).toBeLessThan(keys.length);
    expect(await target.dbsize()).toBe(first.copied);
    const second = await moveNamespace({ namespace: 'celery', from: shared.url, to: celeryRedis.url });
    expect(second).toMatchObject({ scanned: keys.length, skipped: first.copied, copied: keys.length - first.copied, interrupted: false });
    expect((await target.keys('*')).sort()).toEqual(keys);
  });

  it('counts without writing in a dry run, and replaces on request', async () => {
    const keys = await seed();
    expect(await moveNamespace({ namespace: 'celery', from: shared.url, to: celeryRedis.url, dryRun: true })).toMatchObject({ dryRun: true, scanned: keys.length, copied: 0 });
    expect(await target.dbsize()).toBe(0);
    await target.set('celery:task:1', 'stale');
    const report = await moveNamespace({ namespace: 'celery', from: shared.url, to: celeryRedis.url, replace: true });
    expect(report.copied).toBe(keys.length);
    expect(await target.get('celery:task:1')).toBe('payload 1');
  });

  it('refuses the same database as source and target, however the URLs name it, and invalid URLs', async () => {
    await expect(moveNamespace({ namespace: 'celery', from: shared.url, to: `${shared.url}/0` })).rejects.toBeInstanceOf(IsolationConfigError);
    const alias = shared.url.replace('127.0.0.1', 'localhost');
    await seed();
    await expect(moveNamespace({ namespace: 'celery', from: `${shared.url}/0`, to: alias, replace: true })).rejects.toThrow(/same database of the same server/);
    // Another database of the same server is another place.
    expect((await moveNamespace({ namespace: 'celery', from: shared.url, to: `${alias}/1` })).copied).toBe(1207);
    await expect(moveNamespace({ namespace: 'celery', from: shared.url, to: 'celery-redis:6379' })).rejects.toThrow(/`to`/);
  });
});
