import type { Registry } from 'prom-client';

/** One line of the exposition, as a prom-client registry reads it from a metric's `get()`. */
interface SampleLine {
  readonly metricName: string;
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
}

/** What a prom-client registry reads from a metric. */
interface MetricSnapshot {
  readonly name: string;
  readonly help: string;
  readonly type: 'histogram';
  readonly aggregator: 'sum';
  readonly values: readonly SampleLine[];
}

/** Histogram buckets of command durations, in seconds: 0.5 ms to 10 s. */
const BOUNDS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The counts of one label set: one slot per bucket plus +Inf, not yet cumulative. */
export class DurationSeries {
  private readonly counts = new Float64Array(BOUNDS.length + 1);
  sum = 0;
  count = 0;

  constructor(readonly labels: Readonly<Record<'namespace' | 'command' | 'outcome', string>>) {}

  observe(seconds: number): void {
    let i = 0;
    while (i < BOUNDS.length && seconds > (BOUNDS[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.sum += seconds;
    this.count++;
  }

  /** Cumulative bucket counts, `+Inf` last, as the exposition format wants them. */
  cumulative(): number[] {
    const out: number[] = [];
    let total = 0;
    for (const count of this.counts) out.push((total += count));
    return out;
  }
}

const NAME = 'isolated_redis_command_duration_seconds';

const BRAND = Symbol.for('isolated-redis.duration-histogram');

const isDurationHistogram = (metric: unknown): metric is DurationHistogram =>
  typeof metric === 'object' && metric !== null && (metric as Record<symbol, unknown>)[BRAND] === true;

/**
 * `isolated_redis_command_duration_seconds`, registered on a prom-client registry as a metric
 * of its own making: observing is a bucket search and three additions on a series object the
 * caller keeps, where prom-client's own Histogram validates and hashes the labels on every
 * observation (about a microsecond: too much for a hook meant to stay on for every command).
 * The registry reads it through `get()`, like any prom-client metric.
 */
export class DurationHistogram {
  readonly [BRAND] = true;
  readonly name = NAME;
  readonly help = 'Duration of the commands of isolated Redis clients, from the call to the reply';
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  private readonly byId = new Map<string, DurationSeries>();
  private readonly commands = new Set<string>();

  /**
   * The `command` label: the command itself among the first `max` commands seen on this
   * registry (whichever clients and hook sets report there), `other` after that.
   */
  commandLabel(command: string, max: number): string {
    if (!this.commands.has(command) && this.commands.size < max) this.commands.add(command);
    return this.commands.has(command) ? command : 'other';
  }

  /** The histogram of `registry`, registered there on first use; shared by every client using that registry. */
  static on(registry: Registry): DurationHistogram {
    const existing = registry.getSingleMetric(NAME) as unknown;
    // Recognised by a brand, not `instanceof`: the CJS and ESM builds (or two installed copies)
    // each have their own class, and may share one registry.
    if (isDurationHistogram(existing)) return existing;
    const histogram = new DurationHistogram();
    registry.registerMetric(histogram as unknown as Parameters<Registry['registerMetric']>[0]);
    return histogram;
  }

  series(namespace: string, command: string, outcome: string): DurationSeries {
    const id = `${namespace}\n${command}\n${outcome}`;
    let series = this.byId.get(id);
    if (!series) this.byId.set(id, (series = new DurationSeries({ namespace, command, outcome })));
    return series;
  }

  get(): Promise<MetricSnapshot> {
    const values: SampleLine[] = [];
    for (const series of this.byId.values()) {
      const cumulative = series.cumulative();
      BOUNDS.forEach((le, i) => values.push({ metricName: `${NAME}_bucket`, labels: { le, ...series.labels }, value: cumulative[i] as number }));
      values.push({ metricName: `${NAME}_bucket`, labels: { le: '+Inf', ...series.labels }, value: series.count });
      values.push({ metricName: `${NAME}_sum`, labels: { ...series.labels }, value: series.sum });
      values.push({ metricName: `${NAME}_count`, labels: { ...series.labels }, value: series.count });
    }
    return Promise.resolve({ name: NAME, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  reset(): void {
    this.byId.clear();
  }
}

export { BOUNDS as DURATION_BUCKETS };
