import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { moveNamespace } from '../../src/index.js';
import { startRedisServer, type RunningRedis } from '../support/redis-server.js';

let shared: RunningRedis;
let other: RunningRedis;
let source: Redis;
let target: Redis;

beforeAll(async () => {
  // The target encodes small collections as hash tables and quicklists: the same values give other DUMPs.
  [shared, other] = await Promise.all([
    startRedisServer(),
    startRedisServer(['--hash-max-listpack-entries', '0', '--set-max-intset-entries', '0', '--zset-max-listpack-entries', '0', '--min-replicas-to-write', '1']),
  ]);
  source = new Redis(shared.url);
  target = new Redis(other.url);
});
afterAll(async () => {
  source.disconnect();
  target.disconnect();
  await Promise.all([shared.stop(), other.stop()]);
});

describe('verification', () => {
  it('compares by content digest where encodings differ, reports each kind of difference, and writes nothing in verify mode', async () => {
    const batch = source.pipeline();
    for (let i = 0; i < 40; i++) batch.hset(`celery:h:${i}`, 'a', String(i), 'b', 'x').sadd(`celery:s:${i}`, 1, 2, 3).zadd(`celery:z:${i}`, 1, 'a', 2.5, 'b');
    batch.set('celery:ttl', 'x', 'PX', 600_000).set('celery:near', 'x', 'PX', 600_000).set('celery:gone', 'x').set('celery:type', 'string').set('celery:value', 'v1');
    batch.set('mcp2:other', 'not compared');
    await batch.exec();
    // The target refuses writes (min-replicas-to-write): it is filled by hand, as a copy would, and verify mode never writes.
    await target.config('SET', 'min-replicas-to-write', '0');
    const copy = target.pipeline();
    for (const key of await source.keys('celery:*')) {
      const [ttl, dump] = await Promise.all([source.call('PEXPIRETIME', key), source.dumpBuffer(key)]);
      copy.call('RESTORE', key, Number(ttl) > 0 ? Number(ttl) : 0, dump as Buffer, ...(Number(ttl) > 0 ? ['ABSTTL'] : []));
    }
    await copy.exec();
    expect(await target.call('OBJECT', 'ENCODING', 'celery:h:1')).toBe('hashtable');
    expect(await source.call('OBJECT', 'ENCODING', 'celery:h:1')).toBe('listpack');
    await target.config('SET', 'min-replicas-to-write', '1');

    const equal = await moveNamespace({ namespace: 'celery', from: shared.url, to: other.url, mode: 'verify' });
    expect(equal.verification).toMatchObject({ checked: 125, equal: 125, byDigest: 120, missing: 0, extra: 0, contentDiffers: 0 });

    await target.config('SET', 'min-replicas-to-write', '0');
    await target.del('celery:gone');
    await target.set('celery:value', 'v2', 'KEEPTTL');
    await target.pexpire('celery:ttl', 60_000);
    await target.pexpireat('celery:near', Number(await source.call('PEXPIRETIME', 'celery:near')) + 400);
    await target.del('celery:type');
    await target.rpush('celery:type', 'a list');
    await target.hset('celery:h:7', 'b', 'y');
    await target.set('celery:extra', 'only here');
    await target.config('SET', 'min-replicas-to-write', '1');

    const report = await moveNamespace({ namespace: 'celery', from: shared.url, to: other.url, mode: 'verify' });
    expect(report).toMatchObject({ mode: 'verify', scanned: 125, written: 0, copied: 0 });
    expect(report.verification).toMatchObject({ checked: 125, equal: 120, missing: 1, typeDiffers: 1, ttlDiffers: 1, contentDiffers: 2, extra: 1 });
    expect(new Set(report.verification?.examples.map((d) => `${d.key} ${d.problem}`))).toEqual(
      new Set(['celery:gone missing', 'celery:type type', 'celery:ttl ttl', 'celery:value content', 'celery:h:7 content', 'celery:extra extra']),
    );
    // celery:near is 400 ms off: within the tolerance (1 s by default), not with none.
    const strict = await moveNamespace({ namespace: 'celery', from: shared.url, to: other.url, mode: 'verify', ttlToleranceMs: 0 });
    expect(strict.verification?.ttlDiffers).toBe(2);
  });
});
