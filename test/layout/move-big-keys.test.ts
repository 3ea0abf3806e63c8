import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { moveNamespace } from '../../src/index.js';
import { startRedisServer, type RunningRedis } from '../support/redis-server.js';
import { keyspaceOf } from './move-content.js';

let shared: RunningRedis;
let small: RunningRedis;
let source: Redis;
let target: Redis;

beforeAll(async () => {
  // proto-max-bulk-len at its minimum (1 MB): a DUMP of any key below is refused as one argument.
  [shared, small] = await Promise.all([startRedisServer(), startRedisServer(['--proto-max-bulk-len', '1mb'])]);
  source = new Redis(shared.url);
  target = new Redis(small.url);
});
afterAll(async () => {
  source.disconnect();
  target.disconnect();
  await Promise.all([shared.stop(), small.stop()]);
});

async function seedBigKeys(): Promise<void> {
  // A string can never exceed the target's proto-max-bulk-len (APPEND refuses it too): 900 KB, chunked all the same.
  await source.set('celery:blob', randomBytes(900 * 1024), 'PX', 3_600_000);
  const batch = source.pipeline();
  // The hash's DUMP is over 1 MB; the others are big for the move's threshold (64 KB here).
  for (let i = 0; i < 8000; i += 1000) {
    batch.hset('celery:hash', Object.fromEntries(Array.from({ length: 1000 }, (_, j) => [`field:${i + j}`, `value ${'h'.repeat(140)} ${i + j}`])));
  }
  for (let i = 0; i < 3000; i += 1000) {
    batch.sadd('celery:set', ...Array.from({ length: 1000 }, (_, j) => `member:${i + j}:${'s'.repeat(60)}`));
    batch.rpush('celery:list', ...Array.from({ length: 1000 }, (_, j) => `item ${i + j} ${'l'.repeat(60)}`));
    batch.zadd('celery:zset', ...Array.from({ length: 1000 }, (_, j) => [String((i + j) / 7), `z:${i + j}:${'z'.repeat(60)}`]).flat());
  }
  batch.zadd('celery:zset', 'inf', 'plus-infinity', '-inf', 'minus-infinity', '0.1', 'a-tenth');
  batch.pexpire('celery:set', 1_800_000);
  for (let i = 1; i <= 3000; i++) batch.xadd('celery:stream', `${i}-1`, 'n', String(i), 'pad', 'x'.repeat(60));
  batch.xdel('celery:stream', '10-1', '20-1');
  batch.xgroup('CREATE', 'celery:stream', 'workers', '0');
  batch.xgroup('CREATE', 'celery:stream', 'idle', '100-1');
  batch.xgroup('CREATECONSUMER', 'celery:stream', 'idle', 'nobody');
  batch.xreadgroup('GROUP', 'workers', 'alice', 'COUNT', 30, 'STREAMS', 'celery:stream', '>');
  batch.xreadgroup('GROUP', 'workers', 'bob', 'COUNT', 20, 'STREAMS', 'celery:stream', '>');
  batch.xack('celery:stream', 'workers', '1-1', '2-1');
  batch.xclaim('celery:stream', 'workers', 'bob', 0, '3-1');
  batch.set('celery:small', 'a small key beside them').set('mcp2:other', 'another namespace');
  await batch.exec();
}

describe('big keys', () => {
  it('are copied type by type in chunks under a temporary name, then renamed, where DUMP could never go', async () => {
    await seedBigKeys();
    // Found on the code before this change: "ERR Protocol error: invalid bulk length" on every run.
    const options = { namespace: 'celery', from: shared.url, to: small.url, bigKeyBytes: 64 * 1024, chunkBytes: 32 * 1024 };
    expect(await source.call('MEMORY', 'USAGE', 'celery:hash')).toBeGreaterThan(1024 * 1024);
    const report = await moveNamespace(options);
    expect(report).toMatchObject({ scanned: 7, written: 7, chunked: 6, copied: 7 });
    expect(report.verification).toMatchObject({ equal: 7, missing: 0, extra: 0, contentDiffers: 0, ttlDiffers: 0 });
    expect(await keyspaceOf(target, '*')).toEqual(await keyspaceOf(source, 'celery:*'));
    expect(await target.call('PEXPIRETIME', 'celery:blob')).toBe(await source.call('PEXPIRETIME', 'celery:blob'));

    // A run killed in the middle of a big key leaves its temporary key: the next run drops it.
    await target.set('celery:__isolated-redis-move-tmp__:0123abcd', 'half a key', 'PX', 3_600_000);
    const resumed = await moveNamespace(options);
    expect(resumed).toMatchObject({ written: 0, skipped: 7 });
    expect(resumed.verification).toMatchObject({ equal: 7, extra: 0 });
    expect(await target.exists('celery:__isolated-redis-move-tmp__:0123abcd')).toBe(0);

    // A second sync compares them by digest and leaves them.
    const again = await moveNamespace({ ...options, mode: 'sync' });
    expect(again).toMatchObject({ written: 0, skipped: 7, deleted: 0 });
    await source.hset('celery:hash', 'field:7', 'changed');
    const changed = await moveNamespace({ ...options, mode: 'sync' });
    expect(changed).toMatchObject({ written: 1, chunked: 1, skipped: 6 });
    expect(await target.hget('celery:hash', 'field:7')).toBe('changed');
    expect(await target.dbsize()).toBe(7);
  });
});
