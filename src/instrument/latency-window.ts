/**
 * This client's command durations over the current pressure interval, for a p99. A fixed ring
 * of samples: memory stays bounded however many commands run; when full, older ones give way.
 *
 * @example
 * ```ts
 * const window = new LatencyWindow();
 * window.add(0.3);
 * window.takeP99(); // 0.3, and the window starts over
 * ```
 */
export class LatencyWindow {
  private readonly samples: Float64Array;
  private count = 0;

  constructor(capacity = 4096) {
    this.samples = new Float64Array(capacity);
  }

  add(durationMs: number): void {
    this.samples[this.count % this.samples.length] = durationMs;
    this.count++;
  }

  /** The p99 of the window (undefined when empty), and a fresh window. */
  takeP99(): number | undefined {
    const n = Math.min(this.count, this.samples.length);
    this.count = 0;
    if (n === 0) return undefined;
    const sorted = this.samples.slice(0, n).sort();
    return sorted[Math.min(n - 1, Math.floor(n * 0.99))];
  }
}
