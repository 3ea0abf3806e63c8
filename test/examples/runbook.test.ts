import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startRedisServer, type RunningRedis } from '../support/redis-server.js';

const run = promisify(execFile);

/**
 * redis_exporter's metrics the runbook uses, with their labels (oliver006/redis_exporter,
 * exporter/exporter.go: INFO fields renamed in metricMapGauges/metricMapCounters, commandstats
 * per `cmd`, `config_maxclients` from CONFIG GET). Every scrape also carries the target labels.
 */
const EXPORTER_METRICS: Readonly<Record<string, readonly string[]>> = {
  redis_up: [],
  redis_memory_used_bytes: [],
  redis_memory_max_bytes: [],
  redis_evicted_keys_total: [],
  redis_connected_clients: [],
  redis_config_maxclients: [],
  redis_rejected_connections_total: [],
  redis_commands_total: ['cmd'],
  redis_commands_duration_seconds_total: ['cmd'],
};
/** Labels Prometheus adds to every series it scrapes (`workload`: prometheus.yml's static labels of the redis job). */
const TARGET_LABELS = ['instance', 'job'];

/** Every metric name (sample name) the library's Prometheus hooks expose, with its labels, from a real scrape. */
async function libraryMetrics(): Promise<Map<string, Set<string>>> {
  const { Registry } = await import('prom-client');
  const { createPrometheusHooks } = await import('../../src/prometheus/index.js');
  const registry = new Registry();
  const hooks = createPrometheusHooks({ registry });
  const error = new Error('x');
  hooks.onCommand?.({ namespace: 'mcp2', command: 'get', durationMs: 1, ok: true, keys: 1 });
  hooks.onRejected?.({ namespace: 'mcp2', command: 'get', code: 'ERR_CROSS_NAMESPACE', error });
  hooks.onTimeout?.({ namespace: 'mcp2', command: 'get', kind: 'command', timeoutMs: 1, elapsedMs: 1, error });
  hooks.onPressureSample?.({ namespace: 'mcp2', level: 'warn', figures: { ratio: 0.75, evictedKeysDelta: 1 } });
  const metrics = new Map<string, Set<string>>();
  for (const line of (await registry.metrics()).split('\n')) {
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? /.exec(line);
    if (!sample) continue;
    const labels = [...(sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)].map((match) => match[1] as string);
    metrics.set(sample[1] as string, new Set(labels));
  }
  return metrics;
}

const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan']);

/** The metric names and label names a PromQL expression uses (label_values() of a template variable too). */
function promqlNames(expr: string): { metrics: string[]; labels: string[] } {
  const labels: string[] = [];
  const metrics: string[] = [];
  let rest = expr.replace(/label_values\(\s*([a-zA-Z_:][\w:]*)\s*,\s*(\w+)\s*\)/g, (_, metric: string, label: string) => {
    metrics.push(metric);
    labels.push(label);
    return ' ';
  });
  rest = rest.replace(/\{([^}]*)\}/g, (_, matchers: string) => {
    labels.push(...[...matchers.matchAll(/(\w+)\s*(?:=~|!~|!=|=)/g)].map((match) => match[1] as string));
    return ' ';
  });
  rest = rest.replace(/\b(?:by|without)\s*\(([^)]*)\)/g, (_, list: string) => {
    labels.push(...list.split(',').map((label) => label.trim()).filter(Boolean));
    return ' ';
  });
  rest = rest.replace(/"[^"]*"/g, ' ').replace(/\[[^\]]*\]/g, ' ');
  for (const match of rest.matchAll(/[a-zA-Z_:][\w:]*(?!\w|\s*\()/g)) {
    if (!PROMQL_WORDS.has(match[0].toLowerCase())) metrics.push(match[0]);
  }
  return { metrics, labels };
}

interface Panel {
  readonly type: string;
  readonly title: string;
  readonly targets?: ReadonlyArray<{ expr: string; legendFormat?: string }>;
  readonly panels?: readonly Panel[];
  readonly fieldConfig?: { defaults?: { thresholds?: { steps: ReadonlyArray<{ value: number | null }> } } };
}

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

  it('the Grafana dashboard queries only metrics that exist, with labels they have, and marks the pressure thresholds', async () => {
    const { PRESSURE_DEFAULTS } = await import('../../src/instrument/pressure/monitor.js');
    const ours = await libraryMetrics();
    const dashboard = JSON.parse(await readFile('examples/runbook/grafana/isolated-redis.json', 'utf8')) as {
      panels: Panel[];
      templating: { list: ReadonlyArray<{ type: string; definition?: string }> };
    };
    const scrape = await readFile('examples/runbook/prometheus.yml', 'utf8');
    expect(scrape).toMatch(/labels: \{ workload: mcp \}/);
    const labelsOf = (metric: string): readonly string[] | undefined => {
      const own = ours.get(metric);
      if (own) return [...own, ...TARGET_LABELS];
      const exporter = EXPORTER_METRICS[metric];
      return exporter && [...exporter, ...TARGET_LABELS, 'workload'];
    };
    const queries = [
      ...dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]).flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel, ...target }))),
      ...dashboard.templating.list.flatMap((variable) => (variable.definition ? [{ panel: undefined, expr: variable.definition, legendFormat: undefined }] : [])),
    ];
    expect(queries.length).toBeGreaterThan(10);
    const used = new Set<string>();
    for (const { expr, legendFormat } of queries) {
      const { metrics, labels } = promqlNames(expr);
      expect(metrics.length, expr).toBeGreaterThan(0);
      for (const metric of metrics) {
        expect(labelsOf(metric), `${metric} in ${expr}`).toBeDefined();
        used.add(metric);
      }
      const known = new Set(metrics.flatMap((metric) => labelsOf(metric) ?? []));
      const legend = [...(legendFormat ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((match) => match[1] as string);
      expect([...labels, ...legend].filter((label) => !known.has(label)), expr).toEqual([]);
    }
    // Both sides are on the dashboard: the instances' figures and every namespace-level metric.
    for (const metric of ['redis_memory_used_bytes', 'redis_memory_max_bytes', 'redis_evicted_keys_total', 'redis_commands_duration_seconds_total']) expect(used).toContain(metric);
    for (const metric of ['isolated_redis_memory_used_ratio', 'isolated_redis_pressure_level', 'isolated_redis_evicted_keys_total', 'isolated_redis_command_timeouts_total',
      'isolated_redis_commands_rejected_total', 'isolated_redis_command_duration_seconds_bucket', 'isolated_redis_command_duration_seconds_count']) expect(used).toContain(metric);
    // The memory ratio panels mark the pressure monitor's own thresholds.
    const ratioPanels = queries.flatMap(({ panel, expr }) => (panel && /redis_memory_used_bytes|isolated_redis_memory_used_ratio/.test(expr) ? [panel] : []));
    expect(ratioPanels).toHaveLength(2);
    for (const panel of ratioPanels) {
      const steps = panel.fieldConfig?.defaults?.thresholds?.steps.map((step) => step.value);
      expect(steps, panel.title).toEqual([null, PRESSURE_DEFAULTS.warnRatio, PRESSURE_DEFAULTS.criticalRatio]);
    }
  });

  it('docker compose provisions Grafana with the dashboard and the Prometheus data source', async () => {
    const compose = await readFile('examples/runbook/docker-compose.yml', 'utf8');
    expect(compose).toContain('./grafana/isolated-redis.json:/var/lib/grafana/dashboards/isolated-redis.json:ro');
    expect(compose).toContain('./grafana/provisioning:/etc/grafana/provisioning:ro');
    expect(await readFile('examples/runbook/grafana/provisioning/dashboards/isolated-redis.yml', 'utf8')).toContain('path: /var/lib/grafana/dashboards');
    expect(await readFile('examples/runbook/grafana/provisioning/datasources/prometheus.yml', 'utf8')).toContain('url: http://prometheus:9090');
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
