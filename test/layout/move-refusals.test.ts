import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { MoveError, moveNamespace } from '../../src/index.js';
import { startRedisServer, type RunningRedis } from '../support/redis-server.js';

let shared: RunningRedis;
let celeryRedis: RunningRedis;
let source: Redis;
let target: Redis;
const stops: Array<() => Promise<void>> = [];

beforeAll(async () => {
  [shared, celeryRedis] = await Promise.all([startRedisServer(), startRedisServer()]);
  source = new Redis(shared.url);
  target = new Redis(celeryRedis.url);
});
afterAll(async () => {
  source.disconnect();
  target.disconnect();
  await Promise.all([shared.stop(), celeryRedis.stop(), ...stops.map((stop) => stop())]);
});
beforeEach(async () => {
  await Promise.all([source.flushall(), target.flushall()]);
  const batch = source.pipeline();
  for (let i = 0; i < 300; i++) batch.set(`celery:k:${i}`, `v${i}`);
  await batch.exec();
});

const move = (from: string, to: string) => moveNamespace({ namespace: 'celery', from, to, connectAttempts: 1 });
const refusal = async (promise: Promise<unknown>): Promise<MoveError> => {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(MoveError);
  return error as MoveError;
};

describe('moveNamespace refuses before copying anything', () => {
  it('a database the target lacks, instead of filling its database 0', async () => {
    const error = await refusal(move(shared.url, `${celeryRedis.url}/99`));
    expect(error.code).toBe('ERR_MOVE_CONNECTION');
    expect(error.message).toBe(`cannot select database 99 on the target ${celeryRedis.url}/99: ERR DB index is out of range`);
    expect(await target.dbsize()).toBe(0);
  });

  it('a database the source lacks, instead of copying its database 0', async () => {
    const error = await refusal(move(`${shared.url}/99`, celeryRedis.url));
    expect(error.message).toMatch(/^cannot select database 99 on the source /);
    expect(await target.dbsize()).toBe(0);
  });

  it('credentials the server refuses, in one line that holds no password', async () => {
    const locked = await startRedisServer(['--requirepass', 'right-horse-battery']);
    stops.push(locked.stop);
    const port = locked.port;
    for (const url of [`redis://:wrong-staple-7@127.0.0.1:${port}`, `redis://127.0.0.1:${port}?password=wrong-staple-7`, `redis://default:wrong-staple-7@127.0.0.1:${port}/0`]) {
      const error = await refusal(move(url, celeryRedis.url));
      expect(error.code).toBe('ERR_MOVE_CONNECTION');
      expect(error.message).toMatch(/^cannot connect to the source redis:\/\/.*\*\*\*.*: WRONGPASS/);
      for (const shown of [error.message, inspect(error, { depth: 10 }), JSON.stringify(error), String(error.stack)]) {
        expect(shown).not.toContain('wrong-staple-7');
        expect(shown).not.toContain('right-horse-battery');
      }
      expect(error.cause).toBeUndefined();
    }
    // The right password: the report masks it too.
    const locker = new Redis({ port, password: 'right-horse-battery' });
    await locker.set('celery:x', '1');
    locker.disconnect();
    const report = await moveNamespace({ namespace: 'celery', from: `redis://127.0.0.1:${port}?password=right-horse-battery`, to: celeryRedis.url });
    expect(report.from).toBe(`redis://127.0.0.1:${port}?password=***`);
    expect(JSON.stringify(report)).not.toContain('right-horse-battery');
  });

  it('a Redis Cluster node as source or target, instead of copying its share of the slots', async () => {
    const node = `redis://127.0.0.1:${inject('redisClusterPorts')[0]}`;
    const asSource = await refusal(move(node, celeryRedis.url));
    expect(asSource.code).toBe('ERR_MOVE_UNSUPPORTED');
    expect(asSource.message).toMatch(/^the source .* is a Redis Cluster node: move copies between standalone servers only/);
    expect(await target.dbsize()).toBe(0);
    const asTarget = await refusal(move(shared.url, node));
    expect(asTarget.message).toMatch(/^the target .* is a Redis Cluster node/);
  });

  it('a replica as target', async () => {
    const replica = await startRedisServer(['--replicaof', '127.0.0.1', String(celeryRedis.port)]);
    stops.push(replica.stop);
    const error = await refusal(move(shared.url, replica.url));
    expect(error.code).toBe('ERR_MOVE_UNSUPPORTED');
    expect(error.message).toMatch(/^the target .* is a replica \(role slave\)/);
  });

  it('a target that refuses writes (too few replicas for min-replicas-to-write, an ACL without write rights)', async () => {
    const strict = await startRedisServer(['--min-replicas-to-write', '1']);
    stops.push(strict.stop);
    const error = await refusal(move(shared.url, strict.url));
    expect(error).toMatchObject({ code: 'ERR_MOVE_UNSUPPORTED', message: expect.stringMatching(/^the target .* refuses writes: NOREPLICAS/) });
    await target.call('ACL', 'SETUSER', 'reader', 'on', '>reader-pw', '~*', '&*', '+@read', '+@connection', '+info', '+client', '+config', '+memory', '+time');
    const denied = await refusal(move(shared.url, `redis://reader:reader-pw@127.0.0.1:${celeryRedis.port}`));
    expect(denied.message).toMatch(/refuses writes: NOPERM/);
    expect(denied.message).not.toContain('reader-pw');
    expect(await target.dbsize()).toBe(0);
  });
});
