import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { MoveError, moveNamespace } from '../../src/index.js';
import { startRedisServer, type RunningRedis } from '../support/redis-server.js';

let shared: RunningRedis;
let lru: RunningRedis;
let strict: RunningRedis;
let source: Redis;

beforeAll(async () => {
  [shared, lru, strict] = await Promise.all([
    startRedisServer(),
    startRedisServer(['--maxmemory', '20mb', '--maxmemory-policy', 'allkeys-lru']),
    startRedisServer(['--maxmemory', '20mb', '--maxmemory-policy', 'noeviction']),
  ]);
  source = new Redis(shared.url);
  // 40 MB in 4,000 keys of 10 KB.
  const value = 'x'.repeat(10_000);
  for (let chunk = 0; chunk < 4; chunk++) {
    const batch = source.pipeline();
    for (let i = 0; i < 1000; i++) batch.set(`celery:blob:${chunk * 1000 + i}`, value);
    await batch.exec();
  }
});
afterAll(async () => {
  source.disconnect();
  await Promise.all([shared.stop(), lru.stop(), strict.stop()]);
});

const failure = (promise: Promise<unknown>): Promise<MoveError> =>
  promise.then(
    () => {
      throw new Error('the move succeeded');
    },
    (error: unknown) => error as MoveError,
  );

describe("the target's memory, before and after", () => {
  it('refuses, with the figures, a target that would evict, and writes nothing', async () => {
    const error = await failure(moveNamespace({ namespace: 'celery', from: shared.url, to: lru.url }));
    expect(error).toBeInstanceOf(MoveError);
    expect(error.code).toBe('ERR_MOVE_PREFLIGHT');
    expect(error.message).toMatch(/the namespace needs (39|4\d)\.\d MB \(4000 keys, (39|4\d)\.\d MB on the source, 0\.0 MB already on the target\) plus 10%/);
    expect(error.message).toMatch(/the target has 1\d\.\d MB free \(used \d\.\d MB, maxmemory 20\.0 MB, policy allkeys-lru\): it would evict keys/);
    expect(error.report?.preflight).toMatchObject({ verdict: 'would-evict', targetMaxmemory: 20 * 1024 * 1024, targetPolicy: 'allkeys-lru', namespaceKeys: 4000 });
    const target = new Redis(lru.url);
    expect(await target.dbsize()).toBe(0);
    target.disconnect();
  });

  it('forced, counts as copied only what the verification finds on the target, and reports the evictions', async () => {
    const report = await moveNamespace({ namespace: 'celery', from: shared.url, to: lru.url, force: true });
    const target = new Redis(lru.url);
    const left = await target.dbsize();
    target.disconnect();
    expect(report.preflight).toMatchObject({ verdict: 'would-evict', forced: true });
    expect(report.written).toBe(4000);
    expect(report.targetEvictedKeys).toBeGreaterThan(1000);
    // Every key written is either verified there (copied) or missing; reading the target for the
    // verification takes memory too, so it may evict a few more after they were checked.
    expect(report.copied + (report.verification?.missing ?? 0)).toBe(4000);
    expect(report.copied).toBeGreaterThanOrEqual(left);
    expect(report.copied).toBeLessThan(3000);
  });

  it('refuses a noeviction target that would fail writes; forced, stops at the first OOM with one line and the report', async () => {
    const error = await failure(moveNamespace({ namespace: 'celery', from: shared.url, to: strict.url }));
    expect(error.message).toMatch(/policy noeviction\): writes would fail with OOM/);
    const forced = await failure(moveNamespace({ namespace: 'celery', from: shared.url, to: strict.url, force: true }));
    expect(forced.code).toBe('ERR_MOVE_FAILED');
    expect(forced.message).toMatch(/^RESTORE of celery:blob:\d+ on the target: OOM command not allowed when used memory > 'maxmemory'\.$/);
    expect(forced.report?.written).toBeGreaterThan(0);
    expect(forced.report?.written).toBeLessThan(4000);
    expect(forced.message).not.toContain('xxxxxxxx');
  });
});
