import type { Step, VictimName } from './program.js';

/** The few typed commands a victim sends; each driver implements them with its own typed methods. */
export interface VictimApi {
  set(key: string, value: string): Promise<unknown>;
  get(key: string): Promise<unknown>;
  del(key: string): Promise<unknown>;
  lpush(key: string, value: string): Promise<unknown>;
  lrange(key: string, start: number, stop: number): Promise<unknown>;
  incr(key: string): Promise<unknown>;
  publish(channel: string, message: string): Promise<unknown>;
}

/** What the attacker's step gave back: replies that settled with a value (errors are expected and dropped). */
export interface StepOutcome {
  readonly replies: unknown[];
}

/**
 * One variant (driver, version, protocol, topology) as the property drives it: a raw client, the
 * attacker view `mcp2` and the victim views `celery` and `journal` over it, all three with
 * `namespaces: ['mcp2', 'celery', 'journal']`.
 */
export interface InterferenceEnv {
  /** Standalone or Cluster: a Cluster's PUBLISH counts only the receiving node's subscribers. */
  readonly cluster: boolean;
  victim(name: VictimName): VictimApi;
  /**
   * Subscribes `channel` on a connection of the victim's own (`duplicate()` of its view); the
   * listener gets the un-prefixed channel. Resolves once subscribed, to a function that closes it.
   */
  subscribeVictim(name: VictimName, channel: string, listener: (channel: string, message: string) => void): Promise<() => Promise<void>>;
  /** Runs one attacker step; `heard` receives every pub/sub message the attacker's listeners get. */
  runStep(step: Step, heard: (channel: string, message: string) => void): Promise<StepOutcome>;
  /** Closes what the attacker view opened (its own connections), then makes a fresh attacker view. */
  resetAttacker(): Promise<void>;
  /** The raw client: PING, GET, SET, every key on every master (SCAN), FLUSHALL (the server is this file's own). */
  rawPing(): Promise<unknown>;
  rawGet(key: string): Promise<unknown>;
  rawSet(key: string, value: string): Promise<unknown>;
  rawKeys(): Promise<string[]>;
  rawFlush(): Promise<void>;
  /** Disconnects everything this env opened. */
  close(): Promise<void>;
}

/** Rejects with `message` when `promise` has not settled within `ms`. */
export function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A step or an operation that did not settle in time. */
export class TimeoutError extends Error {}

/** Settles a value or a thrown call as a promise, so that a synchronous throw is an attacker error like any other. */
export function attempt(run: () => unknown): Promise<unknown> {
  try {
    return Promise.resolve(run());
  } catch (error) {
    return Promise.reject(error as Error);
  }
}
