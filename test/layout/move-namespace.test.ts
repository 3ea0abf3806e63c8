import { beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { IsolationConfigError, MoveError, moveNamespace, type MoveReport } from '../../src/index.js';
import type { RunningRedis } from '../support/redis-server.js';
import { useMoveServers } from './move-content.js';

let shared: RunningRedis;
let celeryRedis: RunningRedis;
let source: Redis;
let target: Redis;

useMoveServers((servers) => ({ shared, celeryRedis, source, target } = servers));

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

  it('copies every key, value and TTL of the namespace, and nothing else, and verifies what it copied', async () => {
    const keys = await seed();
    const progress: MoveReport[] = [];
    const report = await moveNamespace({ namespace: 'celery', from: shared.url, to: celeryRedis.url, count: 100, onProgress: (p) => progress.push(p) });
    expect(report).toMatchObject({ namespace: 'celery', prefix: 'celery:', mode: 'copy', scanned: keys.length, written: keys.length, copied: keys.length, skipped: 0, vanished: 0, interrupted: false });
    expect(report.verification).toMatchObject({ checked: keys.length, equal: keys.length, missing: 0, extra: 0, contentDiffers: 0, ttlDiffers: 0 });
    expect(report.preflight).toMatchObject({ namespaceKeys: keys.length, verdict: 'fits', targetNamespaceBytes: 0 });
    expect(keys.length).toBe(1207);
    expect(await target.getBuffer(Buffer.from('celery:\xff', 'latin1'))).toEqual(Buffer.from('binary key'));
    expect(progress.length).toBeGreaterThan(5);
    expect((await target.keys('*')).sort()).toEqual(keys);
    expect(await dumps(target, keys)).toEqual(await dumps(source, keys));
    expect(await target.pttl('celery:task:1')).toBe(-1);
    // The source is untouched: other namespaces there, and the namespace itself until it is deleted by hand.
    expect(await source.dbsize()).toBe(keys.length + 3);
  });

  it('carries expiry as the absolute time of the source (PEXPIRETIME), not a remaining time that grows with the batch', async () => {
    // Many keys per batch, with big values: the old remaining-time copy shifted these by the batch's duration.
    const at = Date.now() + 3_600_000;
    const value = 'v'.repeat(20_000);
    const batch = source.pipeline();
    for (let i = 0; i < 2000; i++) batch.set(`celery:e:${i}`, value, 'PXAT', at + i);
    await batch.exec();
    await moveNamespace({ namespace: 'celery', from: shared.url, to: celeryRedis.url, count: 1000 });
    const read = async (client: Redis): Promise<number[]> => {
      const p = client.pipeline();
      for (let i = 0; i < 2000; i++) p.call('PEXPIRETIME', `celery:e:${i}`);
      return ((await p.exec()) ?? []).map(([, t]) => Number(t));
    };
    const expected = Array.from({ length: 2000 }, (_, i) => at + i);
    expect(await read(source)).toEqual(expected);
    expect(await read(target)).toEqual(expected);
  });

  it('resumes after an interruption: a second run copies the rest and keeps what arrived', async () => {
    const keys = await seed();
    const stop = new AbortController();
    const first = await moveNamespace({
      namespace: 'celery', from: shared.url, to: celeryRedis.url, count: 100, signal: stop.signal,
      onProgress: (p) => {
        if (p.written >= 300) stop.abort();
      },
    });
    expect(first.interrupted).toBe(true);
    expect(first.verification).toBeUndefined();
    expect(first.written).toBeLessThan(keys.length);
    expect(await target.dbsize()).toBe(first.written);
    const second = await moveNamespace({ namespace: 'celery', from: shared.url, to: celeryRedis.url });
    expect(second).toMatchObject({ scanned: keys.length, skipped: first.written, written: keys.length - first.written, copied: keys.length - first.written, interrupted: false });
    expect(second.verification).toMatchObject({ equal: keys.length, missing: 0, extra: 0 });
    expect((await target.keys('*')).sort()).toEqual(keys);
  });

  it('checks without writing in a dry run, and replaces on request', async () => {
    const keys = await seed();
    const dry = await moveNamespace({ namespace: 'celery', from: shared.url, to: celeryRedis.url, dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, scanned: keys.length, copied: 0, written: 0, verification: undefined });
    expect(dry.preflight?.namespaceBytes).toBeGreaterThan(50_000);
    expect(await target.dbsize()).toBe(0);
    await target.set('celery:task:1', 'stale');
    const kept = await moveNamespace({ namespace: 'celery', from: shared.url, to: celeryRedis.url });
    expect(kept).toMatchObject({ skipped: 1, written: keys.length - 1 });
    // The kept key differs: the verification says so.
    expect(kept.verification).toMatchObject({ contentDiffers: 1, examples: [{ key: 'celery:task:1', problem: 'content' }] });
    const report = await moveNamespace({ namespace: 'celery', from: shared.url, to: celeryRedis.url, replace: true });
    expect(report).toMatchObject({ written: keys.length, copied: keys.length });
    expect(await target.get('celery:task:1')).toBe('payload 1');
  });

  it('refuses the same database as source and target, however the URLs name it, and invalid URLs', async () => {
    await seed();
    const same = (from: string, to: string) => moveNamespace({ namespace: 'celery', from, to, replace: true });
    await expect(same(shared.url, `${shared.url}/0`)).rejects.toMatchObject({ code: 'ERR_MOVE_SAME_DATABASE' });
    const alias = shared.url.replace('127.0.0.1', 'localhost');
    await expect(same(`${shared.url}/0`, alias)).rejects.toThrow(/same database \(0\) of the same server/);
    // Found on the code before this change: `/01` and `/1`, `?db=1` and `/1` passed as two databases.
    await expect(same(`${shared.url}/01`, `${alias}/1`)).rejects.toMatchObject({ code: 'ERR_MOVE_SAME_DATABASE' });
    await expect(same(`${shared.url}?db=1`, `${shared.url}/1`)).rejects.toBeInstanceOf(MoveError);
    expect(await source.dbsize()).toBe(1210);
    // Another database of the same server is another place.
    expect((await moveNamespace({ namespace: 'celery', from: shared.url, to: `${alias}/1` })).copied).toBe(1207);
    await expect(moveNamespace({ namespace: 'celery', from: shared.url, to: 'celery-redis:6379' })).rejects.toBeInstanceOf(IsolationConfigError);
  });
});
