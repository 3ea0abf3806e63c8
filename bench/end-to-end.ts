/**
 * The harness of the end-to-end benchmarks: each driver file names its clients (raw, the
 * driver's own key prefix, the isolated view, the isolated view with instrumentation hooks) and its
 * workloads; this runs them in alternated
 * rounds (so that drift of the machine touches every variant alike; the first round is a warm-up
 * and is discarded) and prints medians and ratios. Results are printed, never asserted.
 */

export const NAMESPACE = 'mcp2';
export const PREFIX = `${NAMESPACE}:`;
export const VARIANTS = ['raw', 'keyPrefix', 'isolated', 'instrumented'] as const;
export type Variant = (typeof VARIANTS)[number];

const KEY_COUNT = 1_000;
export const VALUE = 'v'.repeat(32);
/** Keys as the application names them, and as the raw client sends them (prefixed by hand): same bytes on the wire. */
export const KEYS = Array.from({ length: KEY_COUNT }, (_, i) => `bench:${i}`);
export const PREFIXED_KEYS = KEYS.map((key) => PREFIX + key);
/** The key of the i-th command pair of a round. */
export const keyAt = (keys: readonly string[], i: number): string => keys[i % KEY_COUNT] as string;

/** The keys each variant is given: the raw client gets them prefixed by hand. */
export const KEYS_OF: Record<Variant, readonly string[]> = { raw: PREFIXED_KEYS, keyPrefix: KEYS, isolated: KEYS, instrumented: KEYS };

/** What {@link checkVariants} needs of a client. */
interface GetSet {
  set(key: string, value: string): Promise<unknown>;
  get(key: string): Promise<unknown>;
}

/** Checks once, before timing, that each variant stores under the prefix and reads its value back. */
export async function checkVariants(clients: Partial<Record<Variant, GetSet>>, raw: GetSet): Promise<void> {
  for (const variant of VARIANTS) {
    const client = clients[variant];
    if (!client) continue;
    const value = `check:${variant}`;
    await client.set(KEYS_OF[variant][0] as string, value);
    const [viaVariant, viaRaw] = await Promise.all([client.get(KEYS_OF[variant][0] as string), raw.get(PREFIXED_KEYS[0] as string)]);
    if (viaVariant !== value || viaRaw !== value) {
      throw new Error(`${variant}: read back ${String(viaVariant)} (raw ${String(viaRaw)}), expected ${value} under ${PREFIX}`);
    }
  }
}

/** `commands` awaited SET/GET pairs on the variant's keys: latency-bound, one command at a time. */
export function sequentialWorkload<C extends GetSet>(commands: number): Workload<C> {
  return {
    name: 'sequential',
    commands,
    async run(client, keys) {
      for (let i = 0; i < commands; i += 2) {
        const key = keyAt(keys, i >> 1);
        await client.set(key, VALUE);
        await client.get(key);
      }
    },
  };
}

export interface Workload<C> {
  readonly name: string;
  readonly commands: number;
  run(client: C, keys: readonly string[]): Promise<void>;
}

interface Sample {
  readonly opsPerSec: number;
  readonly cpuUsPerOp: number;
}

/** Medians over the measured rounds, and how far apart the rounds' throughputs were. */
interface Summary extends Sample {
  /** (max - min) / median of the rounds' throughputs. */
  readonly spread: number;
}

export interface Row {
  readonly version: string;
  readonly workload: string;
  readonly results: Partial<Record<Variant, Summary>>;
}

const gc = (globalThis as { gc?: () => void }).gc;

async function sample<C>(workload: Workload<C>, client: C, keys: readonly string[]): Promise<Sample> {
  gc?.();
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  await workload.run(client, keys);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  return { opsPerSec: workload.commands / seconds, cpuUsPerOp: (used.user + used.system) / workload.commands };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

/** Runs every workload in `rounds` alternated rounds (plus a warm-up) over the variants given. */
export async function runRounds<C>(version: string, workloads: readonly Workload<C>[], clients: Partial<Record<Variant, C>>, rounds: number): Promise<Row[]> {
  const variants = VARIANTS.filter((variant) => clients[variant] !== undefined);
  const rows: Row[] = [];
  for (const workload of workloads) {
    const samples = new Map<Variant, Sample[]>(variants.map((variant) => [variant, []]));
    for (let round = 0; round <= rounds; round++) {
      for (const variant of variants) {
        const result = await sample(workload, clients[variant] as C, KEYS_OF[variant]);
        if (round > 0) samples.get(variant)?.push(result);
      }
    }
    const results: Partial<Record<Variant, Summary>> = {};
    for (const [variant, taken] of samples) {
      const throughputs = taken.map((s) => s.opsPerSec);
      const opsPerSec = median(throughputs);
      results[variant] = {
        opsPerSec,
        cpuUsPerOp: median(taken.map((s) => s.cpuUsPerOp)),
        spread: (Math.max(...throughputs) - Math.min(...throughputs)) / opsPerSec,
      };
    }
    rows.push({ version, workload: workload.name, results });
  }
  return rows;
}

const ratio = (value: number): string => `${value.toFixed(3)}x`;

/**
 * Prints the table of one driver's rows, then the goals: the isolated client at least
 * `goal` x raw throughput on the workloads named in `goalWorkloads`, and never slower than the
 * driver's own keyPrefix.
 */
export function printRows(driver: string, rows: readonly Row[], goalWorkloads: readonly string[], goal = 0.97): void {
  const header = [driver, 'workload', 'variant', 'cmds/s', 'spread', 'CPU us/cmd', 'tput vs raw', 'tput vs keyPrefix', 'CPU vs raw', 'CPU vs keyPrefix'];
  const lines: string[][] = [header];
  for (const row of rows) {
    const { raw, keyPrefix } = row.results;
    for (const variant of VARIANTS) {
      const result = row.results[variant];
      if (!result || !raw) continue;
      const { opsPerSec, cpuUsPerOp, spread } = result;
      const againstKeyPrefix = variant === 'isolated' && keyPrefix !== undefined;
      lines.push([
        row.version,
        row.workload,
        variant,
        Math.round(opsPerSec).toLocaleString('en-US'),
        `${(spread * 100).toFixed(0)}%`,
        cpuUsPerOp.toFixed(2),
        variant === 'raw' ? '' : ratio(opsPerSec / raw.opsPerSec),
        againstKeyPrefix ? ratio(opsPerSec / keyPrefix.opsPerSec) : '',
        variant === 'raw' ? '' : ratio(cpuUsPerOp / raw.cpuUsPerOp),
        againstKeyPrefix ? ratio(cpuUsPerOp / keyPrefix.cpuUsPerOp) : '',
      ]);
    }
  }
  const widths = header.map((_, column) => Math.max(...lines.map((line) => (line[column] ?? '').length)));
  for (const line of lines) {
    const cells = line.map((cell, column) => (column < 3 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)));
    console.log(`  ${cells.join('  ')}`.trimEnd());
  }

  console.log(`\n  goals: isolated >= ${goal}x raw throughput on ${goalWorkloads.join(', ')}; isolated throughput >= keyPrefix throughput`);
  for (const row of rows) {
    const { raw, keyPrefix, isolated } = row.results;
    if (!raw || !isolated) continue;
    const vsRaw = isolated.opsPerSec / raw.opsPerSec;
    const parts = [goalWorkloads.includes(row.workload) ? `vs raw ${ratio(vsRaw)} (>= ${goal}x: ${vsRaw >= goal ? 'holds' : 'MISSED'})` : `vs raw ${ratio(vsRaw)} (no goal)`];
    if (keyPrefix) {
      const vsKeyPrefix = isolated.opsPerSec / keyPrefix.opsPerSec;
      parts.push(`vs keyPrefix ${ratio(vsKeyPrefix)} (>= 1x: ${vsKeyPrefix >= 1 ? 'holds' : 'MISSED'})`);
    } else {
      parts.push('no keyPrefix in this version');
    }
    console.log(`  ${row.version} ${row.workload.padEnd(12)}  isolated ${parts.join(', ')}`);
  }
}
