/**
 * Pub/sub with many views on one client: the time from PUBLISH (on a raw client) to the message
 * event of one subscribed view, while 3, then 10,000 views of other tenants are subscribed to
 * their own channel over the same client. What a message costs to dispatch must not depend on
 * the others.
 */
import { Redis } from 'ioredis';
import { type Driver, type DriverSession } from './namespaces-drivers.js';
import { cpuNs, formatCount, formatNs, msSince, printTable, sized, verdict } from './namespaces-support.js';

const FEW = 3;
const MANY = sized(10_000, 1_000);
const MESSAGES = sized(2_000, 500);
const ROUNDS = 10;
const WARM_UP = 3_000;
const BATCH = 250;
/** Subscribing the many views stops there: today each view may open a connection of its own. */
const SUBSCRIBE_BUDGET_MS = process.env.BENCH_FULL === '1' ? Infinity : sized(15_000, 5_000);
const GOAL_RATIO = 1.1;
const CHANNEL = 'events';

interface Dispatch {
  readonly views: number;
  /** Wall time from PUBLISH to the view's message event, per message (best round: other work on the machine only adds). */
  readonly wallNs: number;
  /**
   * CPU time of this process per message (best round), the messages published in batches of one
   * pipeline each, so that round-trip wake-ups do not drown the dispatch: the dispatch, with the
   * publishing client's share.
   */
  readonly cpuNs: number;
  /** Clients connected to redis-server (INFO clients): how many connections the views opened. */
  readonly connections: number;
  readonly subscribeMs: number;
}

async function connectedClients(probe: Redis): Promise<number> {
  return Number(/connected_clients:(\d+)/.exec(await probe.info('clients'))?.[1] ?? Number.NaN);
}

/** The measured view's message events: each awaited message must be the one just published, on the channel as the view named it. */
class Receiver {
  #expected: string | undefined;
  #settle: ((error?: Error) => void) | undefined;

  #batch: { next: number; end: number; prefix: string } | undefined;

  /** The promise of `message`'s arrival. */
  expect(message: string): Promise<void> {
    this.#expected = message;
    return new Promise<void>((resolve, reject) => {
      this.#settle = (error) => (error ? reject(error) : resolve());
    });
  }

  /** The promise of the arrival of `${prefix}0` .. `${prefix}${count - 1}`, in that order. */
  expectBatch(prefix: string, count: number): Promise<void> {
    this.#batch = { next: 0, end: count, prefix };
    return new Promise<void>((resolve, reject) => {
      this.#settle = (error) => (error ? reject(error) : resolve());
    });
  }

  readonly listener = (channel: string, message: string): void => {
    const batch = this.#batch;
    if (batch !== undefined && channel === CHANNEL && message === `${batch.prefix}${batch.next}`) {
      if (++batch.next < batch.end) return;
      this.#batch = undefined;
    } else if (batch === undefined && channel === CHANNEL && message === this.#expected) {
      this.#expected = undefined;
    } else {
      this.#batch = undefined;
      const settle = this.#settle;
      this.#settle = undefined;
      settle?.(new Error(`the view heard ${JSON.stringify([channel, message])}, which it did not expect`));
      return;
    }
    const settle = this.#settle;
    this.#settle = undefined;
    settle?.();
  };
}

const BATCH_MESSAGES = 500;

/**
 * Times MESSAGES messages to the measured view in rounds (after WARM_UP messages not counted):
 * one at a time for the wall time from PUBLISH to the message event, and in pipelined batches
 * for the CPU per message.
 */
async function dispatch(probe: Redis, receiver: Receiver): Promise<{ wallNs: number; cpuNs: number }> {
  const perRound = Math.floor(MESSAGES / ROUNDS);
  const wall: number[] = [];
  const cpu: number[] = [];
  let sequence = 0;
  for (let round = 0; round <= ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < (round === 0 ? WARM_UP : perRound); i++) {
      const message = `m${sequence++}`;
      const [receivers] = await Promise.all([probe.publish(`tenant-0:${CHANNEL}`, message), receiver.expect(message)]);
      if (receivers !== 1) throw new Error(`PUBLISH reached ${receivers} subscribers of tenant-0:${CHANNEL}, expected 1`);
    }
    if (round > 0) wall.push((msSince(start) * 1e6) / perRound);
    const startCpu = cpuNs();
    const batches = round === 0 ? 2 : Math.max(1, Math.floor(perRound / BATCH_MESSAGES) * 4);
    for (let b = 0; b < batches; b++) {
      const prefix = `b${sequence++}-`;
      const pipeline = probe.pipeline();
      for (let i = 0; i < BATCH_MESSAGES; i++) pipeline.publish(`tenant-0:${CHANNEL}`, `${prefix}${i}`);
      await Promise.all([pipeline.exec(), receiver.expectBatch(prefix, BATCH_MESSAGES)]);
    }
    if (round > 0) cpu.push((cpuNs() - startCpu) / (batches * BATCH_MESSAGES));
  }
  return { wallNs: Math.min(...wall), cpuNs: Math.min(...cpu) };
}

/** Subscribes the views of tenants `from`..`to - 1` in batches, until done or out of budget; returns how far it got. */
async function subscribeMore(session: DriverSession, views: object[], from: number, to: number, started: bigint): Promise<number> {
  const ignore = (): void => undefined;
  let next = from;
  while (next < to && msSince(started) < SUBSCRIBE_BUDGET_MS) {
    const batch: Promise<void>[] = [];
    for (const end = Math.min(to, next + BATCH); next < end; next++) {
      const view = session.view(`tenant-${next}`);
      views.push(view);
      batch.push(session.subscribe(view, CHANNEL, ignore));
    }
    await Promise.all(batch);
  }
  return next;
}

async function benchDriver(driver: Driver, url: string, probe: Redis): Promise<Dispatch[]> {
  const session = await driver.open(url);
  const views: object[] = [];
  try {
    const receiver = new Receiver();
    const measured = session.view('tenant-0');
    views.push(measured);
    await session.subscribe(measured, CHANNEL, receiver.listener);
    const results: Dispatch[] = [];
    let subscribed = 1;
    for (const target of [FEW, MANY]) {
      const started = process.hrtime.bigint();
      subscribed = await subscribeMore(session, views, subscribed, target, started);
      const subscribeMs = msSince(started);
      results.push({ views: subscribed, ...(await dispatch(probe, receiver)), connections: await connectedClients(probe), subscribeMs });
    }
    return results;
  } finally {
    for (const view of views) session.closeView(view);
    await session.close();
  }
}

/** Prints the pub/sub table for each driver, over clients connected to `url`. */
export async function benchNamespacePubSub(drivers: readonly Driver[], url: string): Promise<void> {
  const probe = new Redis(url);
  const rows = [['driver', 'subscribed views', 'connections', 'subscribe time', 'publish -> message', 'CPU / message', 'ratio (CPU)', `goal <= ${GOAL_RATIO.toFixed(2)}`]];
  let capped = false;
  const failed: [string, unknown][] = [];
  try {
    for (const driver of drivers) {
      let few: Dispatch | undefined;
      let many: Dispatch | undefined;
      try {
        [few, many] = await benchDriver(driver, url, probe);
      } catch (error) {
        failed.push([driver.name, error]);
      }
      if (!few || !many) continue;
      capped ||= many.views < MANY;
      const ratio = many.cpuNs / few.cpuNs;
      for (const row of [few, many]) {
        rows.push([
          driver.name,
          formatCount(row.views) + (row === many && row.views < MANY ? ' (budget)' : ''),
          formatCount(row.connections),
          `${(row.subscribeMs / 1000).toFixed(2)} s`,
          formatNs(row.wallNs),
          formatNs(row.cpuNs),
          row === many ? ratio.toFixed(2) : '1.00',
          row === many ? verdict(ratio <= GOAL_RATIO) : '',
        ]);
      }
    }
  } finally {
    await probe.quit();
  }
  console.log(`\npub/sub: one view (tenant-0) subscribed to '${CHANNEL}' among ${FEW} and ${formatCount(MANY)} views of other tenants, each subscribed to its own '${CHANNEL}', over one client;`);
  console.log(
    `  ${formatCount(MESSAGES)} messages published one at a time from a raw client, each awaited at the view's message event, for the wall time; ` +
      `for the CPU, pipelines of ${BATCH_MESSAGES} PUBLISH awaited whole at the view (best of ${ROUNDS} rounds, after ${formatCount(WARM_UP)} messages not counted); ` +
      'connections = clients connected to redis-server (the raw publisher and INFO probe included)',
  );
  printTable(rows);
  for (const [name, error] of failed) console.log(`  ${name}: FAILED, ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  if (capped) console.log(`  (budget): subscribing stopped after ${(SUBSCRIBE_BUDGET_MS / 1000).toFixed(0)} s (BENCH_FULL=1: no time budget)`);
}
