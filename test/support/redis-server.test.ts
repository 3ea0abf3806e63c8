import { describe, expect, it } from 'vitest';
import { redisServerVersion, startRedisCluster, startRedisServer } from './redis-server.js';

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

describe('the cluster setup', () => {
  it('starts a 3-master cluster whose nodes agree on the slots', async () => {
    const cluster = await startRedisCluster();
    try {
      const { spawnSync } = await import('node:child_process');
      const slots = spawnSync('redis-cli', ['-p', String(cluster.nodes[0]?.port), 'CLUSTER', 'INFO'], { encoding: 'utf8' }).stdout;
      expect(slots).toContain('cluster_slots_assigned:16384');
      expect(slots).toContain('cluster_known_nodes:3');
    } finally {
      await cluster.stop();
    }
  }, 60_000);
});
