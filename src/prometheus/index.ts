/**
 * isolated-redis/prometheus: Prometheus metrics for isolated clients, with prom-client (an
 * optional peer dependency: install it to use this entry).
 *
 * @packageDocumentation
 */
import { nativeTimeoutKind } from '../instrument/driver-errors.js';
import type { Registry } from 'prom-client';
import type { InstrumentationHooks, PressureLevel, TimeoutKind } from '../instrument/index.js';
import type { DurationSeries } from './duration-histogram.js';
import { metricsOn } from './metrics.js';

export { DURATION_BUCKETS } from './duration-histogram.js';

/**
 * Options of {@link createPrometheusHooks}.
 *
 * @example
 * ```ts
 * const options: PrometheusHooksOptions = { registry: new Registry(), maxCommands: 100 };
 * ```
 */
export interface PrometheusHooksOptions {
  /** Where the metrics are registered. Pass `register` from prom-client to use its global registry. */
  readonly registry: Registry;
  /**
   * How many distinct `command` label values to keep per set of hooks; further commands are
   * counted as `other`, so that module commands cannot grow the label set without bound.
   * @defaultValue `200`
   */
  readonly maxCommands?: number;
  /**
   * The `namespace` label of a namespace. With a namespace per tenant, give the family instead
   * (`(namespace) => deployment.familyOf(namespace) ?? namespace`), so that the label set stays
   * as small as the deployment's families.
   * @defaultValue the namespace
   */
  readonly namespaceLabel?: (namespace: string) => string;
}

const LEVELS: Readonly<Record<PressureLevel, number>> = { ok: 0, warn: 1, critical: 2 };

/**
 * Hooks that record isolated clients' commands, refusals, timeouts and pressure samples as
 * Prometheus metrics on `registry`: `isolated_redis_command_duration_seconds` (histogram;
 * namespace, command, outcome `ok`/`error`/`timeout`), `isolated_redis_commands_rejected_total`
 * (namespace, code), `isolated_redis_command_timeouts_total` (namespace, kind),
 * `isolated_redis_memory_used_ratio`, `isolated_redis_evicted_keys_total` and
 * `isolated_redis_pressure_level` and `isolated_redis_pressure_monitor_up` (0 while the monitor
 * cannot read INFO; namespace). Labels never carry a key. Any number of clients
 * may register on one registry.
 *
 * @example
 * ```ts
 * import { Registry } from 'prom-client';
 * import { createPrometheusHooks } from 'isolated-redis/prometheus';
 *
 * const registry = new Registry();
 * const redis = createIsolatedRedis({ namespace: 'mcp2', client, hooks: createPrometheusHooks({ registry }), pressure: true });
 * app.get('/metrics', async (_, res) => res.type(registry.contentType).send(await registry.metrics()));
 * ```
 */
export function createPrometheusHooks(options: PrometheusHooksOptions): InstrumentationHooks {
  const metrics = metricsOn(options.registry);
  const maxCommands = options.maxCommands ?? 200;
  const label = options.namespaceLabel ?? ((namespace: string) => namespace);
  // Series cached per label set: observing one is then a few additions.
  const durations = new Map<string, DurationSeries>();
  const durationOf = (namespace: string, command: string, outcome: string): DurationSeries => {
    const id = `${namespace}\n${command}\n${outcome}`;
    let child = durations.get(id);
    if (!child) {
      child = metrics.duration.series(namespace, metrics.duration.commandLabel(command, maxCommands), outcome);
      durations.set(id, child);
    }
    return child;
  };

  return {
    onCommand(event) {
      const outcome = event.ok ? 'ok' : event.error && (event.error.name === 'CommandTimeoutError' || nativeTimeoutKind(event.error)) ? 'timeout' : 'error';
      durationOf(label(event.namespace), event.command, outcome).observe(event.durationMs / 1000);
    },
    onRejected(event) {
      metrics.rejected.labels(label(event.namespace), event.code).inc();
    },
    onTimeout(event) {
      metrics.timeouts.labels(label(event.namespace), event.kind satisfies TimeoutKind).inc();
    },
    onPressure(event) {
      // A monitor that cannot read INFO reports it (signal 'monitor', with the error); a gauge makes it an alert.
      if (event.signal === 'monitor') metrics.monitorUp.labels(label(event.namespace)).set(event.error === undefined ? 1 : 0);
    },
    onPressureSample({ namespace: name, level, figures }) {
      const namespace = label(name);
      metrics.monitorUp.labels(namespace).set(1);
      if (figures.ratio !== undefined) metrics.memoryRatio.labels(namespace).set(figures.ratio);
      if (figures.evictedKeysDelta) metrics.evictedKeys.labels(namespace).inc(figures.evictedKeysDelta);
      metrics.pressureLevel.labels(namespace).set(LEVELS[level]);
    },
  };
}
