import { describe, expect, it } from 'vitest';
import { createProgress, formatDuration, type ProgressOptions } from '../../src/cli/progress.js';

/** A reporter on a clock the test moves, writing into `out`. */
function harness(options: Partial<ProgressOptions> & { isTTY: boolean }) {
  let clock = 1_000;
  const out: string[] = [];
  const progress = createProgress({ label: 'keyspace', write: (text) => out.push(text), now: () => clock, ...options });
  return {
    progress,
    out,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

describe('progress without a terminal (CI logs, pipes)', () => {
  it('writes plain lines, never \\r, with count, total, percentage, rate and ETA', () => {
    const { progress, out, advance } = harness({ isTTY: false });
    advance(5_000);
    progress.update(10_000, { total: 40_000 });
    expect(out).toEqual(['keyspace: 10,000/40,000 keys (25.0%), 2,000 keys/s, ETA 15s\n']);
    expect(out.join('')).not.toContain('\r');
  });

  it('writes at most one line per interval, however often it is updated, and always the final summary', () => {
    const { progress, out, advance } = harness({ isTTY: false, lineIntervalMs: 5_000 });
    for (let batch = 1; batch <= 600; batch++) {
      advance(100); // 600 batches over 60 s
      progress.update(batch * 1_000, { total: 600_000 });
    }
    progress.finish(600_000);
    expect(out).toHaveLength(12 + 1);
    expect(out.every((line) => line.endsWith('\n') && !line.includes('\r') && line.split('\n').length === 2)).toBe(true);
    expect(out[5]).toBe('keyspace: 300,000/600,000 keys (50.0%), 10,000 keys/s, ETA 30s\n');
    expect(out.at(-1)).toBe('keyspace: 600,000 keys in 1m00s, 10,000 keys/s\n');
  });

  it('writes only the summary for a task shorter than the interval', () => {
    const { progress, out, advance } = harness({ isTTY: false });
    advance(200);
    progress.update(50, { total: 50 });
    progress.finish(50);
    expect(out).toEqual(['keyspace: 50 keys in 0.2s, 250 keys/s\n']);
  });

  it('estimates the total from the fraction done when only that is known, marked with ~', () => {
    const { progress, out, advance } = harness({ isTTY: false, label: 'move celery' });
    advance(10_000);
    progress.update(5_000, { fraction: 0.1 });
    expect(out).toEqual(['move celery: 5,000/~50,000 keys (10.0%), 500 keys/s, ETA 1m30s\n']);
  });

  it('shows count and rate alone when neither total nor fraction is known', () => {
    const { progress, out, advance } = harness({ isTTY: false });
    advance(6_000);
    progress.update(3_000);
    expect(out).toEqual(['keyspace: 3,000 keys, 500 keys/s\n']);
  });

  it('never shows more than 100% when SCAN returns more keys than DBSIZE counted (keys added, or returned twice)', () => {
    const { progress, out, advance } = harness({ isTTY: false });
    advance(5_000);
    progress.update(1_050, { total: 1_000 });
    expect(out).toEqual(['keyspace: 1,050/1,050 keys (100.0%), 210 keys/s\n']);
  });
});

describe('progress on a terminal', () => {
  it('redraws one line in place with \\r: bar, count, total, percentage, rate and ETA', () => {
    const { progress, out, advance } = harness({ isTTY: true, columns: () => 100 });
    progress.update(0, { total: 40_000 });
    advance(5_000);
    progress.update(10_000, { total: 40_000 });
    const line = out[1] as string;
    expect(line.startsWith('\r')).toBe(true);
    expect(line).not.toContain('\n');
    expect(line).toMatch(/^\rkeyspace \[#+\.+\] 10,000\/40,000 keys {2}25\.0% {2}2,000 keys\/s {2}ETA 15s *$/);
    expect(line.length - 1).toBeLessThan(100);
  });

  it('redraws at most every 100 ms, and ends the line with the summary', () => {
    const { progress, out, advance } = harness({ isTTY: true });
    for (let i = 1; i <= 100; i++) {
      advance(10);
      progress.update(i * 10, { total: 1_000 });
    }
    progress.finish(1_000);
    // First update at once, then one per 100 ms over 1 s, then the summary and its newline.
    expect(out.filter((text) => text.startsWith('\r'))).toHaveLength(1 + 9 + 1);
    expect(out.at(-2)?.trimEnd()).toBe('\rkeyspace: 1,000 keys in 1.0s, 1,000 keys/s');
    expect(out.at(-1)).toBe('\n');
  });

  it('fits a narrow terminal: a shorter bar, then none, never wider than the terminal', () => {
    for (const columns of [60, 40, 20]) {
      const { progress, out, advance } = harness({ isTTY: true, columns: () => columns });
      advance(2_000);
      progress.update(123_456, { total: 1_000_000 });
      const line = (out[0] as string).slice(1);
      expect(line.length).toBeLessThanOrEqual(Math.max(20, columns - 1));
      expect(line.startsWith('keyspace')).toBe(true);
    }
  });

  it('blanks what is left of a longer line drawn before', () => {
    const { progress, out, advance } = harness({ isTTY: true, columns: () => 120 });
    advance(1_000);
    progress.update(500, { total: 1_000 });
    advance(1_000);
    progress.finish(1_000);
    expect((out[1] as string).length).toBe((out[0] as string).length);
  });
});

describe('durations', () => {
  it('read as seconds, minutes and hours', () => {
    expect([formatDuration(1_234), formatDuration(45_000), formatDuration(185_000), formatDuration(3_720_000)]).toEqual(['1.2s', '45s', '3m05s', '1h02m']);
  });
});
