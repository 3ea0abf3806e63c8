import type { PressureLevel } from '../events.js';

/** The thresholds of the memory ratio. */
export interface LevelThresholds {
  readonly warnRatio: number;
  readonly criticalRatio: number;
  readonly hysteresis: number;
}

/**
 * The level for `ratio`, given the current level: a level is entered at its threshold and left
 * only below the threshold minus the hysteresis, so a ratio hovering at a threshold does not
 * flap. An unknown ratio (`maxmemory 0`) keeps the level.
 *
 * @example
 * ```ts
 * nextLevel('warn', 0.68, { warnRatio: 0.7, criticalRatio: 0.8, hysteresis: 0.05 }); // 'warn'
 * nextLevel('warn', 0.64, { warnRatio: 0.7, criticalRatio: 0.8, hysteresis: 0.05 }); // 'ok'
 * ```
 */
export function nextLevel(current: PressureLevel, ratio: number | undefined, t: LevelThresholds): PressureLevel {
  // No memory limit (maxmemory 0, and no system-memory fallback): no memory pressure to report.
  if (ratio === undefined) return 'ok';
  if (ratio >= t.criticalRatio) return 'critical';
  if (current === 'critical' && ratio >= t.criticalRatio - t.hysteresis) return 'critical';
  if (ratio >= t.warnRatio) return 'warn';
  if (current !== 'ok' && ratio >= t.warnRatio - t.hysteresis) return 'warn';
  return 'ok';
}
