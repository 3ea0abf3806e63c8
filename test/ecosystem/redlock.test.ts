import { Redis } from 'ioredis';
import Redlock, { ExecutionError } from 'redlock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createIsolatedRedis } from '../../src/index.js';
import { startRedisServer, type RunningRedis } from '../support/redis-server.js';
import { expectConfined, flushNodes, runConfined } from './support/confinement.js';

/**
 * redlock 5 (beta; ioredis only) through isolated views. Its three scripts take the resources in
 * KEYS; it sends EVALSHA with the SHA1 of its own script text and falls back to EVAL on NOSCRIPT.
 * Both must keep working once scripts run behind the namespace's Lua guard (whose wrapped text has
 * another SHA1): after a raw `SCRIPT FLUSH` too. Prefix mode locks `res` as `celery:res`; strict
 * mode names its resources `celery:res` itself.
 */

let server: RunningRedis;
let admin: Redis;
let raw: Redis;
beforeAll(async () => {
  server = await startRedisServer();
  admin = new Redis({ host: '127.0.0.1', port: server.port });
});
afterAll(async () => {
  admin?.disconnect();
  await server?.stop();
});
beforeEach(async () => {
  await flushNodes([server.port]);
  await admin.script('FLUSH');
  raw = new Redis({ host: '127.0.0.1', port: server.port });
});
afterEach(async () => {
  await raw.quit();
});

describe.each(['prefix', 'strict'] as const)('redlock through a %s-mode view', (mode) => {
  /** The resource name the caller writes: bare in prefix mode, under the namespace in strict mode. */
  const resource = (namespace: string, name: string): string => (mode === 'strict' ? `${namespace}:${name}` : name);
  const redlock = (namespace: string): Redlock => new Redlock([createIsolatedRedis({ namespace, mode, client: raw })], { retryCount: 0 });

  it('acquires, refuses a second holder, extends, releases and re-acquires, after a SCRIPT FLUSH too', async () => {
    const run = await runConfined([server.port], ['celery:'], async () => {
      const locks = redlock('celery');
      const res = resource('celery', 'res');
      const lock = await locks.acquire([res], 5_000);
      const stored = await admin.get('celery:res');
      const second = await locks.acquire([res], 5_000).then(
        () => 'acquired twice',
        (error: unknown) => (error instanceof ExecutionError ? 'refused' : error),
      );
      const extended = await lock.extend(5_000);
      await extended.release();
      const afterRelease = await admin.exists('celery:res');
      // The server forgets every script: redlock's EVALSHA gets NOSCRIPT and it falls back to EVAL.
      await admin.script('FLUSH');
      const again = await locks.acquire([res], 5_000);
      const storedAgain = await admin.get('celery:res');
      await again.release();
      const used = await locks.using([resource('celery', 'a'), resource('celery', 'b')], 5_000, async () => admin.mget('celery:a', 'celery:b'));
      return {
        stored: stored === lock.value,
        second,
        extendedSameValue: extended.value === lock.value,
        afterRelease,
        storedAgain: storedAgain === again.value,
        heldInsideUsing: used.map((value) => typeof value === 'string' && value.length > 0),
        leftAfterUsing: await admin.exists('celery:a', 'celery:b'),
      };
    });
    expect.soft(run.result).toEqual({
      stored: true,
      second: 'refused',
      extendedSameValue: true,
      afterRelease: 0,
      storedAgain: true,
      heldInsideUsing: [true, true],
      leftAfterUsing: 0,
    });
    expectConfined(run, { scripted: true });
  });

  it('two namespaces hold a lock on the same resource name at once', async () => {
    const run = await runConfined([server.port], ['celery:', 'journal:'], async () => {
      const celery = await redlock('celery').acquire([resource('celery', 'res')], 5_000);
      const journal = await redlock('journal').acquire([resource('journal', 'res')], 5_000);
      const values = await admin.mget('celery:res', 'journal:res');
      await Promise.all([celery.release(), journal.release()]);
      return { values: values.map((value, i) => value === [celery, journal][i]?.value), left: await admin.exists('celery:res', 'journal:res') };
    });
    expect.soft(run.result).toEqual({ values: [true, true], left: 0 });
    expectConfined(run, { scripted: true });
  });
});
