import { describe, expect, it } from 'vitest';
import { percent, recommend } from '../../../src/cli/keyspace/recommendations.js';
import type { ServerFacts } from '../../../src/cli/keyspace/server-info.js';
import { emptyStats, estimatedBytes, type NamespaceStats } from '../../../src/cli/keyspace/stats.js';

const stats = (namespace: string | null, keys: number, bytesPerKey: number): NamespaceStats => ({
  ...emptyStats(namespace),
  keys,
  sampled: Math.min(keys, 10),
  sampledBytes: Math.min(keys, 10) * bytesPerKey,
});
const server = (facts: Partial<ServerFacts>): ServerFacts => ({
  usedMemory: 1000,
  maxMemory: 10_000,
  memoryLimit: 10_000,
  memoryLimitSource: 'maxmemory',
  memoryRatio: 0.1,
  evictionPolicy: 'noeviction',
  evictedKeys: 0,
  connectedClients: 3,
  ...facts,
});

describe('keyspace recommendations', () => {
  const balanced = [stats('mcp2', 100, 100), stats('celery', 100, 100), stats(null, 5, 10)];
  const skewed = [stats('mcp2', 900, 100), stats('celery', 100, 100)];

  it('say nothing for a balanced keyspace without pressure', () => {
    expect(recommend(balanced, server({ memoryRatio: 0.5 }))).toEqual([]);
  });

  it('say nothing about a namespace holding most of the memory of a server with room to spare', () => {
    expect(recommend(skewed, server({ memoryRatio: 0.69 }))).toEqual([]);
    // A tiny server without maxmemory, measured against the system's memory.
    expect(recommend(skewed, server({ maxMemory: 0, memoryLimit: 8 * 2 ** 30, memoryLimitSource: 'system', memoryRatio: (3 * 2 ** 20) / (8 * 2 ** 30) }))).toEqual([]);
    expect(recommend(skewed, server({ maxMemory: 0, memoryLimit: 0, memoryLimitSource: null, memoryRatio: null }))).toEqual([]);
  });

  it('plan a move of the heaviest namespace from 70% of maxmemory, and move it from 80%', () => {
    expect(recommend(skewed, server({ memoryRatio: 0.75 }))).toEqual([
      'memory is at 75% of maxmemory (70% or more, below 80%: plan the move): move namespace "mcp2" (~90% of the keyspace\'s memory) to its own instance',
    ]);
    expect(recommend(balanced, server({ memoryRatio: 0.8 }))).toEqual([
      'memory is at 80% of maxmemory (80% or more: move now): move namespace "mcp2" (~50% of the keyspace\'s memory) to its own instance',
    ]);
  });

  it('measure against the system memory when maxmemory is not set, and say so', () => {
    expect(recommend(skewed, server({ maxMemory: 0, memoryLimitSource: 'system', memoryRatio: 0.91 }))).toEqual([
      'memory is at 91% of the system\'s memory (maxmemory is not set) (80% or more: move now): move namespace "mcp2" (~90% of the keyspace\'s memory) to its own instance',
    ]);
  });

  it('do not advise a split when one namespace holds every known key', () => {
    expect(recommend([stats('mcp2', 10, 100), stats('celery', 0, 0)], server({ memoryRatio: 0.85 }))).toEqual([
      'memory is at 85% of maxmemory (80% or more: move now): namespace "mcp2" holds every known key, so splitting would not help; give the instance more memory or find what grows',
    ]);
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

  it('round ratios down, so that none reads as a threshold it has not reached', () => {
    expect([percent(0.7996), percent(0.8), percent(0.004), percent(0)]).toEqual(['79%', '80%', '<1%', '0%']);
  });
});

describe('keyspace memory estimates', () => {
  it('scale the sample mean to the keys measured neither in the sample nor as biggest keys', () => {
    expect(estimatedBytes({ ...emptyStats('mcp2'), keys: 100, sampled: 10, sampledBytes: 800 })).toBe(8000);
    // 10 sampled (800 B), 1 big key measured (500,000 B), 89 others at the sample's mean.
    expect(estimatedBytes({ ...emptyStats('mcp2'), keys: 100, sampled: 10, sampledBytes: 800, measured: 1, measuredBytes: 500_000 })).toBe(800 + 500_000 + 89 * 80);
  });
});
