/**
 * Options of {@link createProgress}.
 *
 * @example
 * ```ts
 * const options: ProgressOptions = { label: 'keyspace', write: (t) => process.stderr.write(t), isTTY: process.stderr.isTTY === true };
 * ```
 */
export interface ProgressOptions {
  /** Starts every line: `keyspace`, `move celery`. */
  readonly label: string;
  readonly write: (text: string) => void;
  /** A terminal gets one live line redrawn with `\r`; anything else gets plain periodic lines. */
  readonly isTTY: boolean;
  /** The terminal's width (the live line never wraps). @defaultValue 80 */
  readonly columns?: (() => number | undefined) | undefined;
  /** Milliseconds from any fixed origin. @defaultValue `performance.now` */
  readonly now?: () => number;
  /** Without a terminal: at most one line per this many milliseconds. @defaultValue 5000 */
  readonly lineIntervalMs?: number;
  /** On a terminal: at most one redraw per this many milliseconds. @defaultValue 100 */
  readonly redrawIntervalMs?: number;
  /** @defaultValue `'keys'` */
  readonly unit?: string;
}

/**
 * How far a task is, beside its count: a known `total` (DBSIZE), or the `fraction` done (0..1)
 * when only that is known, from which the total is estimated.
 *
 * @example
 * ```ts
 * progress.update(5000, { fraction: 0.1 }); // "5,000/~50,000 keys (10.0%)"
 * ```
 */
export interface ProgressPosition {
  readonly total?: number | undefined;
  readonly fraction?: number | undefined;
}

/**
 * A progress display; see {@link createProgress}.
 *
 * @example
 * ```ts
 * progress.update(scanned, { total });
 * progress.finish(scanned);
 * ```
 */
export interface Progress {
  /** The count so far; shown now or later, as the display's pace allows. */
  update(count: number, position?: ProgressPosition): void;
  /** The final figures, always shown, ending the line. */
  finish(count: number): void;
}

const integer = (n: number): string => Math.round(n).toLocaleString('en-US');

/**
 * `45s`, `3m05s`, `1h02m`.
 *
 * @example
 * ```ts
 * formatDuration(185_000); // '3m05s'
 * ```
 */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return ms < 10_000 ? `${(Math.max(0, ms) / 1000).toFixed(1)}s` : `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

interface Figures {
  readonly count: string;
  readonly percent?: string;
  readonly rate?: string;
  readonly eta?: string;
  readonly fraction?: number;
}

/**
 * Reports the progress of a long task on stderr in the form that suits it: on a terminal, one
 * live line with a bar, count, total, percentage, rate and ETA, redrawn in place at most 10
 * times a second; in a log (CI, a pipe, a file), a plain line every 5 s at most, never `\r`.
 * Both end with a summary line from {@link Progress.finish}.
 *
 * @example
 * ```ts
 * const progress = createProgress({ label: 'keyspace', write: io.stderr, isTTY: io.stderrIsTTY ?? false });
 * progress.update(12_345, { total: 50_000 }); // TTY: "\rkeyspace [####.........] 12,345/50,000 keys 24.7% 3,210 keys/s ETA 12s"
 * progress.finish(50_000); // "keyspace: 50,000 keys in 15.2s, 3,290 keys/s\n"
 * ```
 */
export function createProgress(options: ProgressOptions): Progress {
  const now = options.now ?? (() => performance.now());
  const unit = options.unit ?? 'keys';
  const lineInterval = options.lineIntervalMs ?? 5000;
  const redrawInterval = options.redrawIntervalMs ?? 100;
  const started = now();
  let lastShown: number | undefined;
  let drawnWidth = 0;

  const figures = (count: number, position: ProgressPosition, elapsed: number): Figures => {
    const total = position.total === undefined ? undefined : Math.max(position.total, count);
    const fraction = total !== undefined ? (total === 0 ? 1 : count / total) : position.fraction === undefined ? undefined : Math.min(Math.max(position.fraction, 0), 1);
    const estimate = total === undefined && fraction !== undefined && fraction > 0 ? `~${integer(count / fraction)}` : undefined;
    const shownTotal = total === undefined ? estimate : integer(total);
    const rate = elapsed > 0 ? (count * 1000) / elapsed : undefined;
    const eta = fraction !== undefined && fraction > 0 && fraction < 1 && elapsed > 0 ? formatDuration((elapsed * (1 - fraction)) / fraction) : undefined;
    return {
      count: `${integer(count)}${shownTotal === undefined ? '' : `/${shownTotal}`} ${unit}`,
      ...(fraction === undefined ? {} : { percent: `${(fraction * 100).toFixed(1)}%`, fraction }),
      ...(rate === undefined ? {} : { rate: `${integer(rate)} ${unit}/s` }),
      ...(eta === undefined ? {} : { eta: `ETA ${eta}` }),
    };
  };

  const drawLine = (line: string): void => {
    const width = Math.max(20, (options.columns?.() ?? 80) - 1);
    const fitted = line.length > width ? line.slice(0, width) : line;
    options.write(`\r${fitted.padEnd(drawnWidth)}`);
    drawnWidth = fitted.length;
  };

  const liveLine = (f: Figures): string => {
    const text = [f.count, f.percent, f.rate, f.eta].filter(Boolean).join('  ');
    const room = (options.columns?.() ?? 80) - 1 - options.label.length - text.length - 5;
    if (f.fraction === undefined || room < 10) return `${options.label}  ${text}`;
    const width = Math.min(30, room);
    const filled = Math.round(f.fraction * width);
    return `${options.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}`;
  };

  return {
    update(count, position = {}) {
      const at = now();
      const interval = options.isTTY ? redrawInterval : lineInterval;
      if (options.isTTY ? lastShown !== undefined && at - lastShown < interval : at - (lastShown ?? started) < interval) return;
      lastShown = at;
      const f = figures(count, position, at - started);
      if (options.isTTY) drawLine(liveLine(f));
      else options.write(`${options.label}: ${[f.percent === undefined ? f.count : `${f.count} (${f.percent})`, f.rate, f.eta].filter(Boolean).join(', ')}\n`);
    },
    finish(count) {
      const elapsed = now() - started;
      const summary = `${options.label}: ${integer(count)} ${unit} in ${formatDuration(elapsed)}${elapsed > 0 ? `, ${integer((count * 1000) / elapsed)} ${unit}/s` : ''}`;
      if (options.isTTY) {
        drawLine(summary);
        options.write('\n');
      } else {
        options.write(`${summary}\n`);
      }
    },
  };
}
