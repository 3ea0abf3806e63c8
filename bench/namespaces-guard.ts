/**
 * The guard with many namespaces: createGuard's time and the cost per key of
 * `rewrite('get', [key])` for 3 to 100,000 known namespaces, given as a plain list or as one
 * shared {@link NamespaceSet}, and for a family (`tenant-*`) of namespaces never listed.
 */
import { CrossNamespaceError, createGuard, defineNamespaces, type GuardOptions, type NamespaceGuard, type RedisArg } from '../src/index.js';
import { cpuNs, formatCount, formatNs, median, printTable, sized, verdict } from './namespaces-support.js';

const SIZES = [3, 1_000, 10_000, 100_000] as const;
const GOAL_RATIO = 1.1;
const KEY_COUNT = 1024; // a power of two: the loops cycle through the keys with a mask
const ROUNDS = sized(11, 3);
const ACCEPTED_ITERATIONS = sized(100_000, 20_000);
const REFUSED_ITERATIONS = sized(10_000, 2_000);

type Loop = (fn: () => unknown, iterations: number, cpu: typeof cpuNs) => number;

/** A timing loop (CPU time, see cpuNs) of its own per measured function (see ./measure.ts: a shared loop gets deoptimised). */
const freshLoop = (): Loop =>
  new Function('fn', 'iterations', 'cpuNs', 'const start = cpuNs(); for (let i = 0; i < iterations; i++) fn(); return cpuNs() - start;') as Loop;

/** The keys one kind of row cycles through, for the guard's namespace and the namespaces around it. */
interface KeyKind {
  readonly label: string;
  readonly mode: 'prefix' | 'strict';
  readonly refused: boolean;
  keys(own: string, other: (i: number) => string): string[];
}

const KINDS: readonly KeyKind[] = [
  { label: "key 'k<i>'", mode: 'prefix', refused: false, keys: () => Array.from({ length: KEY_COUNT }, (_, i) => `k${i}`) },
  { label: "key 'user:<i>'", mode: 'prefix', refused: false, keys: () => Array.from({ length: KEY_COUNT }, (_, i) => `user:${i}`) },
  { label: "strict, own 'ns:k<i>'", mode: 'strict', refused: false, keys: (own) => Array.from({ length: KEY_COUNT }, (_, i) => `${own}:k${i}`) },
  { label: 'other ns (refused)', mode: 'prefix', refused: true, keys: (_, other) => Array.from({ length: KEY_COUNT }, (_, i) => `${other(i)}:k${i}`) },
];

/** One way of giving the guard its namespaces: a list or a set of N, or the family. */
interface Config {
  readonly name: string;
  /** Which 3-namespace config its ratio is taken against. */
  readonly baseline: string;
  readonly goal: boolean;
  readonly own: string;
  other(i: number): string;
  guard(mode: 'prefix' | 'strict'): NamespaceGuard;
}

const nameList = (count: number): string[] => Array.from({ length: count }, (_, i) => `ns${i}`);

/** Another namespace than ns0 among `count`, spread over all of them. */
const otherOf = (count: number) => (i: number): string => `ns${1 + ((i * 7919) % (count - 1))}`;

function configs(): Config[] {
  const out: Config[] = [];
  for (const size of SIZES) {
    const names = nameList(size);
    const set = defineNamespaces({ namespaces: names });
    const label = formatCount(size);
    const goal = size === 100_000;
    out.push({ name: `${label}, list`, baseline: '3, list', goal, own: 'ns0', other: otherOf(size), guard: (mode) => createGuard({ namespace: 'ns0', namespaces: names, mode }) });
    out.push({ name: `${label}, set`, baseline: '3, set', goal, own: 'ns0', other: otherOf(size), guard: (mode) => createGuard({ namespace: 'ns0', namespaces: set, mode }) });
  }
  // The family's own baseline: three listed namespaces with names as long as its members', so that
  // the ratio compares lookups, not key lengths.
  const tenants = defineNamespaces({ namespaces: ['tenant-0', 'tenant-1', 'tenant-2'] });
  out.push({
    name: "3 'tenant-<i>', set",
    baseline: "3 'tenant-<i>', set",
    goal: false,
    own: 'tenant-0',
    other: (i) => `tenant-${1 + (i % 2)}`,
    guard: (mode) => createGuard({ namespace: 'tenant-0', namespaces: tenants, mode }),
  });
  const family = defineNamespaces({ families: ['tenant-*'] });
  out.push({
    name: "family 'tenant-*', set",
    baseline: "3 'tenant-<i>', set",
    goal: true,
    own: 'tenant-0',
    other: (i) => `tenant-${1 + ((i * 2_654_435_761) % 1_000_000_007)}`,
    guard: (mode) => createGuard({ namespace: 'tenant-0', namespaces: family, mode }),
  });
  return out;
}

/**
 * The function a loop times: one rewrite of the next key (a refused one caught). Built from source
 * each time, so that every row has its own type feedback: closures of one function literal share
 * theirs, and a guard built one way would deoptimise the calls of a guard built another way.
 */
function callOf(guard: NamespaceGuard, keys: readonly string[], refused: boolean): () => unknown {
  const args: RedisArg[][] = keys.map((key) => [key]);
  const call = "guard.rewrite('get', args[(i = (i + 1) & mask)])";
  const body = refused ? `try { return ${call}; } catch (error) { return error; }` : `return ${call};`;
  return new Function('guard', 'args', 'mask', `let i = 0; return () => { ${body} };`)(guard, args, KEY_COUNT - 1) as () => unknown;
}

/** Checks once, before timing, that every key of a row is accepted, or refused as another namespace's. */
function checkKeys(guard: NamespaceGuard, keys: readonly string[], refused: boolean, row: string): void {
  for (const key of keys) {
    let error: unknown;
    try {
      guard.rewrite('get', [key]);
    } catch (caught) {
      error = caught;
    }
    if (refused ? !(error instanceof CrossNamespaceError) : error !== undefined) {
      throw new Error(`${row}: key ${JSON.stringify(key)} was ${error === undefined ? 'accepted' : `refused (${String(error)})`}, expected ${refused ? 'ERR_CROSS_NAMESPACE' : 'accepted'}`);
    }
  }
}

/**
 * Nanoseconds per key for each config, one kind of key: the configs are timed in alternated
 * rounds (the first one discarded), so that drift of the machine touches every config alike, and
 * the best round counts: other processes on the machine can only add time to a round.
 */
function perKey(kind: KeyKind, all: readonly Config[]): Map<string, number> {
  const iterations = kind.refused ? REFUSED_ITERATIONS : ACCEPTED_ITERATIONS;
  const timed = all.map((config) => {
    const guard = config.guard(kind.mode);
    const keys = kind.keys(config.own, config.other);
    checkKeys(guard, keys, kind.refused, `${config.name} / ${kind.label}`);
    return { config, loop: freshLoop(), fn: callOf(guard, keys, kind.refused), samples: [] as number[] };
  });
  for (let round = 0; round <= ROUNDS; round++) {
    for (const row of timed) {
      const ns = row.loop(row.fn, iterations, cpuNs) / iterations;
      if (round > 0) row.samples.push(ns);
    }
  }
  return new Map(timed.map((row) => [row.config.name, Math.min(...row.samples)]));
}

/** Median CPU nanoseconds per call of `fn`, over samples of `calls` calls (after one discarded). */
function perCallNs(fn: () => unknown, calls: number): number {
  const samples: number[] = [];
  for (let sample = 0; sample <= 5; sample++) {
    const start = cpuNs();
    for (let i = 0; i < calls; i++) fn();
    if (sample > 0) samples.push((cpuNs() - start) / calls);
  }
  return median(samples);
}

/** CPU nanoseconds per guard created over a shared set, over `count` namespaces of it in turn. */
function perGuardNs(namespaceAt: (i: number) => string, options: Omit<GuardOptions, 'namespace'>, count: number): number {
  const namespaces = Array.from({ length: count }, (_, i) => namespaceAt(i));
  const guards = new Array<NamespaceGuard | undefined>(count);
  const run = (): number => {
    const start = cpuNs();
    for (let i = 0; i < count; i++) guards[i] = createGuard({ ...options, namespace: namespaces[i] as string });
    return (cpuNs() - start) / count;
  };
  run();
  return median([run(), run(), run()]);
}

function printCreation(): void {
  const calls = (size: number): number => Math.max(1, Math.floor(sized(30_000, 6_000) / size));
  const guardsPerRun = sized(20_000, 5_000);
  const rows: string[][] = [['known namespaces', 'createGuard, list', 'per namespace', 'defineNamespaces (once)', 'createGuard given the set']];
  for (const size of SIZES) {
    const names = nameList(size);
    const listNs = perCallNs(() => createGuard({ namespace: 'ns0', namespaces: names }), calls(size));
    const setNs = perCallNs(() => defineNamespaces({ namespaces: names }), calls(size));
    const set = defineNamespaces({ namespaces: names });
    const givenNs = perGuardNs((i) => `ns${i % size}`, { namespaces: set }, guardsPerRun);
    rows.push([formatCount(size), formatNs(listNs), formatNs(listNs / size), formatNs(setNs), formatNs(givenNs)]);
  }
  const familyList = perCallNs(() => createGuard({ namespace: 'tenant-0', namespaces: ['tenant-0'], families: ['tenant-*'] }), calls(3));
  const familySet = perCallNs(() => defineNamespaces({ families: ['tenant-*'] }), calls(3));
  const family = defineNamespaces({ families: ['tenant-*'] });
  const familyGiven = perGuardNs((i) => `tenant-${i}`, { namespaces: family }, guardsPerRun);
  rows.push(["family 'tenant-*'", formatNs(familyList), '-', formatNs(familySet), formatNs(familyGiven)]);
  console.log("\ncreateGuard with N known namespaces: 'list' = namespaces: [...] (a set is built from it each time),");
  console.log('  \'set\' = defineNamespaces once, then createGuard({ namespace, namespaces: set }) per view (median of runs of ' + formatCount(guardsPerRun) + ' guards); CPU time');
  printTable(rows);
}

function printPerKey(): void {
  const all = configs();
  const results = KINDS.map((kind) => perKey(kind, all));
  const header = ['known namespaces', ...KINDS.flatMap((kind) => [kind.label, 'x 3 ns']), `goal <= ${GOAL_RATIO.toFixed(2)}`];
  const rows: string[][] = [header];
  for (const config of all) {
    const ratios = results.map((result) => (result.get(config.name) as number) / (result.get(config.baseline) as number));
    const cells = results.flatMap((result, i) => [formatNs(result.get(config.name) as number), (ratios[i] as number).toFixed(2)]);
    rows.push([config.name, ...cells, config.goal ? verdict(ratios.every((ratio) => ratio <= GOAL_RATIO)) : '']);
  }
  console.log(`\nguard cost per key, rewrite('get', [key]) over ${KEY_COUNT} keys in turn: CPU time, best of ${ROUNDS} alternated rounds of`);
  console.log(
    `  ${formatCount(ACCEPTED_ITERATIONS)} calls (${formatCount(REFUSED_ITERATIONS)} for refused keys, each throwing a CrossNamespaceError caught in the loop);`,
  );
  console.log("  'x 3 ns' = ratio to the same key kind with 3 namespaces (list to list, set to set, the family to 3 listed 'tenant-<i>'); goal: within 10% at 100,000 and for the family");
  printTable(rows);
}

/** Prints the guard's tables: creation, then the cost per key. */
export function benchNamespaceGuard(): void {
  printCreation();
  printPerKey();
}
