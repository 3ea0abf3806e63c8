import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startRedisServer, type RunningRedis } from '../support/redis-server.js';

const run = promisify(execFile);

/** The runbook's three instances, on three local ports. */
let mcpRedis: RunningRedis;
let celeryRedis: RunningRedis;
let journalRedis: RunningRedis;
const raw: Redis[] = [];
const keysOn = async (server: RunningRedis): Promise<string[]> => {
  const client = new Redis(server.url);
  raw.push(client);
  return (await client.keys('*')).sort();
};

beforeAll(async () => {
  [mcpRedis, celeryRedis, journalRedis] = await Promise.all([startRedisServer(), startRedisServer(), startRedisServer()]);
});
afterAll(async () => {
  raw.forEach((client) => client.disconnect());
  await Promise.all([mcpRedis, celeryRedis, journalRedis].map((server) => server.stop()));
});

/** Runs one service once, configured by its environment only, as a deployment would. */
async function service(file: string, env: Record<string, string>): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', `examples/runbook/services/${file}`, '--once'], {
    env: { ...process.env, ISOLATED_REDIS_NAMESPACES: 'mcp2,mcp3,celery,journal', ...env },
    timeout: 30_000,
  });
  return stdout;
}

describe('the runbook example: one instance per workload, services configured by environment', () => {
  it("alert rules name only metrics that exist: the Prometheus hooks' and redis_exporter's", async () => {
    const { Registry } = await import('prom-client');
    const { createPrometheusHooks } = await import('../../src/prometheus/index.js');
    const registry = new Registry();
    createPrometheusHooks({ registry });
    const ours = new Set((await registry.getMetricsAsJSON()).map((metric) => metric.name));
    const rules = await readFile('examples/runbook/alerts.yml', 'utf8');
    const used = [...new Set(rules.match(/\bisolated_redis_[a-z_]+/g) ?? [])];
    expect(used.length).toBeGreaterThan(2);
    expect(used.filter((name) => !ours.has(name))).toEqual([]);
    const exporter = ['redis_memory_used_bytes', 'redis_memory_max_bytes', 'redis_evicted_keys_total', 'redis_connected_clients', 'redis_config_maxclients'];
    expect([...new Set(rules.match(/\bredis_[a-z_]+/g) ?? [])].filter((name) => !exporter.includes(name))).toEqual([]);
  });

  it('runs mcp2 and mcp3 (the same code), the Celery worker and the journal writer, each on its instance', async () => {
    const [mcp2, mcp3, celery, journal] = await Promise.all([
      service('mcp-service.ts', { REDIS_URL: mcpRedis.url, REDIS_NAMESPACE: 'mcp2' }),
      service('mcp-service.ts', { REDIS_URL: mcpRedis.url, REDIS_NAMESPACE: 'mcp3' }),
      service('celery-worker.ts', { REDIS_URL: celeryRedis.url, REDIS_NAMESPACE: 'celery', ISOLATED_REDIS_MODE: 'strict' }),
      service('journal-writer.ts', { REDIS_URL: journalRedis.url, REDIS_NAMESPACE: 'journal', ISOLATED_REDIS_DRIVER: 'node-redis' }),
    ]);
    expect(mcp2).toContain('mcp-service mcp2: payloads ["0-0","0-1","0-2"], first {"tool":"search","hits":0}\n');
    expect(mcp3).toContain('mcp-service mcp3: payloads ["0-0","0-1","0-2"], first {"tool":"search","hits":0}\n');
    expect(celery).toContain('celery-worker celery: ran ["task-0","task-1","task-2"]\n');
    expect(journal).toContain('journal-writer journal: read ["login","payload-cached"]\n');
    // Each service's own /metrics: its commands, by namespace, from the Prometheus hooks.
    expect(mcp3).toMatch(/isolated_redis_command_duration_seconds_count\{namespace="mcp3",command="set",outcome="ok"\} 3/);
    expect(celery).toMatch(/isolated_redis_command_duration_seconds_count\{namespace="celery",command="lpush",outcome="ok"\} 3/);
    expect(journal).toMatch(/isolated_redis_command_duration_seconds_count\{namespace="journal",command="xadd",outcome="ok"\} 2/);
    const payloads = (namespace: string): string[] => ['0-0', '0-1', '0-2'].map((id) => `${namespace}:payload:${id}`);
    expect(await keysOn(mcpRedis)).toEqual([...payloads('mcp2'), ...payloads('mcp3')].sort());
    expect(await keysOn(celeryRedis)).toEqual([]); // the queue was drained
    expect(await keysOn(journalRedis)).toEqual(['journal:events']);
  });
});
