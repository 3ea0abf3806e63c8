import RedisMock from 'ioredis-mock';
import { describe, expect, it } from 'vitest';
import { IsolationConfigError, createIsolatedRedis } from '../../src/index.js';

const client = () => new RedisMock({ port: 6392 });

describe('instrumentation options', () => {
  it('refuses invalid values at creation', () => {
    expect(() => createIsolatedRedis({ namespace: 'mcp2', client: client(), commandTimeoutMs: 0 })).toThrow(IsolationConfigError);
    expect(() => createIsolatedRedis({ namespace: 'mcp2', client: client(), commandTimeoutMs: Number.NaN })).toThrow(/commandTimeoutMs/);
    expect(() => createIsolatedRedis({ namespace: 'mcp2', client: client(), pressure: { intervalMs: -1 } })).toThrow(/pressure.intervalMs/);
    expect(() => createIsolatedRedis({ namespace: 'mcp2', client: client(), pressure: { warnRatio: 0.9, criticalRatio: 0.8 } })).toThrow(/warnRatio/);
  });

  it('refuses the pressure monitor where there is no single server to watch', () => {
    expect(() => createIsolatedRedis({ namespace: 'mcp2', client: client(), pressure: true })).toThrow(/standalone ioredis or node-redis client/);
  });

  it('gives every isolated client an events emitter, shared with its duplicates', () => {
    const redis = createIsolatedRedis({ namespace: 'mcp2', client: client() });
    expect(redis.isolation.events.listenerCount('command')).toBe(0);
    expect(redis.duplicate().isolation.events).toBe(redis.isolation.events);
  });
});
