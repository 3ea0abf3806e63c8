import { isDeepStrictEqual } from 'node:util';
import { TimeoutError, within, type InterferenceEnv } from './env.js';
import { VICTIM_KEYS, secretOf, type VictimName } from './program.js';

/** The channel each victim publishes on and listens to (`celery:ch`, `journal:ch` as stored). */
export const VICTIM_CHANNEL = 'ch';

/** A victim's pub/sub bookkeeping for one program: what it published, what its subscriber heard. */
export interface Mailbox {
  published: string[];
  received: string[];
  /** Messages that were not the victim's own (channel or text of another namespace). */
  foreign: string[];
}

/**
 * A victim's loop while the attacker runs a program: write a value that encodes the namespace and
 * a counter, read it back, LPUSH/LRANGE, INCR, read the secret, PUBLISH; every reply is checked
 * against what this victim alone would get, every operation against the stall bound. Stops at the
 * first violation (a broken connection would only repeat it) or when `stopped()` says so, after
 * one whole round at least.
 */
export async function victimLoop(
  env: InterferenceEnv,
  name: VictimName,
  mailbox: Mailbox,
  stallMs: number,
  stopped: () => boolean,
  violations: string[],
): Promise<number> {
  const v = env.victim(name);
  const op = async (what: string, run: () => Promise<unknown>, expected: (reply: unknown) => boolean, shape: string): Promise<boolean> => {
    const started = performance.now();
    try {
      const reply = await within(run(), stallMs, 'stalled');
      const took = performance.now() - started;
      if (!expected(reply)) {
        violations.push(`${name} received a reply that is not its own: ${what} answered ${show(reply)}, expected ${shape}`);
        return false;
      }
      if (took > stallMs) {
        violations.push(`${name} stalled: ${what} took ${took.toFixed(0)} ms (bound ${stallMs} ms)`);
        return false;
      }
      return true;
    } catch (error) {
      violations.push(
        error instanceof TimeoutError
          ? `${name} stalled: ${what} did not answer within ${stallMs} ms`
          : `${name} got an error: ${what} rejected with ${(error as Error).name}: ${(error as Error).message}`,
      );
      return false;
    }
  };
  let rounds = 0;
  for (let n = 1; rounds === 0 || !stopped(); n++) {
    const mine = `${name}-${n}`;
    const recent = [n, n - 1, n - 2].filter((i) => i > 0).map((i) => `${name}-${i}`);
    const ok =
      (await op(`SET ${VICTIM_KEYS.value} ${mine}`, () => v.set(VICTIM_KEYS.value, mine), (r) => r === 'OK', "'OK'")) &&
      (await op(`GET ${VICTIM_KEYS.value}`, () => v.get(VICTIM_KEYS.value), (r) => r === mine, show(mine))) &&
      (await op(`LPUSH ${VICTIM_KEYS.list} ${mine}`, () => v.lpush(VICTIM_KEYS.list, mine), (r) => r === n, String(n))) &&
      (await op(`LRANGE ${VICTIM_KEYS.list} 0 2`, () => v.lrange(VICTIM_KEYS.list, 0, 2), (r) => isDeepStrictEqual(r, recent), show(recent))) &&
      (await op(`INCR ${VICTIM_KEYS.counter}`, () => v.incr(VICTIM_KEYS.counter), (r) => r === n, String(n))) &&
      (await op(`GET ${VICTIM_KEYS.secret}`, () => v.get(VICTIM_KEYS.secret), (r) => r === secretOf(name), show(secretOf(name)))) &&
      (await op(
        `PUBLISH ${VICTIM_CHANNEL} ${mine}`,
        () => {
          mailbox.published.push(mine);
          return v.publish(VICTIM_CHANNEL, mine);
        },
        // A Cluster node counts only its own subscribers; the message reaches the others all the same.
        (r) => (env.cluster ? r === 0 || r === 1 : r === 1),
        env.cluster ? '0 or 1' : '1 (its own subscriber)',
      ));
    if (!ok) break;
    rounds++;
  }
  return rounds;
}

/** Waits (up to `ms`) for the victim's subscriber to hear everything it published, then checks it heard exactly that (in order, but on a Cluster). */
export async function checkMailbox(name: VictimName, mailbox: Mailbox, ms: number, cluster: boolean, violations: string[]): Promise<void> {
  const deadline = Date.now() + ms;
  while (mailbox.received.length < mailbox.published.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  if (mailbox.foreign.length > 0) violations.push(`${name}'s subscriber heard messages not its own: ${show(mailbox.foreign.slice(0, 3))}`);
  // On a Cluster, a keyless PUBLISH goes to any node and reaches the subscriber's over the bus: order is not kept.
  const received = cluster ? [...mailbox.received].sort() : mailbox.received;
  const published = cluster ? [...mailbox.published].sort() : mailbox.published;
  if (!isDeepStrictEqual(received, published)) {
    violations.push(`${name}'s subscriber heard ${show(mailbox.received)}, it published ${show(mailbox.published)}`);
  }
}

/** A reply, briefly, for messages. */
export function show(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? String(v) : v instanceof Map ? Object.fromEntries(v) : v));
  return text === undefined ? String(value) : text.length > 200 ? `${text.slice(0, 200)}...` : text;
}
