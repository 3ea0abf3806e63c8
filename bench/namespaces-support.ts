/**
 * What the many-namespaces benchmark (./namespaces.ts) shares between its parts: the quick mode,
 * garbage collection on demand, heap figures, goals and the tables it prints.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** `BENCH_QUICK=1`: smaller counts, for a run in seconds (the figures are rougher). */
export const QUICK = process.env.BENCH_QUICK === '1';

/** Picks the full or the quick count. */
export const sized = (full: number, quick: number): number => (QUICK ? quick : full);

// `global.gc` without restarting node with --expose-gc: the flag, set now, exposes `gc` to
// contexts created afterwards, and that function collects the whole isolate's heap.
setFlagsFromString('--expose-gc');
const collect = ((globalThis as { gc?: () => void }).gc ?? runInNewContext('gc')) as () => void;

/** Heap used plus memory held outside it (Buffers), in bytes, after full garbage collections. */
export function retainedBytes(): number {
  for (let i = 0; i < 3; i++) collect();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

/** `PASS` or `MISS`, for a figure beside its goal. */
export const verdict = (ok: boolean): string => (ok ? 'PASS' : 'MISS');

export const formatNs = (ns: number): string => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} µs` : `${ns.toFixed(0)} ns`);
export const formatBytes = (bytes: number): string => (Math.abs(bytes) >= 10_240 ? `${(bytes / 1024).toFixed(1)} KiB` : `${bytes.toFixed(0)} B`);
export const formatMb = (bytes: number): string => `${(bytes / 1_048_576).toFixed(1)} MB`;
export const formatCount = (n: number): string => n.toLocaleString('en-US');

/** Prints rows of cells as an aligned table: the first row is the header, the first column is left-aligned. */
export function printTable(rows: readonly (readonly string[])[]): void {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  rows.forEach((row, index) => {
    const line = row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number))).join('  ');
    console.log(`  ${line}`);
    if (index === 0) console.log(`  ${widths.map((width) => '-'.repeat(width)).join('  ')}`);
  });
}

/**
 * CPU time of this process (user + system) in nanoseconds, at microsecond resolution. The guard's
 * figures are CPU time, not wall time: on a machine shared with other work, a wall-clock round
 * also counts the time the process waited for a core.
 */
export function cpuNs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
}

/** Milliseconds since `start` (a `process.hrtime.bigint()`). */
export const msSince = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

/** The median of `values` (not empty). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}
