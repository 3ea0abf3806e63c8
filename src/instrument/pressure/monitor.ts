import type { PressureEvent, PressureFigures, PressureLevel, PressureSignal } from '../events.js';
import type { Instrumentation } from '../instrumentation.js';
import type { LatencyWindow } from '../latency-window.js';
import type { PressureOptions } from '../options.js';
import { figuresOf, parseInfo, readSample, type InfoSample } from './info.js';
import { NotConnectedError } from './info-source.js';
import { nextLevel, type LevelThresholds } from './levels.js';

/**
 * Sends `INFO memory stats clients` on the client's connection and returns the text; throws
 * {@link NotConnectedError} while the client is not connected.
 */
export type InfoSource = () => Promise<string>;

type Settings = Required<Omit<PressureOptions, 'systemMemoryFallback' | 'client'>> & { readonly systemMemoryFallback: boolean };

/** The monitor's defaults (the runbook's thresholds: 70% "consider splitting", 80% "alert"). */
export const PRESSURE_DEFAULTS: Readonly<Settings> = {
  intervalMs: 10_000,
  warnRatio: 0.7,
  criticalRatio: 0.8,
  hysteresis: 0.05,
  clientsRatio: 0.9,
  latencySpikeFactor: 3,
  latencySpikeMinMs: 10,
  splitAfterMs: 300_000,
  systemMemoryFallback: false,
};

/**
 * Polls INFO every `intervalMs` (timer unref'ed: an idle process still exits) and reports to
 * the instrumentation: memory level changes (with hysteresis), `critical` again at each sample
 * while it lasts, evictions, client saturation, rejected connections and latency spikes of this
 * client's own commands. A `warn` (or worse) lasting `splitAfterMs` adds `recommendation: 'split'`.
 * An INFO that fails (NOPERM, an unknown command, a reply without `used_memory`) is reported at
 * once as a `monitor` signal, never skipped in silence: the alarms are off until INFO works again.
 *
 * @example
 * ```ts
 * const monitor = new PressureMonitor(instr, () => client.call('INFO', 'memory', 'stats', 'clients'), { intervalMs: 5000 });
 * monitor.start();
 * ```
 */
export class PressureMonitor {
  private readonly settings: Settings;
  private readonly latency: LatencyWindow;
  private timer: NodeJS.Timeout | undefined;
  private previous: InfoSample | undefined;
  private level: PressureLevel = 'ok';
  /** Since when the level has been `warn` or worse (undefined while `ok`). */
  private pressedSince: number | undefined;
  private splitReported = false;
  private saturated = false;
  private p99Baseline: number | undefined;
  private sampling = false;
  /** Why INFO cannot be read, while it cannot (reported once per failure, not at every interval). */
  private blindness: string | undefined;

  constructor(
    private readonly instr: Instrumentation,
    private readonly source: InfoSource,
    options: PressureOptions,
  ) {
    this.settings = { ...PRESSURE_DEFAULTS, ...definedOnly(options) };
    this.latency = instr.keepLatency();
  }

  /** Starts polling, with a first sample now (skipped in silence while the client is not connected). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.sample(), this.settings.intervalMs).unref();
    void this.sample();
  }

  /** Stops polling (the client quit, disconnected or closed). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Takes one sample now and reports what it shows. A client not connected is skipped in silence
   * (its driver reports that); an INFO that fails or lacks the memory figures is a `monitor` report.
   */
  async sample(): Promise<void> {
    if (this.sampling) return;
    this.sampling = true;
    let text: string;
    try {
      text = await this.source();
    } catch (error) {
      if (!(error instanceof NotConnectedError)) this.blind(error instanceof Error ? error : new Error(String(error)));
      return;
    } finally {
      this.sampling = false;
    }
    const fields = parseInfo(text);
    if (!fields.has('used_memory')) {
      this.blind(new Error(`INFO answered without used_memory (${JSON.stringify(text.slice(0, 80))})`));
      return;
    }
    this.seeing();
    const now = performance.now();
    const sample = readSample(fields, now);
    const figures = { ...figuresOf(sample, this.previous, this.settings.systemMemoryFallback), ...this.latencyFigures() };
    this.previous = sample;
    this.report(figures, now);
  }

  /** INFO cannot be read: reported once, at warn, with the way out. */
  private blind(error: Error): void {
    if (this.blindness === error.message) return;
    this.blindness = error.message;
    this.instr.pressure({
      namespace: this.instr.namespace,
      level: 'warn',
      signal: 'monitor',
      figures: {},
      reason:
        `the pressure monitor cannot read INFO (${error.message}): memory, eviction and client alarms are off until it can. ` +
        'Let the user run INFO (`isolated-redis acl` grants +info), or pass `pressure.client`, a client of a user that may',
      error,
    });
  }

  /** INFO works (again): a monitor that was blind says it sees. */
  private seeing(): void {
    if (this.blindness === undefined) return;
    this.blindness = undefined;
    this.instr.pressure({ namespace: this.instr.namespace, level: this.level, signal: 'monitor', figures: {}, reason: 'the pressure monitor reads INFO again' });
  }

  private latencyFigures(): Pick<PressureFigures, 'p99Ms' | 'p99BaselineMs'> {
    const p99Ms = this.latency.takeP99();
    if (p99Ms === undefined) return {};
    const p99BaselineMs = this.p99Baseline;
    if (!this.isSpike(p99Ms, p99BaselineMs)) this.p99Baseline = p99BaselineMs === undefined ? p99Ms : 0.8 * p99BaselineMs + 0.2 * p99Ms;
    return p99BaselineMs === undefined ? { p99Ms } : { p99Ms, p99BaselineMs };
  }

  private isSpike(p99Ms: number | undefined, baseline: number | undefined): boolean {
    return p99Ms !== undefined && baseline !== undefined && p99Ms >= this.settings.latencySpikeMinMs && p99Ms >= baseline * this.settings.latencySpikeFactor;
  }

  private report(figures: PressureFigures, now: number): void {
    const previousLevel = this.level;
    this.level = nextLevel(previousLevel, figures.ratio, this.settings as LevelThresholds);
    if (this.level === 'ok') {
      this.pressedSince = undefined;
      this.splitReported = false;
    } else {
      this.pressedSince ??= now;
    }
    this.instr.sample({ namespace: this.instr.namespace, level: this.level, figures });
    const sustained = this.pressedSince !== undefined && now - this.pressedSince >= this.settings.splitAfterMs;
    const split = sustained
      ? {
          recommendation: 'split' as const,
          reason: `memory has been at or above ${Math.round(this.settings.warnRatio * 100)}% of maxmemory for ${Math.round((now - (this.pressedSince ?? now)) / 1000)} s: give this namespace its own Redis`,
        }
      : {};
    if (this.level !== previousLevel || this.level === 'critical' || (sustained && !this.splitReported)) {
      if (sustained) this.splitReported = true;
      this.emit('memory', figures, { previousLevel, ...split });
    }
    if ((figures.evictedKeysDelta ?? 0) > 0) {
      this.emit('evictions', figures, { reason: `${figures.evictedKeysDelta} keys evicted since the last sample`, ...pickRecommendation(split) });
    }
    const saturated = figures.clientsRatio !== undefined && figures.clientsRatio >= this.settings.clientsRatio;
    if (saturated && !this.saturated) {
      this.emit('clients', figures, { reason: `${figures.connectedClients} of ${figures.maxClients} client connections in use` });
    }
    this.saturated = saturated;
    if ((figures.rejectedConnectionsDelta ?? 0) > 0) {
      this.emit('rejected-connections', figures, { reason: `${figures.rejectedConnectionsDelta} connections rejected since the last sample` });
    }
    if (this.isSpike(figures.p99Ms, figures.p99BaselineMs)) {
      this.emit('latency', figures, {
        reason: `p99 of this client's commands ${figures.p99Ms?.toFixed(1)} ms, baseline ${figures.p99BaselineMs?.toFixed(1)} ms`,
      });
    }
  }

  private emit(signal: PressureSignal, figures: PressureFigures, extra: Partial<PressureEvent>): void {
    this.instr.pressure({ namespace: this.instr.namespace, level: this.level, signal, figures, ...extra });
  }
}

const pickRecommendation = (split: { recommendation?: 'split'; reason?: string }): Partial<PressureEvent> =>
  split.recommendation ? { recommendation: split.recommendation } : {};

function definedOnly(options: PressureOptions): Partial<Settings> {
  return Object.fromEntries(Object.entries(options).filter(([name, value]) => value !== undefined && name !== 'client')) as Partial<Settings>;
}
