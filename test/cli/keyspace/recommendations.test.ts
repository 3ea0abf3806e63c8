import { describe, expect, it } from 'vitest';
import { recommend } from '../../../src/cli/keyspace/recommendations.js';
import type { ServerFacts } from '../../../src/cli/keyspace/server-info.js';
import { emptyStats, type NamespaceStats } from '../../../src/cli/keyspace/stats.js';

const stats = (namespace: string | null, keys: number, bytesPerKey: number): NamespaceStats => ({
  ...emptyStats(namespace),
  keys,
  sampled: Math.min(keys, 10),
  sampledBytes: Math.min(keys, 10) * bytesPerKey,
});
const server = (facts: Partial<ServerFacts>): ServerFacts => ({
  usedMemory: 1000,
  maxMemory: 0,
  memoryRatio: null,
  evictionPolicy: 'noeviction',
  evictedKeys: 0,
  connectedClients: 3,
  ...facts,
});

describe('keyspace recommendations', () => {
  const balanced = [stats('mcp2', 100, 100), stats('celery', 100, 100), stats(null, 5, 10)];
  const skewed = [stats('mcp2', 900, 100), stats('celery', 100, 100)];

  it('say nothing for a balanced keyspace without pressure', () => {
    expect(recommend(balanced, server({ maxMemory: 10_000, memoryRatio: 0.5 }))).toEqual([]);
  });

  it('name the heaviest namespace when memory passes 70% of maxmemory', () => {
    expect(recommend(balanced, server({ maxMemory: 10_000, memoryRatio: 0.75 }))).toEqual([
      'memory is at 75% of maxmemory (above 70%): move namespace "mcp2" (~50% of the keyspace\'s memory) to its own instance',
    ]);
  });

  it('name a namespace that holds most of the memory', () => {
    expect(recommend(skewed, server({}))).toEqual(['namespace "mcp2" dominates memory: move namespace "mcp2" (~90% of the keyspace\'s memory) to its own instance']);
  });

  it('tell about evictions while namespaces share the server', () => {
    expect(recommend(balanced, server({ evictedKeys: 42, evictionPolicy: 'allkeys-lru' }))).toEqual([
      '42 keys were evicted (policy allkeys-lru) while 2 namespaces share the server: one namespace\'s load evicts another\'s keys; ' +
        'move namespace "mcp2" (~50% of the keyspace\'s memory) to its own instance',
    ]);
  });

  it('give no advice about sharing when only one namespace has keys', () => {
    expect(recommend([stats('mcp2', 10, 100), stats('celery', 0, 0)], server({ evictedKeys: 5 }))).toEqual([]);
  });
});
