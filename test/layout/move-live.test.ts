import { describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startLiveMove, type LiveFigures } from '../../src/index.js';
import type { RunningRedis } from '../support/redis-server.js';
import { keyspaceOf, useMoveServers } from './move-content.js';

let shared: RunningRedis;
let celeryRedis: RunningRedis;
let source: Redis;
let target: Redis;

useMoveServers((servers) => ({ shared, celeryRedis, source, target } = servers));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const KEYS = 2000;

/**
 * A service writing to the namespace at a steady pace (ticks of 20 commands on distinct keys,
 * every 10 ms), through whichever client it is pointed at, remembering the effect of every write
 * the server acknowledged.
 */
class Writer {
  client: Redis;
  acknowledged = 0;
  readonly strings = new Map<string, string | null>();
  readonly fields = new Map<string, string>();
  counter = 0;
  private tick = 0;
  private paused: Promise<void> | undefined;
  private resume: (() => void) | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  private running = true;
  private readonly done: Promise<void>;

  constructor(client: Redis) {
    this.client = client;
    this.done = this.loop();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      if (this.paused) await this.paused;
      if (!this.running) break;
      this.inFlight = this.round();
      await this.inFlight;
      await sleep(10);
    }
  }

  private async round(): Promise<void> {
    const client = this.client;
    const seq = ++this.tick;
    const ops: Array<Promise<void>> = [];
    for (let n = 0; n < 20; n++) {
      const key = `celery:w:${(seq * 20 + n) % KEYS}`;
      const value = `${seq}.${n}`;
      const roll = (seq * 7 + n * 13) % 20;
      if (roll < 12) ops.push(client.set(key, value).then(() => void this.strings.set(key, value)));
      else if (roll < 14) ops.push(client.del(key).then(() => void this.strings.set(key, null)));
      else if (roll < 16) ops.push(client.set(key, value, 'PX', 600_000).then(() => void this.strings.set(key, value)));
      else if (roll < 18) {
        const hash = `celery:h:${n}`;
        ops.push(client.hset(hash, `f${seq % 10}`, value).then(() => void this.fields.set(`${hash} f${seq % 10}`, value)));
      } else ops.push(client.incr('celery:counter').then((count) => void (this.counter = count)));
    }
    await Promise.all(ops);
    this.acknowledged += ops.length;
  }

  /** Stops issuing commands; resolves once every command sent is acknowledged. */
  async pause(): Promise<void> {
    this.paused = new Promise((resolve) => (this.resume = resolve));
    await this.inFlight;
  }

  unpause(): void {
    const resume = this.resume;
    this.paused = undefined;
    resume?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unpause();
    await this.done;
  }

  /** Acknowledged writes whose effect the client's server does not hold. */
  async lost(on: Redis): Promise<number> {
    let lost = 0;
    for (const [key, value] of this.strings) if ((await on.get(key)) !== value) lost++;
    for (const [at, value] of this.fields) {
      const [hash, field] = at.split(' ') as [string, string];
      if ((await on.hget(hash, field)) !== value) lost++;
    }
    if (Number(await on.get('celery:counter')) !== this.counter) lost++;
    return lost;
  }
}

/** Follows the writer's load for ~2 s, then switches over; the writer ends up on the target. */
async function moveUnderLoad(writer: Writer) {
  await sleep(300);
  const live = await startLiveMove({ namespace: 'celery', from: shared.url, to: celeryRedis.url, count: 200 });
  const notifications = await source.config('GET', 'notify-keyspace-events');
  // The keys changed during the initial sync are applied first (the backlog); then the steady state.
  while (live.figures().backlog.drainMs === undefined) await sleep(10);
  // Following: how long a write acknowledged by the source takes to show on the target.
  const probes: number[] = [];
  const samples: LiveFigures[] = [];
  for (let i = 0; i < 20; i++) {
    const key = `celery:probe:${i}`;
    await source.set(key, 'p');
    const sent = performance.now();
    while ((await target.get(key)) === null) await new Promise((resolve) => setImmediate(resolve));
    probes.push(performance.now() - sent);
    samples.push(live.figures());
    await sleep(75);
  }
  const writesBefore = writer.acknowledged;
  const paused = performance.now();
  await writer.pause();
  const result = await live.switchOver();
  writer.client = target;
  writer.unpause();
  const pausedMs = performance.now() - paused;
  await sleep(500);
  await writer.stop();
  return { live, notifications, probes: probes.sort((a, b) => a - b), samples, writesBefore, result, pausedMs };
}

describe('startLiveMove', () => {
  it('follows a steady write load, switches over with every acknowledged write on the target, and measures it', async () => {
    const seed = source.pipeline();
    for (let i = 0; i < 5000; i++) seed.set(`celery:seed:${i}`, `value ${i}`);
    seed.set('mcp2:other', 'another namespace');
    await seed.exec();
    const writer = new Writer(source);
    let run: Awaited<ReturnType<typeof moveUnderLoad>>;
    try {
      run = await moveUnderLoad(writer);
    } finally {
      await writer.stop();
    }
    const { live, result, probes } = run;
    expect(live.initial.verification).toMatchObject({ missing: 0, extra: 0, contentDiffers: 0, typeDiffers: 0, ttlDiffers: 0 });
    expect(run.notifications).toEqual(['notify-keyspace-events', 'AK']);

    const lost = await writer.lost(target);
    expect(lost).toBe(0);
    expect(result.verification).toMatchObject({ missing: 0, extra: 0, contentDiffers: 0, typeDiffers: 0, ttlDiffers: 0 });
    expect(result.verification.checked).toBeGreaterThan(100);
    expect(result.applied).toBeGreaterThan(100);
    expect(writer.acknowledged).toBeGreaterThan(run.writesBefore);
    expect(await source.config('GET', 'notify-keyspace-events')).toEqual(['notify-keyspace-events', '']);
    expect(await target.exists('mcp2:other')).toBe(0);
    // What the source holds of the namespace's untouched keys, the target holds too.
    const seeds = async (client: Redis) => keyspaceOf(client, 'celery:seed:*');
    expect(await seeds(target)).toEqual(await seeds(source));

    console.log(
      `live move under load: ${writer.acknowledged} writes acknowledged (${run.writesBefore} on the source), lost ${lost}; ` +
        `write-to-target lag p50 ${probes[10]?.toFixed(2)} ms, max ${probes.at(-1)?.toFixed(2)} ms over ${probes.length} probes; ` +
        `engine lag ${JSON.stringify(result.lag)}; backlog of the initial sync ${JSON.stringify(result.backlog)}; ` +
        `switch-over: catch-up ${result.catchUpMs.toFixed(1)} ms, verify ${result.verification.checked} changed keys ${result.verifyMs.toFixed(1)} ms, ` +
        `engine window ${result.windowMs.toFixed(1)} ms, writers paused ${run.pausedMs.toFixed(1)} ms; ${result.events} events, ${result.applied} keys applied; ` +
        `pending while following max ${Math.max(...run.samples.map((sample) => sample.pending))}`,
    );
  }, 30_000);
});
