/**
 * Views over one shared client: creation time and retained bytes per view, then the heap before
 * and after creating and dropping a million views (one command every 1,000, awaited).
 *
 * Counts shrink to fit a time and memory budget measured on a first batch (the adapters' views
 * may cost anything, today or tomorrow): the table says when they did.
 */
import { type Driver, type DriverSession } from './namespaces-drivers.js';
import { cpuNs, formatBytes, formatCount, formatMb, formatNs, msSince, printTable, retainedBytes, sized, verdict } from './namespaces-support.js';

const VIEWS = sized(100_000, 20_000);
const CHURN = sized(1_000_000, 100_000);
const PILOT = 2_000;
const COMMAND_EVERY = 1_000;
/** `BENCH_FULL=1`: every count as asked, however long it takes (the memory budget stays). */
const FULL = process.env.BENCH_FULL === '1';
const CREATE_BUDGET_NS = FULL ? Infinity : sized(6e9, 2e9);
const CHURN_BUDGET_NS = FULL ? Infinity : sized(15e9, 4e9);
const MEMORY_BUDGET = 1.5 * 2 ** 30;

const GOAL_CREATE_NS = 5_000;
const GOAL_BYTES = 512;
const GOAL_CHURN_BYTES = 5 * 2 ** 20;

interface Creation {
  readonly count: number;
  /** CPU time per view. */
  readonly nsPerView: number;
  /** Wall time per view: what the budgets are counted in (the machine may be busy). */
  readonly wallNsPerView: number;
  readonly bytesPerView: number;
}

/** Creates `names.length` views kept in an array: time and bytes retained per view. */
function createKept(session: DriverSession, names: readonly string[]): Creation {
  const views = new Array<object | null>(names.length).fill(null);
  const before = retainedBytes();
  const wall = process.hrtime.bigint();
  const start = cpuNs();
  for (let i = 0; i < names.length; i++) views[i] = session.view(names[i] as string);
  const nsPerView = (cpuNs() - start) / names.length;
  const wallNsPerView = (msSince(wall) * 1e6) / names.length;
  const bytesPerView = (retainedBytes() - before) / names.length;
  if (views[names.length - 1] === null) throw new Error('no view was created');
  return { count: names.length, nsPerView, wallNsPerView, bytesPerView };
}

const namesOf = (count: number, tag: string): string[] => Array.from({ length: count }, (_, i) => `tenant-${tag}${i}`);

/** As many views as asked, or fewer when a first batch says they would not fit the budgets. */
function affordable(target: number, nsPerView: number, bytesPerView: number, budgetNs: number): number {
  const byTime = Math.floor(budgetNs / Math.max(nsPerView, 1));
  const byMemory = Math.floor(MEMORY_BUDGET / Math.max(bytesPerView, 1));
  return Math.max(PILOT, Math.min(target, byTime, byMemory));
}

async function creation(session: DriverSession): Promise<Creation> {
  const pilot = createKept(session, namesOf(PILOT, 'w')); // also warms the JIT and any per-client state up
  return createKept(session, namesOf(affordable(VIEWS, pilot.wallNsPerView, pilot.bytesPerView, CREATE_BUDGET_NS), ''));
}

interface Churn {
  readonly count: number;
  readonly before: number;
  readonly after: number;
  readonly listenersBefore: number;
  readonly listenersAfter: number;
  readonly wallMs: number;
  readonly cpuNsPerView: number;
}

/** Creates and drops `count` views of distinct namespaces, one `get` awaited every 1,000. */
async function churnViews(session: DriverSession, count: number, tag: string): Promise<void> {
  for (let i = 0; i < count; i++) {
    const view = session.view(`tenant-${tag}${i}`);
    if (i % COMMAND_EVERY === 0) await session.get(view, 'churn');
  }
}

async function churn(session: DriverSession, kept: Creation): Promise<Churn> {
  await churnViews(session, 10_000, 'warm'); // per-client state, compiled code: not the views' to count
  const count = affordable(CHURN, kept.wallNsPerView * 1.2, kept.bytesPerView, CHURN_BUDGET_NS);
  const listenersBefore = session.listenerCount();
  const before = retainedBytes();
  const wall = process.hrtime.bigint();
  const cpu = cpuNs();
  await churnViews(session, count, 'c');
  const cpuNsPerView = (cpuNs() - cpu) / count;
  const wallMs = msSince(wall);
  const after = retainedBytes();
  return { count, before, after, listenersBefore, listenersAfter: session.listenerCount(), wallMs, cpuNsPerView };
}

/** Prints the views' tables for each driver, over one client connected to `url`. */
export async function benchNamespaceViews(drivers: readonly Driver[], url: string): Promise<void> {
  const created: [string, Creation][] = [];
  const churned: [string, Churn][] = [];
  const failed: [string, unknown][] = [];
  for (const driver of drivers) {
    try {
      const session = await driver.open(url);
      try {
        const kept = await creation(session);
        created.push([driver.name, kept]);
        churned.push([driver.name, await churn(session, kept)]);
      } finally {
        await session.close();
      }
    } catch (error) {
      failed.push([driver.name, error]);
    }
    retainedBytes();
  }

  console.log(
    `\nviews over one shared client: createIsolatedRedis({ namespace: 'tenant-<i>', namespaces: defineNamespaces({ families: ['tenant-*'] }), client })`,
  );
  console.log(`  ${formatCount(VIEWS)} views kept in an array (after ${formatCount(PILOT)} warm-up views); CPU time per view; retained = heap + external after gc, per view`);
  const rows = [['driver', 'views', 'creation / view', `goal <= ${formatNs(GOAL_CREATE_NS)}`, 'retained / view', `goal <= ${GOAL_BYTES} B`]];
  for (const [name, row] of created) {
    rows.push([
      name,
      formatCount(row.count) + (row.count < VIEWS ? ' (budget)' : ''),
      formatNs(row.nsPerView),
      verdict(row.nsPerView <= GOAL_CREATE_NS),
      formatBytes(row.bytesPerView),
      verdict(row.bytesPerView <= GOAL_BYTES),
    ]);
  }
  printTable(rows);

  console.log(`\nchurn: create and drop ${formatCount(CHURN)} views of distinct namespaces (one awaited GET every ${formatCount(COMMAND_EVERY)}), heap + external after gc`);
  const churnRows = [['driver', 'views', 'heap before', 'heap after', 'growth', 'goal <= 5 MB', 'listeners on client', 'wall', 'CPU / view']];
  for (const [name, row] of churned) {
    churnRows.push([
      name,
      formatCount(row.count) + (row.count < CHURN ? ' (budget)' : ''),
      formatMb(row.before),
      formatMb(row.after),
      formatMb(row.after - row.before),
      verdict(row.after - row.before <= GOAL_CHURN_BYTES),
      `${row.listenersBefore} -> ${row.listenersAfter}`,
      `${(row.wallMs / 1000).toFixed(1)} s`,
      formatNs(row.cpuNsPerView),
    ]);
  }
  printTable(churnRows);
  for (const [name, error] of failed) console.log(`  ${name}: FAILED, ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  const capped = created.some(([, row]) => row.count < VIEWS) || churned.some(([, row]) => row.count < CHURN);
  if (capped) {
    console.log(
      `  (budget): fewer views than asked, at the cost measured on the first ${formatCount(PILOT)}: the run keeps within ` +
        `${(CREATE_BUDGET_NS / 1e9).toFixed(0)} s for creation, ${(CHURN_BUDGET_NS / 1e9).toFixed(0)} s for the churn and ${formatMb(MEMORY_BUDGET)} of views ` +
        '(BENCH_FULL=1: no time budget)',
    );
  }
}
