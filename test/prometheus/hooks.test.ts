import { Redis } from 'ioredis';
import { Registry, register } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CrossNamespaceError, CommandTimeoutError, combineHooks, createIsolatedRedis, defineNamespaces } from '../../src/index.js';
import { createPrometheusHooks } from '../../src/prometheus/index.js';
import { startRedisServer, type RunningRedis } from '../support/redis-server.js';

// Pauses and reconfigures its server: one of its own.
let server: RunningRedis;
const open: Redis[] = [];
beforeAll(async () => {
  server = await startRedisServer(['--maxmemory', '100mb']);
});
afterAll(async () => {
  open.forEach((c) => c.disconnect());
  await server.stop();
});
const connect = (): Redis => {
  const c = new Redis(server.url);
  open.push(c);
  return c;
};

/** The value of one sample line of the text exposition, e.g. `name{labels} 3`. */
const sample = (text: string, line: string): number | undefined => {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
};

describe('createPrometheusHooks', () => {
  it('exposes the commands, refusals, timeouts and pressure of known traffic', async () => {
    const registry = new Registry();
    const hooks = createPrometheusHooks({ registry });
    const redis = createIsolatedRedis({ namespace: 'mcp2', namespaces: ['mcp2', 'celery'], client: connect(), hooks, commandTimeoutMs: 250, pressure: { intervalMs: 50 } });
    // A second client of the same namespace on the same registry: shares the metrics.
    const again = createIsolatedRedis({ namespace: 'mcp2', client: connect(), hooks: createPrometheusHooks({ registry }) });
    for (let i = 0; i < 3; i++) await redis.set(`k${i}`, 'v');
    await redis.get('k0');
    await again.get('k1');
    await expect(redis.get('celery:x')).rejects.toBeInstanceOf(CrossNamespaceError);
    await connect().client('PAUSE', 600, 'ALL');
    await expect(redis.get('k2')).rejects.toBeInstanceOf(CommandTimeoutError);
    await connect().ping();
    await vi.waitFor(async () => expect(await registry.metrics()).toContain('isolated_redis_pressure_level{namespace="mcp2"} 0'), { timeout: 2000 });

    const text = await registry.metrics();
    expect(sample(text, 'isolated_redis_command_duration_seconds_count{namespace="mcp2",command="set",outcome="ok"}')).toBe(3);
    expect(sample(text, 'isolated_redis_command_duration_seconds_count{namespace="mcp2",command="get",outcome="ok"}')).toBe(2);
    expect(sample(text, 'isolated_redis_command_duration_seconds_count{namespace="mcp2",command="get",outcome="timeout"}')).toBe(1);
    expect(sample(text, 'isolated_redis_command_duration_seconds_bucket{le="0.0005",namespace="mcp2",command="set",outcome="ok"}')).toBeDefined();
    expect(sample(text, 'isolated_redis_command_duration_seconds_bucket{le="10",namespace="mcp2",command="set",outcome="ok"}')).toBe(3);
    expect(sample(text, 'isolated_redis_command_duration_seconds_bucket{le="+Inf",namespace="mcp2",command="get",outcome="timeout"}')).toBe(1);
    // At least the 250 ms timeout, less libuv's 1 ms timer granularity: its timers run on the loop's
    // cached millisecond clock, so performance.now() can measure one as up to 1 ms short (a CI run saw 249.94 ms).
    expect(sample(text, 'isolated_redis_command_duration_seconds_sum{namespace="mcp2",command="get",outcome="timeout"}')).toBeGreaterThanOrEqual(0.249);
    expect(text).toContain('# TYPE isolated_redis_command_duration_seconds histogram');
    expect(sample(text, 'isolated_redis_commands_rejected_total{namespace="mcp2",code="ERR_CROSS_NAMESPACE"}')).toBe(1);
    expect(sample(text, 'isolated_redis_command_timeouts_total{namespace="mcp2",kind="command"}')).toBe(1);
    const ratio = sample(text, 'isolated_redis_memory_used_ratio{namespace="mcp2"}');
    expect(ratio).toBeGreaterThan(0);
    expect(ratio).toBeLessThan(0.7);
    expect(text).toContain('# TYPE isolated_redis_evicted_keys_total counter');
    // Labels never carry a key.
    expect(text).not.toMatch(/celery:x|k0|k1|k2/);
    // The registry's other readers and its reset work on it too.
    expect((await registry.getMetricsAsJSON()).map((m) => m.name)).toContain('isolated_redis_command_duration_seconds');
    registry.resetMetrics();
    expect(await registry.metrics()).not.toContain('isolated_redis_command_duration_seconds_count');
    // Nothing lands in prom-client's global registry.
    expect((await register.getMetricsAsJSON()).filter((m) => m.name.startsWith('isolated_redis'))).toEqual([]);
  });

  it('keeps the command label set bounded, and combines with other hooks', async () => {
    const registry = new Registry();
    const mine = vi.fn();
    const redis = createIsolatedRedis({
      namespace: 'mcp2',
      client: connect(),
      hooks: combineHooks(createPrometheusHooks({ registry, maxCommands: 2 }), { onCommand: mine }),
    });
    await redis.set('a', '1');
    await redis.get('a');
    await redis.strlen('a');
    await redis.exists('a');
    const text = await registry.metrics();
    expect(sample(text, 'isolated_redis_command_duration_seconds_count{namespace="mcp2",command="other",outcome="ok"}')).toBe(2);
    expect(mine).toHaveBeenCalledTimes(4);
    // The bound holds for the registry, whichever hook sets report there.
    const other = createIsolatedRedis({ namespace: 'celery', client: connect(), hooks: createPrometheusHooks({ registry, maxCommands: 2 }) });
    await other.incr('n');
    expect(sample(await registry.metrics(), 'isolated_redis_command_duration_seconds_count{namespace="celery",command="other",outcome="ok"}')).toBe(1);
  });

  it('turns a pressure monitor that cannot read INFO into a gauge an alert can watch, back to 1 when it reads again', async () => {
    const registry = new Registry();
    const hooks = createPrometheusHooks({ registry });
    const up = async (): Promise<number | undefined> => sample(await registry.metrics(), 'isolated_redis_pressure_monitor_up{namespace="mcp2"}');
    hooks.onPressureSample?.({ namespace: 'mcp2', level: 'ok', figures: { usedMemory: 1, maxMemory: 10, ratio: 0.1 } });
    expect(await up()).toBe(1);
    hooks.onPressure?.({ namespace: 'mcp2', level: 'warn', signal: 'monitor', figures: {}, reason: 'cannot read INFO', error: new Error('NOPERM') });
    expect(await up()).toBe(0);
    hooks.onPressure?.({ namespace: 'mcp2', level: 'ok', signal: 'monitor', figures: {}, reason: 'reads INFO again' });
    expect(await up()).toBe(1);
  });

  it('labels a family of namespaces as one, so that a namespace per tenant keeps the label set small', async () => {
    const registry = new Registry();
    const deployment = defineNamespaces({ namespaces: ['mcp2'], families: ['tenant-*'] });
    const hooks = createPrometheusHooks({ registry, namespaceLabel: (namespace) => deployment.familyOf(namespace) ?? namespace });
    const client = connect();
    for (let i = 0; i < 20; i++) await createIsolatedRedis({ namespace: `tenant-${i}`, namespaces: deployment, client, hooks }).set('cart', String(i));
    await expect(createIsolatedRedis({ namespace: 'tenant-1', namespaces: deployment, client, hooks }).get('tenant-2:cart')).rejects.toBeInstanceOf(CrossNamespaceError);
    const text = await registry.metrics();
    expect(sample(text, 'isolated_redis_command_duration_seconds_count{namespace="tenant-*",command="set",outcome="ok"}')).toBe(20);
    expect(sample(text, 'isolated_redis_commands_rejected_total{namespace="tenant-*",code="ERR_CROSS_NAMESPACE"}')).toBe(1);
    expect(text).not.toMatch(/namespace="tenant-\d/);
  });
});
