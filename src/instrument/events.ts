import { EventEmitter } from 'node:events';
import type { IsolationErrorCode, RedisArg } from '../core/index.js';

/**
 * One command an isolated client ran, after its reply (or error) came back.
 *
 * @example
 * ```ts
 * const event: CommandEvent = { namespace: 'mcp2', command: 'get', durationMs: 0.4, ok: true, keys: 1 };
 * ```
 */
export interface CommandEvent {
  readonly namespace: string;
  /** The command as Redis names it, lower case; `pipeline` or `multi` for a whole batch. */
  readonly command: string;
  /** From the call to the settled reply, in milliseconds (fractional). */
  readonly durationMs: number;
  /** False when it failed: an error reply, a timeout, a lost connection. */
  readonly ok: boolean;
  /** How many keys it named (a batch: the sum over its commands). */
  readonly keys: number;
  readonly error?: Error;
}

/**
 * One refusal by the namespace guard: nothing was sent.
 *
 * @example
 * ```ts
 * redis.isolation.events.on('rejected', (event: RejectedEvent) => console.warn(event.code, event.command, event.error.message));
 * ```
 */
export interface RejectedEvent {
  readonly namespace: string;
  readonly command: string;
  readonly code: IsolationErrorCode;
  /** The offending argument, when one is to blame (never used as a metric label). */
  readonly key?: RedisArg;
  readonly error: Error;
}

/**
 * What timed out: `command` (commandTimeoutMs, or the driver's own command timeout),
 * `blocking` (a blocking command past its block time plus commandTimeoutMs), `socket` or
 * `connect` (the driver's socket and connect timeouts, as they reach a command).
 *
 * @example
 * ```ts
 * const kind: TimeoutKind = 'blocking';
 * ```
 */
export type TimeoutKind = 'command' | 'blocking' | 'socket' | 'connect';

/**
 * One command that timed out.
 *
 * @example
 * ```ts
 * const event: TimeoutEvent = { namespace: 'mcp2', command: 'get', kind: 'command', timeoutMs: 100, elapsedMs: 101, error };
 * ```
 */
export interface TimeoutEvent {
  readonly namespace: string;
  readonly command: string;
  readonly kind: TimeoutKind;
  /** The timeout that applied; undefined for a driver's own timeout (its value is the driver's). */
  readonly timeoutMs: number | undefined;
  readonly elapsedMs: number;
  readonly error: Error;
}

/**
 * `ok`, `warn` (consider splitting) or `critical` (alert).
 *
 * @example
 * ```ts
 * const level: PressureLevel = 'warn';
 * ```
 */
export type PressureLevel = 'ok' | 'warn' | 'critical';

/**
 * What a pressure report is about: the memory ratio's level changed (`memory`), keys were
 * evicted (`evictions`), connections near maxclients (`clients`), connections were rejected
 * (`rejected-connections`), this client's p99 latency spiked (`latency`), Redis answered a
 * command with an OOM, BUSY, LOADING or MISCONF error (`error-reply`), or the monitor cannot
 * read INFO (`monitor`, level `warn`: NOPERM, say; the alarms are off) or reads it again (`monitor`).
 *
 * @example
 * ```ts
 * const signal: PressureSignal = 'evictions';
 * ```
 */
export type PressureSignal = 'memory' | 'evictions' | 'clients' | 'rejected-connections' | 'latency' | 'error-reply' | 'monitor';

/**
 * The figures of one INFO sample (absent ones were not in the reply or not computable).
 *
 * @example
 * ```ts
 * const figures: PressureFigures = { usedMemory: 900_000, maxMemory: 1_000_000, ratio: 0.9, evictedKeys: 0, evictedKeysDelta: 0 };
 * ```
 */
export interface PressureFigures {
  readonly usedMemory?: number | undefined;
  /** `maxmemory`, or `total_system_memory` with `systemMemoryFallback`. */
  readonly maxMemory?: number | undefined;
  /** usedMemory / maxMemory; undefined when maxmemory is 0 (no limit) and there is no fallback. */
  readonly ratio?: number | undefined;
  readonly evictedKeys?: number | undefined;
  readonly evictedKeysDelta?: number | undefined;
  readonly connectedClients?: number | undefined;
  readonly maxClients?: number | undefined;
  readonly clientsRatio?: number | undefined;
  readonly rejectedConnectionsDelta?: number | undefined;
  readonly blockedClients?: number | undefined;
  /** From total_commands_processed deltas between samples (the whole server's load). */
  readonly opsPerSec?: number | undefined;
  /** p99 of this client's own command durations over the last interval, ms. */
  readonly p99Ms?: number | undefined;
  /** The p99 baseline (a slow moving average of past windows), ms. */
  readonly p99BaselineMs?: number | undefined;
}

/**
 * One pressure report.
 *
 * @example
 * ```ts
 * const event: PressureEvent = { namespace: 'mcp2', level: 'critical', signal: 'memory', figures: { ratio: 0.85 } };
 * ```
 */
export interface PressureEvent {
  readonly namespace: string;
  readonly level: PressureLevel;
  readonly signal: PressureSignal;
  readonly figures: PressureFigures;
  /** The level before this report, for `memory` reports. */
  readonly previousLevel?: PressureLevel;
  /** Set after a sustained `warn` (or `critical`), or latency spikes: time to give this namespace its own Redis. */
  readonly recommendation?: 'split';
  readonly reason?: string;
  /** The error reply, for `error-reply` reports. */
  readonly error?: Error;
}

/**
 * One INFO sample of the pressure monitor, whatever it shows: for metrics (gauges of the
 * memory ratio and level, the eviction counter), where {@link PressureEvent} is for alerts.
 *
 * @example
 * ```ts
 * const event: PressureSampleEvent = { namespace: 'mcp2', level: 'ok', figures: { ratio: 0.42, evictedKeysDelta: 0 } };
 * ```
 */
export interface PressureSampleEvent {
  readonly namespace: string;
  readonly level: PressureLevel;
  readonly figures: PressureFigures;
}

/**
 * The payload of each event of {@link IsolationEvents}.
 *
 * @example
 * ```ts
 * const handler = (event: IsolationEventMap['timeout']) => console.warn(event.command, event.kind);
 * ```
 */
export interface IsolationEventMap {
  command: CommandEvent;
  rejected: RejectedEvent;
  timeout: TimeoutEvent;
  pressure: PressureEvent;
  sample: PressureSampleEvent;
}

/**
 * {@link IsolationEventMap} as Node's typed EventEmitter takes it (plus its own listener events).
 *
 * @example
 * ```ts
 * type Args = IsolationEmitterMap['timeout']; // [TimeoutEvent]
 * ```
 */
export type IsolationEmitterMap = { [E in keyof IsolationEventMap]: [IsolationEventMap[E]] } & {
  newListener: [event: string | symbol, listener: unknown];
  removeListener: [event: string | symbol, listener: unknown];
};

const EVENT_NAMES: ReadonlySet<string | symbol> = new Set(['command', 'rejected', 'timeout', 'pressure', 'sample']);

/**
 * The instrumentation events of one isolated client (and its duplicates), on
 * `redis.isolation.events`. Listening costs only while someone listens: with no listener and
 * no hook, commands are not timed. A throwing listener never breaks a command.
 *
 * @example
 * ```ts
 * redis.isolation.events.on('timeout', (event) => log.warn(event, 'redis timeout'));
 * redis.isolation.events.on('pressure', (event) => event.recommendation && page(event.reason));
 * ```
 */
export class IsolationEvents extends EventEmitter<IsolationEmitterMap> {
  /** Called with `true` when the first listener comes and `false` when the last one leaves. */
  #onListening: ((listening: boolean) => void) | undefined;

  constructor(onListening?: (listening: boolean) => void) {
    super();
    this.#onListening = onListening;
    this.#watch();
  }

  /** Also removes the emitter's own bookkeeping listeners (Node's semantics): they are put back. */
  override removeAllListeners(event?: keyof IsolationEmitterMap): this {
    // Node tells "remove all" by the number of arguments, not by an undefined one.
    if (event === undefined) super.removeAllListeners();
    else super.removeAllListeners(event);
    if (event === undefined || event === 'newListener' || event === 'removeListener') this.#watch();
    this.#onListening?.(this.listening());
    return this;
  }

  #watch(): void {
    // 'newListener' comes before the listener is added: a listener of ours means listening.
    if (this.listenerCount('newListener') === 0) {
      this.on('newListener', (event: string | symbol) => {
        if (EVENT_NAMES.has(event)) this.#onListening?.(true);
      });
    }
    if (this.listenerCount('removeListener') === 0) this.on('removeListener', () => this.#onListening?.(this.listening()));
  }

  /** Whether any instrumentation event has a listener. */
  listening(): boolean {
    for (const name of EVENT_NAMES) if (this.listenerCount(name as keyof IsolationEventMap) > 0) return true;
    return false;
  }
}
