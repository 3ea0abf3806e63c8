import type { CommandEvent, PressureEvent, PressureSampleEvent, RejectedEvent, TimeoutEvent } from './events.js';
import type { InstrumentationLogger } from './logger.js';

/**
 * Functions called for what an isolated client does. Each runs inside try/catch: a throwing hook
 * never breaks a command. Unset hooks cost nothing.
 *
 * @example
 * ```ts
 * const hooks: InstrumentationHooks = {
 *   onCommand: (e) => histogram.observe({ command: e.command }, e.durationMs / 1000),
 *   onRejected: (e) => console.error(e.code, e.command),
 * };
 * ```
 */
export interface InstrumentationHooks {
  /** After every command (a pipeline or MULTI: once, for the whole batch). */
  readonly onCommand?: (event: CommandEvent) => void;
  /** After every refusal by the namespace guard (nothing was sent). */
  readonly onRejected?: (event: RejectedEvent) => void;
  /** After every timeout: commandTimeoutMs, and the drivers' own timeouts as they reach a command. */
  readonly onTimeout?: (event: TimeoutEvent) => void;
  /** Pressure reports of the monitor (see `pressure`) and pressure error replies (OOM, BUSY, LOADING, MISCONF). */
  readonly onPressure?: (event: PressureEvent) => void;
  /** Every sample of the pressure monitor, changed or not (what metrics gauges need). */
  readonly onPressureSample?: (event: PressureSampleEvent) => void;
}

/**
 * A standalone client the pressure monitor may send INFO on: an ioredis `Redis` or a node-redis
 * client (typed by shape, so this package's types need neither driver), of a user allowed to run
 * INFO. The library sends only `INFO memory stats clients` on it and never closes it.
 *
 * @example
 * ```ts
 * const monitoring: PressureClient = new Redis(url, { username: 'redis-monitor', password });
 * ```
 */
export type PressureClient =
  | { readonly status: string; call(command: string, ...args: string[]): Promise<unknown> }
  | { readonly isReady: boolean; sendCommand(args: string[]): Promise<unknown> };

/**
 * Options of the pressure monitor. It polls `INFO memory stats clients` (one round trip) on
 * the client's connection, or on `client`, at once, whenever that client becomes ready, and
 * every `intervalMs`.
 *
 * @example
 * ```ts
 * const pressure: PressureOptions = { intervalMs: 10_000, warnRatio: 0.7, criticalRatio: 0.8 };
 * ```
 */
export interface PressureOptions {
  /**
   * Watch the server through this client instead of the isolated client's own connection: a
   * client of a monitoring user (`isolated-redis acl --monitor-user`) when the service's user may
   * not run INFO. It must reach the same server. Not closed by the library; the monitor stops
   * when either client ends.
   * @defaultValue the isolated client's own connection
   */
  readonly client?: PressureClient;
  /** @defaultValue `10_000` */
  readonly intervalMs?: number;
  /** used_memory / maxmemory at or above which the level is `warn` ("consider splitting"). @defaultValue `0.7` */
  readonly warnRatio?: number;
  /** ... and `critical` ("alert"). @defaultValue `0.8` */
  readonly criticalRatio?: number;
  /** How far below a threshold the ratio must fall before the level drops again (no flapping). @defaultValue `0.05` */
  readonly hysteresis?: number;
  /** connected_clients / maxclients at or above which a `clients` report is made. @defaultValue `0.9` */
  readonly clientsRatio?: number;
  /** A p99 of this client's commands this many times its baseline is a `latency` spike. @defaultValue `3` */
  readonly latencySpikeFactor?: number;
  /** ... and at least this many ms (sub-millisecond noise is no spike). @defaultValue `10` */
  readonly latencySpikeMinMs?: number;
  /** How long `warn` (or worse) must last before a report carries `recommendation: 'split'`. @defaultValue `300_000` (5 min) */
  readonly splitAfterMs?: number;
  /** With `maxmemory 0` (no limit), compute the ratio against `total_system_memory`. @defaultValue `false` */
  readonly systemMemoryFallback?: boolean;
}

/**
 * The instrumentation options of `createIsolatedRedis`.
 *
 * @example
 * ```ts
 * createIsolatedRedis({ namespace: 'mcp2', client, hooks: { onTimeout: alert }, commandTimeoutMs: 2000, logger: pino() });
 * ```
 */
export interface InstrumentationOptions {
  readonly hooks?: InstrumentationHooks;
  /**
   * One timeout for every command of this client, on both drivers: from the call to the reply,
   * whether the command waits in the offline queue or has been written. Blocking commands get
   * their own block time plus this. Rejects with `CommandTimeoutError`; the late reply is
   * discarded. Off when unset.
   */
  readonly commandTimeoutMs?: number;
  /** Turns the pressure monitor on (`true` for the defaults). Off by default. */
  readonly pressure?: PressureOptions | boolean;
  /** Where timeouts, pressure changes and failed blocking commands are logged (warn/error, with the namespace). */
  readonly logger?: InstrumentationLogger;
}
