import { describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { moveNamespace } from '../../src/index.js';
import type { RunningRedis } from '../support/redis-server.js';
import { keyspaceOf, useMoveServers } from './move-content.js';

let shared: RunningRedis;
let celeryRedis: RunningRedis;
let source: Redis;
let target: Redis;

useMoveServers((servers) => ({ shared, celeryRedis, source, target } = servers));

const sync = () => moveNamespace({ namespace: 'celery', from: shared.url, to: celeryRedis.url, mode: 'sync', count: 50 });

describe('moveNamespace in sync mode', () => {
  it('makes the target equal to the source for the namespace on a re-run, and nothing else changes', async () => {
    const batch = source.pipeline();
    for (let i = 0; i < 500; i++) batch.set(`celery:task:${i}`, `payload ${i}`);
    batch.set('celery:balance', '100').set('celery:ttl', 'x', 'PX', 600_000).hset('celery:hash', 'a', '1').rpush('celery:queue', 'a', 'b');
    batch.set('celery:persist-me', 'x', 'PX', 600_000).set('celery:retype', 'string now');
    await batch.exec();
    expect((await moveNamespace({ namespace: 'celery', from: shared.url, to: celeryRedis.url })).copied).toBe(506);
    await target.mset('mcp2:keep', 'another namespace on the target', 'celeryx:keep', 'a look-alike');

    // Between the first copy and the switch-over, the services go on writing to the source.
    await source.set('celery:balance', '42');
    await source.del('celery:task:1', 'celery:task:2', 'celery:queue');
    await source.set('celery:new', 'arrived later');
    await source.pexpire('celery:ttl', 60_000);
    await source.persist('celery:persist-me');
    await source.hset('celery:hash', 'b', '2');
    await source.del('celery:retype');
    await source.sadd('celery:retype', 'a set now');

    // Found on the code before this change: a re-run kept balance=100, and with --replace the deleted keys came back.
    const plain = await moveNamespace({ namespace: 'celery', from: shared.url, to: celeryRedis.url });
    expect(plain.verification).toMatchObject({ contentDiffers: 2, typeDiffers: 1, ttlDiffers: 2, extra: 3 });

    // The plain re-run copied celery:new, which the target lacked; the sync does the rest.
    const first = await sync();
    expect(first).toMatchObject({ mode: 'sync', written: 3, deleted: 3, expiryFixed: 2, skipped: 499 });
    expect(first.verification).toMatchObject({ equal: 504, missing: 0, extra: 0, typeDiffers: 0, ttlDiffers: 0, contentDiffers: 0 });
    expect(await target.get('celery:balance')).toBe('42');
    expect(await target.exists('celery:task:1', 'celery:task:2', 'celery:queue')).toBe(0);
    expect(await keyspaceOf(target, 'celery:*')).toEqual(await keyspaceOf(source, 'celery:*'));
    expect(await target.get('mcp2:keep')).toBe('another namespace on the target');
    expect(await target.get('celeryx:keep')).toBe('a look-alike');

    const second = await sync();
    expect(second).toMatchObject({ written: 0, deleted: 0, expiryFixed: 0, skipped: 504, copied: 0 });
    expect(second.verification?.equal).toBe(504);
  });
});
