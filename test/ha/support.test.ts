import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisCommand, startRedisCluster, type RunningCluster } from '../support/redis-server.js';
import { startSentinelGroup, type SentinelGroup } from '../support/sentinel.js';

describe('the Sentinel group of the test setup', () => {
  let group: SentinelGroup;
  beforeAll(async () => {
    group = await startSentinelGroup({ replicas: 1, sentinels: 3 });
  }, 60_000);
  afterAll(async () => {
    await group?.stop();
  });

  it('fails over to the replica, and the old master replicates from it', async () => {
    const before = await group.master();
    expect(before).toBe(group.servers[0]);
    await redisCommand(before.port, 'SET', 'k', 'v');
    const { from, to } = await group.failover();
    expect(from).toBe(before.port);
    expect((await group.master()).port).toBe(to);
    expect(((await redisCommand(to, 'ROLE')) as string[])[0]).toBe('master');
    expect(((await redisCommand(from, 'ROLE')) as string[])[0]).toBe('slave');
    expect(await redisCommand(to, 'GET', 'k')).toBe('v');
  }, 30_000);
});

describe('the cluster of the test setup, with replicas', () => {
  let cluster: RunningCluster;
  beforeAll(async () => {
    cluster = await startRedisCluster(3, { replicas: 1 });
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('has three masters with a replica each', async () => {
    const masters = await cluster.masters();
    expect(masters).toHaveLength(3);
    for (const master of masters) expect(master.replicas).toHaveLength(1);
  });

  it('moves a slot with its keys', async () => {
    const slot = await cluster.keySlot('{moving}');
    const from = await cluster.slotOwner(slot);
    const to = (await cluster.masters()).find((master) => master.port !== from)?.port as number;
    await redisCommand(from, 'SET', '{moving}:a', '1');
    await redisCommand(from, 'SET', '{moving}:b', '2');
    const migration = await cluster.startSlotMigration(slot, to);
    expect(await migration.moveKeys(1)).toBe(1);
    await expect(redisCommand(from, 'GET', '{moving}:a').then(() => redisCommand(from, 'GET', '{moving}:b'))).rejects.toThrow(/ASK/);
    await migration.finish();
    expect(await cluster.slotOwner(slot)).toBe(to);
    expect(await redisCommand(to, 'GET', '{moving}:a')).toBe('1');
    expect(await redisCommand(to, 'GET', '{moving}:b')).toBe('2');
  });

  it('fails a master over to its replica', async () => {
    const [master] = await cluster.masters();
    const { from, to } = await cluster.failover(master?.port);
    const after = await cluster.masters();
    expect(after.map((m) => m.port)).toContain(to);
    expect(after.find((m) => m.port === to)?.replicas).toEqual([from]);
  }, 30_000);
});
