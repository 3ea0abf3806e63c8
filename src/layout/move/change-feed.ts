import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { escapeGlob } from '../../core/index.js';
import { MoveError } from './errors.js';

/** A key changed on the source and not yet applied to the target, with when its change was seen. */
export interface ChangedKey {
  readonly key: Buffer;
  /** `performance.now()` when the first change since it was last applied arrived. */
  readonly since: number;
}

/** The events a live move needs: keyspace events (K), every class of change (A = g$lshzxetd). */
const NEEDED = 'Kg$lshzxetd';

/** Whether a notify-keyspace-events value reports every change of every key. */
export function sufficient(flags: string): boolean {
  const all = flags.includes('A') ? `${flags}g$lshzxetd` : flags;
  return [...NEEDED].every((flag) => all.includes(flag));
}

/**
 * Makes sure the source publishes keyspace notifications for every change (notify-keyspace-events
 * holding K and every class of A); returns the value to restore afterwards, or `undefined` when
 * nothing had to change.
 */
export async function enableKeyspaceEvents(source: Redis, shown: string): Promise<string | undefined> {
  let current: string;
  try {
    current = String(((await source.config('GET', 'notify-keyspace-events')) as string[])[1] ?? '');
  } catch (error) {
    throw new MoveError('ERR_MOVE_UNSUPPORTED', `a live move needs keyspace notifications on the source ${shown}, and CONFIG GET is refused (${(error as Error).message.split('\n')[0]}): set notify-keyspace-events to KA there`);
  }
  if (sufficient(current)) return undefined;
  try {
    await source.config('SET', 'notify-keyspace-events', `${current}KA`);
  } catch (error) {
    throw new MoveError('ERR_MOVE_UNSUPPORTED', `a live move needs keyspace notifications on the source ${shown} (notify-keyspace-events KA), and CONFIG SET is refused (${(error as Error).message.split('\n')[0]})`);
  }
  return current;
}

const FENCE = '__isolated-redis-move-fence__:';

/**
 * The source's changes to the namespace, as keyspace notifications on a subscriber connection
 * (PSUBSCRIBE `__keyspace@<db>__:<prefix>*`): every key an event names is marked changed until
 * it is taken, and remembered as touched for the switch-over's check. Redis publishes a command's
 * notifications before it replies, in order, on the one connection: a fence (a PUBLISH on a
 * channel of the pattern, naming no key) that has arrived proves every change acknowledged before
 * it was sent has arrived too. A lost subscriber connection fails the feed (changes could be missed).
 */
export class ChangeFeed {
  /** Keyspace events received. */
  events = 0;
  /** Every key an event named since the feed opened (latin1 text of its bytes as the map key). */
  readonly touched = new Map<string, Buffer>();
  failure: MoveError | undefined;
  private readonly changed = new Map<string, ChangedKey>();
  private waiters: Array<() => void> = [];
  private readonly fences = new Map<string, () => void>();
  private closing = false;

  private constructor(
    private readonly subscriber: Redis,
    private readonly channel: Buffer,
    private readonly pattern: string,
  ) {}

  /** Subscribes on `subscriber` (a connection of its own) to the namespace's events in database `db`. */
  static async open(subscriber: Redis, db: number, prefix: string): Promise<ChangeFeed> {
    const channel = `__keyspace@${db}__:`;
    const feed = new ChangeFeed(subscriber, Buffer.from(channel), `${channel}${escapeGlob(prefix)}*`);
    const fence = Buffer.from(`${prefix}${FENCE}`);
    subscriber.on('pmessageBuffer', (_pattern: Buffer, name: Buffer) => {
      const key = name.subarray(feed.channel.length);
      if (key.subarray(0, fence.length).equals(fence)) {
        const id = key.subarray(fence.length).toString();
        feed.fences.get(id)?.();
        return;
      }
      feed.events++;
      const id = key.toString('latin1');
      if (!feed.changed.has(id)) feed.changed.set(id, { key: Buffer.from(key), since: performance.now() });
      if (!feed.touched.has(id)) feed.touched.set(id, Buffer.from(key));
      feed.wake();
    });
    const lost = (): void => {
      if (feed.closing || feed.failure) return;
      feed.failure = new MoveError('ERR_MOVE_FAILED', 'the connection receiving the source\'s keyspace notifications closed: changes may have been missed; run the live move again');
      feed.wake();
    };
    subscriber.on('close', lost).on('end', lost);
    await subscriber.psubscribe(feed.pattern);
    return feed;
  }

  /** Keys changed and not yet taken. */
  get pending(): number {
    return this.changed.size;
  }

  /** Takes up to `max` changed keys, oldest change first. */
  take(max: number): ChangedKey[] {
    const taken: ChangedKey[] = [];
    for (const [id, change] of this.changed) {
      if (taken.length >= max) break;
      this.changed.delete(id);
      taken.push(change);
    }
    return taken;
  }

  /** Resolves at the next event (or failure). */
  next(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Wakes whoever waits on {@link next}. */
  wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  /**
   * Publishes a fence through `publisher` (a connection to the source) and resolves once it has
   * come back on the subscriber: every change acknowledged before this call is then marked.
   */
  async fence(publisher: Redis, db: number, prefix: string, timeoutMs = 10_000): Promise<void> {
    const id = randomUUID();
    const arrived = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fences.delete(id);
        reject(new MoveError('ERR_MOVE_FAILED', `the fence sent through the source's keyspace channel did not come back within ${timeoutMs} ms`));
      }, timeoutMs);
      this.fences.set(id, () => {
        clearTimeout(timer);
        this.fences.delete(id);
        resolve();
      });
    });
    await publisher.publish(Buffer.concat([Buffer.from(`__keyspace@${db}__:${prefix}${FENCE}`), Buffer.from(id)]), 'fence');
    await arrived;
  }

  /** Unsubscribes and closes the subscriber connection. */
  close(): void {
    this.closing = true;
    this.subscriber.disconnect();
    this.wake();
  }
}
