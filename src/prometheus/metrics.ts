import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Histogram buckets of command durations, in seconds: 0.5 ms to 10 s. */
export const DURATION_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The metrics of every isolated client registered on one registry. */
export interface IsolatedRedisMetrics {
  readonly duration: Histogram<'namespace' | 'command' | 'outcome'>;
  readonly rejected: Counter<'namespace' | 'code'>;
  readonly timeouts: Counter<'namespace' | 'kind'>;
  readonly memoryRatio: Gauge<'namespace'>;
  readonly evictedKeys: Counter<'namespace'>;
  readonly pressureLevel: Gauge<'namespace'>;
}

/**
 * The metric `name` of `registry`, or a new one registered there: two clients (of one namespace
 * or several) on one registry share the metrics instead of throwing on a duplicate name.
 */
function reuse<M>(registry: Registry, name: string, create: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? create();
}

/** Gets or registers the six metrics on `registry` (never on the global one unless it is given). */
export function metricsOn(registry: Registry): IsolatedRedisMetrics {
  const registers = [registry];
  return {
    duration: reuse(registry, 'isolated_redis_command_duration_seconds', () =>
      new Histogram({
        name: 'isolated_redis_command_duration_seconds',
        help: 'Duration of the commands of isolated Redis clients, from the call to the reply',
        labelNames: ['namespace', 'command', 'outcome'] as const,
        buckets: [...DURATION_BUCKETS],
        registers,
      }),
    ),
    rejected: reuse(registry, 'isolated_redis_commands_rejected_total', () =>
      new Counter({
        name: 'isolated_redis_commands_rejected_total',
        help: 'Commands refused by the namespace guard (nothing sent), by error code',
        labelNames: ['namespace', 'code'] as const,
        registers,
      }),
    ),
    timeouts: reuse(registry, 'isolated_redis_command_timeouts_total', () =>
      new Counter({
        name: 'isolated_redis_command_timeouts_total',
        help: 'Commands that timed out, by kind (command, blocking, socket, connect)',
        labelNames: ['namespace', 'kind'] as const,
        registers,
      }),
    ),
    memoryRatio: reuse(registry, 'isolated_redis_memory_used_ratio', () =>
      new Gauge({
        name: 'isolated_redis_memory_used_ratio',
        help: 'used_memory / maxmemory of the Redis server, at the last sample of the pressure monitor',
        labelNames: ['namespace'] as const,
        registers,
      }),
    ),
    evictedKeys: reuse(registry, 'isolated_redis_evicted_keys_total', () =>
      new Counter({
        name: 'isolated_redis_evicted_keys_total',
        help: 'Keys the Redis server evicted, as seen by the pressure monitor',
        labelNames: ['namespace'] as const,
        registers,
      }),
    ),
    pressureLevel: reuse(registry, 'isolated_redis_pressure_level', () =>
      new Gauge({
        name: 'isolated_redis_pressure_level',
        help: 'Pressure level of the Redis server: 0 ok, 1 warn, 2 critical',
        labelNames: ['namespace'] as const,
        registers,
      }),
    ),
  };
}
