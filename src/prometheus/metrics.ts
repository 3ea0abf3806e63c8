import { Counter, Gauge, type Registry } from 'prom-client';
import { DurationHistogram } from './duration-histogram.js';

/** The metrics of every isolated client registered on one registry. */
export interface IsolatedRedisMetrics {
  readonly duration: DurationHistogram;
  readonly rejected: Counter<'namespace' | 'code'>;
  readonly timeouts: Counter<'namespace' | 'kind'>;
  readonly memoryRatio: Gauge<'namespace'>;
  readonly evictedKeys: Counter<'namespace'>;
  readonly pressureLevel: Gauge<'namespace'>;
  readonly monitorUp: Gauge<'namespace'>;
}

type MetricClass<M, L extends string> = new (config: { name: string; help: string; labelNames: readonly L[]; registers: Registry[] }) => M;

/**
 * The metric `name` of `registry`, or a new one registered there: two clients (of one namespace
 * or several) on one registry share the metrics instead of throwing on a duplicate name.
 */
function metric<M, L extends string>(registry: Registry, Kind: MetricClass<M, L>, name: string, help: string, labelNames: readonly L[]): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? new Kind({ name, help, labelNames, registers: [registry] });
}

/** Gets or registers the seven metrics on `registry` (never on the global one unless it is given). */
export function metricsOn(registry: Registry): IsolatedRedisMetrics {
  const namespace = ['namespace'] as const;
  return {
    duration: DurationHistogram.on(registry),
    rejected: metric(registry, Counter<'namespace' | 'code'>, 'isolated_redis_commands_rejected_total',
      'Commands refused by the namespace guard (nothing sent), by error code', ['namespace', 'code']),
    timeouts: metric(registry, Counter<'namespace' | 'kind'>, 'isolated_redis_command_timeouts_total',
      'Commands that timed out, by kind (command, blocking, socket, connect)', ['namespace', 'kind']),
    memoryRatio: metric(registry, Gauge<'namespace'>, 'isolated_redis_memory_used_ratio',
      'used_memory / maxmemory of the Redis server, at the last sample of the pressure monitor', namespace),
    evictedKeys: metric(registry, Counter<'namespace'>, 'isolated_redis_evicted_keys_total', 'Keys the Redis server evicted, as seen by the pressure monitor', namespace),
    pressureLevel: metric(registry, Gauge<'namespace'>, 'isolated_redis_pressure_level', 'Pressure level of the Redis server: 0 ok, 1 warn, 2 critical', namespace),
    monitorUp: metric(registry, Gauge<'namespace'>, 'isolated_redis_pressure_monitor_up',
      'Whether the pressure monitor reads INFO: 1 it does, 0 it cannot (its memory, eviction and client alarms are off)', namespace),
  };
}
