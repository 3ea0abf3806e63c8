import { describe, expect, it } from 'vitest';
import { redisServerVersion, startRedisServer } from './redis-server.js';

describe('the test setup', () => {
  it('fails with the install command when redis-server is not on PATH', () => {
    expect(() => redisServerVersion({ PATH: '/nonexistent' })).toThrow(/apt-get install -y redis-server/);
  });

  it('starts and stops servers on free loopback ports', async () => {
    const [a, b] = await Promise.all([startRedisServer(), startRedisServer()]);
    expect(a.port).not.toBe(b.port);
    expect(a.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    await Promise.all([a.stop(), b.stop()]);
  });
});
