import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRedisServer, type RunningRedis } from '../support/redis-server.js';
import { expectConfined, flushNodes, runConfined } from './support/confinement.js';
import { DRIVERS, type DriverClient } from './support/drivers.js';

/**
 * rate-limiter-flexible 11 through isolated views: its atomic increment is a Lua script with the
 * key in KEYS[1] (ioredis: `defineCommand`, so EVALSHA first; node-redis: EVAL), its other
 * calls plain commands and MULTIs. It must keep working once scripts run behind the namespace's
 * Lua guard, in prefix mode (its own `keyPrefix`, `rlflx`, under the namespace) and in strict
 * mode (`keyPrefix` set to `celery:rlflx`), on both drivers; under a MONITOR, nothing outside.
 */

let server: RunningRedis;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server?.stop();
});

let client: DriverClient | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
});

const MODES: ReadonlyArray<{ mode: 'prefix' | 'strict'; keyPrefix: (namespace: string) => string }> = [
  { mode: 'prefix', keyPrefix: () => 'rlflx' },
  { mode: 'strict', keyPrefix: (namespace) => `${namespace}:rlflx` },
];
const CASES = DRIVERS.flatMap((driver) => MODES.map((mode) => [`${driver.driver}, ${mode.mode} mode`, driver, mode] as const));

/** A rejection's RateLimiterRes as its points, or the error itself when the limiter failed. */
const refusal = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => 'allowed',
    (reason: unknown) => (reason instanceof RateLimiterRes ? { refused: true, consumedPoints: reason.consumedPoints, remainingPoints: reason.remainingPoints } : reason),
  );
const points = (res: RateLimiterRes | null): unknown => (res === null ? null : { consumedPoints: res.consumedPoints, remainingPoints: res.remainingPoints });

describe.each(CASES)('rate-limiter-flexible through a view: %s', (_label, driver, { mode, keyPrefix }) => {
  beforeEach(async () => {
    await flushNodes([server.port]);
    client = await driver.open(server.port);
  });

  const limiter = (namespace: string, options: { points: number; duration: number }): RateLimiterRedis =>
    new RateLimiterRedis({
      storeClient: client?.view(namespace, mode),
      keyPrefix: keyPrefix(namespace),
      ...(driver.driver === 'node-redis' ? { useRedisPackage: true } : {}),
      ...options,
    });

  it('consumes, refuses over the limit, reads, rewards, penalises, blocks and deletes, all inside the namespace', async () => {
    const run = await runConfined([server.port], ['celery:'], async () => {
      const limited = limiter('celery', { points: 5, duration: 60 });
      const unexpiring = limiter('celery', { points: 5, duration: 0 });
      return {
        first: points(await limited.consume('user:1', 3)),
        second: points(await limited.consume('user:1', 2)),
        over: await refusal(limited.consume('user:1')),
        read: points(await limited.get('user:1')),
        rewarded: points(await limited.reward('user:1', 4)),
        penalised: points(await limited.penalty('user:1', 1)),
        blocked: points(await limited.block('user:1', 30)),
        whileBlocked: await refusal(limited.consume('user:1')),
        deleted: await limited.delete('user:1'),
        afterDelete: points(await limited.get('user:1')),
        // duration 0: no expiry, a MULTI of INCRBY and PTTL instead of the script.
        unexpiring: [points(await unexpiring.consume('user:2')), points(await unexpiring.consume('user:2'))],
      };
    });
    expect.soft(run.result).toEqual({
      first: { consumedPoints: 3, remainingPoints: 2 },
      second: { consumedPoints: 5, remainingPoints: 0 },
      over: { refused: true, consumedPoints: 6, remainingPoints: 0 },
      read: { consumedPoints: 6, remainingPoints: 0 },
      rewarded: { consumedPoints: 2, remainingPoints: 3 },
      penalised: { consumedPoints: 3, remainingPoints: 2 },
      blocked: { consumedPoints: 6, remainingPoints: 0 },
      whileBlocked: { refused: true, consumedPoints: 7, remainingPoints: 0 },
      deleted: true,
      afterDelete: null,
      unexpiring: [
        { consumedPoints: 1, remainingPoints: 4 },
        { consumedPoints: 2, remainingPoints: 3 },
      ],
    });
    expectConfined(run, { scripted: true });
  });

  it('two namespaces limit the same key independently', async () => {
    const run = await runConfined([server.port], ['celery:', 'journal:'], async () => {
      const celery = limiter('celery', { points: 2, duration: 60 });
      const journal = limiter('journal', { points: 2, duration: 60 });
      await celery.consume('user:1', 2);
      return {
        celeryOver: await refusal(celery.consume('user:1')),
        journal: points(await journal.consume('user:1')),
        journalRead: points(await journal.get('user:1')),
      };
    });
    expect.soft(run.result).toEqual({
      celeryOver: { refused: true, consumedPoints: 3, remainingPoints: 0 },
      journal: { consumedPoints: 1, remainingPoints: 1 },
      journalRead: { consumedPoints: 1, remainingPoints: 1 },
    });
    expectConfined(run, { scripted: true });
  });
});
