import RedisMock from 'ioredis-mock';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { SharedConnectionError, createIsolatedRedis } from '../../../src/index.js';

/**
 * Review of issue 12 on the mock adapter: views of two namespaces over one ioredis-mock behave as
 * over one shared ioredis connection. (The mock is the test double here: no server involved.)
 */
const namespaces = ['mcp2', 'celery'];
const views = (): { raw: Redis; mcp2: Redis; celery: Redis } => {
  const raw = new RedisMock({ host: `review-${randomUUID()}` }) as unknown as Redis;
  return {
    raw,
    mcp2: createIsolatedRedis({ namespace: 'mcp2', namespaces, client: raw }),
    celery: createIsolatedRedis({ namespace: 'celery', namespaces, client: raw }),
  };
};

describe('ioredis-mock views: review', () => {
  it("subscribe() on a view over a shared mock leaves the mock usable by other views; the view still hears its messages", async () => {
    const { mcp2, celery } = views();
    await celery.set('secret', 'CELERY-SECRET');
    const heard: string[] = [];
    mcp2.on('message', (channel: string, message: string) => heard.push(`${channel} ${message}`));
    expect(await mcp2.subscribe('news')).toBe(1);
    expect(await celery.get('secret')).toBe('CELERY-SECRET');
    await celery.publish('news', 'not-mcp2');
    const publisher = mcp2.duplicate();
    await publisher.publish('news', 'hello');
    await new Promise((resolve) => setImmediate(resolve));
    expect(heard).toEqual(['news hello']);
    expect(await mcp2.unsubscribe()).toBe(0);
    expect(await mcp2.quit()).toBe('OK');
    expect(await celery.get('secret')).toBe('CELERY-SECRET');
  });

  it('refuses QUIT, a subscription or a session command inside a pipeline or multi() of a shared mock, before any of it runs', async () => {
    const { raw, mcp2, celery } = views();
    await celery.set('secret', 'CELERY-SECRET');
    const calls: Array<Error | null | undefined> = [];
    const record = (error?: Error | null): void => void calls.push(error);
    await expect(mcp2.pipeline().set('a', '1', record).quit(record).exec()).rejects.toBeInstanceOf(SharedConnectionError);
    await expect(mcp2.multi().set('a', '1').subscribe('news').exec()).rejects.toBeInstanceOf(SharedConnectionError);
    await expect(mcp2.pipeline([['set', 'a', '1'], ['psubscribe', 'n*']]).exec()).rejects.toBeInstanceOf(SharedConnectionError);
    expect(calls).toHaveLength(2);
    for (const error of calls) expect(error).toBeInstanceOf(SharedConnectionError);
    expect(await mcp2.get('a')).toBeNull();
    expect((raw as unknown as { connected: boolean }).connected).toBe(true);
    expect(await celery.get('secret')).toBe('CELERY-SECRET');
  });
});
