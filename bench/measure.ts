/** Measurement helpers for the micro-benchmarks: median time and bytes allocated per call. */
import { Session } from 'node:inspector/promises';

export interface Measurement {
  readonly name: string;
  readonly nsPerOp: number;
  readonly bytesPerOp: number;
}

interface ProfileNode {
  readonly selfSize: number;
  readonly children: readonly ProfileNode[];
}

const session = new Session();
session.connect();

type Loop = (fn: () => unknown, iterations: number) => [elapsedNs: number, last: unknown];

/**
 * A timing loop of its own for each measured function. One shared loop would see a different
 * closure (and reply shape) on every row: V8 then deoptimises it, and whichever row runs first
 * reads several times slower than the same call measured later.
 */
function freshLoop(): Loop {
  return new Function(
    'fn',
    'iterations',
    'let last; const start = process.hrtime.bigint(); for (let i = 0; i < iterations; i++) last = fn(); return [Number(process.hrtime.bigint() - start), last];',
  ) as Loop;
}

/** Runs `fn` in rounds of `iterations` calls and returns the median time per call. */
function timePerCall(loop: Loop, fn: () => unknown, iterations: number, rounds: number): number {
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) samples.push(loop(fn, iterations)[0] / iterations);
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] as number;
}

/**
 * Bytes allocated per call, from V8's sampling heap profiler (every 64 bytes allocated, objects
 * later collected included), so garbage collections during the run do not hide anything.
 */
async function bytesPerCall(fn: () => unknown, iterations: number): Promise<number> {
  let sink: unknown;
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 64,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  for (let i = 0; i < iterations; i++) sink = fn();
  const { profile } = await session.post('HeapProfiler.stopSampling');
  if (sink === Symbol.for('never')) console.log(sink);
  const total = (node: ProfileNode): number => node.children.reduce((sum, child) => sum + total(child), node.selfSize);
  return total(profile.head as ProfileNode) / iterations;
}

export async function measure(name: string, fn: () => unknown): Promise<Measurement> {
  const loop = freshLoop();
  loop(fn, 200_000); // warm up: let the JIT optimise the loop and the call
  const nsPerOp = timePerCall(loop, fn, 200_000, 7);
  return { name, nsPerOp, bytesPerOp: await bytesPerCall(fn, 200_000) };
}

/** Measures each `[name, fn]` in turn (never two at once: the heap profiler is shared) and prints a table. */
export async function report(title: string, rows: readonly (readonly [name: string, fn: () => unknown])[]): Promise<void> {
  const done: Measurement[] = [];
  for (const [name, fn] of rows) done.push(await measure(name, fn));
  console.log(`\n${title}`);
  const width = Math.max(...done.map((row) => row.name.length));
  for (const row of done) {
    console.log(`  ${row.name.padEnd(width)}  ${row.nsPerOp.toFixed(1).padStart(8)} ns/op  ${row.bytesPerOp.toFixed(0).padStart(5)} B/op`);
  }
}
