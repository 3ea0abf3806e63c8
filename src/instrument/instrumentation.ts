import { IsolationError, type RedisArg } from '../core/index.js';
import { blockTimeMs } from '../core/blocking.js';
import { CommandTimeoutError } from './command-timeout-error.js';
import { callSafely } from './call-safely.js';
import { nativeTimeoutKind, pressureReply } from './driver-errors.js';
import { IsolationEvents, type CommandEvent, type IsolationEventMap, type PressureEvent, type PressureSampleEvent, type TimeoutKind } from './events.js';
import { LatencyWindow } from './latency-window.js';
import { safeLog } from './logger.js';
import type { InstrumentationHooks, InstrumentationOptions } from './options.js';
import { traceSettle, traceStart, tracingActive, type CommandTraceContext } from './tracing.js';

const NO_ARGS: readonly RedisArg[] = [];

/** One command on its way: settled once, by its reply or by its timeout, whichever comes first. */
interface Pending {
  readonly command: string;
  readonly keys: number;
  readonly start: number;
  readonly blocking: boolean;
  readonly trace: CommandTraceContext | undefined;
  timer: NodeJS.Timeout | undefined;
  done: boolean;
}

/**
 * The instrumentation of one isolated client (shared with its duplicates): the small interface
 * the adapters call at their interception points. With no hook, no listener, no timeout, no
 * pressure monitor and no diagnostics subscriber, {@link Instrumentation.observing} is false
 * and the adapters skip it entirely.
 *
 * @example
 * ```ts
 * if (instr.observing()) return instr.command('get', args, 1, () => send(args));
 * ```
 */
export class Instrumentation {
  #events: IsolationEvents | undefined;
  /** This client's command durations, kept only while the pressure monitor runs. */
  latency: LatencyWindow | undefined;
  private readonly hooks: InstrumentationHooks;
  private readonly timeoutMs: number | undefined;
  private readonly options: InstrumentationOptions;
  private listening = false;
  private always: boolean;

  constructor(
    readonly namespace: string,
    options: InstrumentationOptions,
  ) {
    this.options = options;
    this.hooks = options.hooks ?? {};
    this.timeoutMs = options.commandTimeoutMs;
    this.always = Boolean(this.hooks.onCommand || this.hooks.onTimeout || this.hooks.onPressure || this.timeoutMs !== undefined || options.logger);
  }

  /** The events of this client and its duplicates, created on first access: most views never listen. */
  get events(): IsolationEvents {
    return (this.#events ??= new IsolationEvents((listening) => (this.listening = listening)));
  }

  /** Whether commands must be observed now: a hook, a listener, a timeout, the monitor or an APM subscriber. */
  observing(): boolean {
    return this.always || this.listening || tracingActive();
  }

  /** Keeps command durations for the pressure monitor's p99 (and observes every command from now on). */
  keepLatency(): LatencyWindow {
    this.always = true;
    return (this.latency ??= new LatencyWindow());
  }

  /**
   * Observes one command the adapter sends with `send()`: times it, applies `commandTimeoutMs`,
   * traces it, reports it. With `cancel` (ioredis: the Command's own `reject`), a timeout rejects
   * the driver's promise itself, which is returned; without, the returned promise races the
   * driver's. Either way the driver still reads the late reply, so the connection stays in step.
   */
  command<T>(name: string, args: readonly RedisArg[], keys: number, send: () => Promise<T>, cancel?: (error: Error) => void): Promise<T> {
    const command = name.toLowerCase();
    const block = this.timeoutMs === undefined && !this.options.logger && this.latency === undefined ? undefined : blockTimeMs(command, args);
    const pending: Pending = {
      command,
      keys,
      start: performance.now(),
      blocking: block !== undefined,
      trace: tracingActive() ? traceStart(this.namespace, command, keys) : undefined,
      timer: undefined,
      done: false,
    };
    const promise = send();
    promise.then(
      (value) => this.settle(pending, undefined, value),
      (error: Error) => this.settle(pending, error, undefined),
    );
    if (this.timeoutMs === undefined || block === 0) return promise;
    const timeoutMs = (block ?? 0) + this.timeoutMs;
    const timeout = (): CommandTimeoutError => {
      const error = new CommandTimeoutError({ namespace: this.namespace, command, kind: block === undefined ? 'command' : 'blocking', timeoutMs });
      this.settle(pending, error, undefined);
      return error;
    };
    if (cancel) {
      pending.timer = setTimeout(() => cancel(timeout()), timeoutMs).unref();
      return promise;
    }
    return new Promise<T>((resolve, reject) => {
      pending.timer = setTimeout(() => reject(timeout()), timeoutMs).unref();
      promise.then(resolve, reject);
    });
  }

  /** {@link Instrumentation.command} for a whole command line, name first (node-redis's `redisArgs`). */
  commandLine<T>(argv: readonly RedisArg[], keys: number, send: () => Promise<T>): Promise<T> {
    const args = this.timeoutMs === undefined && !this.options.logger ? NO_ARGS : argv.slice(1);
    return this.command(String(argv[0]), args, keys, send);
  }

  /**
   * A pipeline or MULTI as one command. A batch that resolves can still hold error replies (an
   * ioredis pipeline's `[error, result]` pairs, a MULTI's replies): the pressure ones among them
   * (OOM, BUSY...) are reported as a failed single command's would be, once per kind and batch.
   */
  batch<T>(name: 'pipeline' | 'multi', keys: number, send: () => Promise<T>, cancel?: (error: Error) => void): Promise<T> {
    return this.command(name, NO_ARGS, keys, () => send().then((replies) => this.pressureInBatch(name, replies)), cancel);
  }

  private pressureInBatch<T>(name: string, replies: T): T {
    if (!Array.isArray(replies)) return replies;
    let reported: Set<string> | undefined;
    for (const entry of replies as unknown[]) {
      const error = entry instanceof Error ? entry : Array.isArray(entry) && entry[0] instanceof Error ? (entry[0] as Error) : undefined;
      const reply = error && pressureReply(error);
      if (!error || !reply || reported?.has(reply)) continue;
      (reported ??= new Set()).add(reply);
      this.pressureReplied(name, reply, error);
    }
    return replies;
  }

  /** Reports a refusal of the guard (anything else is ignored); returns the error, to be thrown or rejected. */
  rejected<E>(error: E): E {
    if (!(error instanceof IsolationError) || !(this.hooks.onRejected || this.listening)) return error;
    this.emit('rejected', this.hooks.onRejected, {
      namespace: this.namespace,
      command: error.command,
      code: error.code,
      ...(error.key === undefined ? {} : { key: error.key }),
      error,
    });
    return error;
  }

  /** Reports pressure (the monitor's samples, error replies) to the hook, the listeners and the logger. */
  pressure(event: PressureEvent): void {
    this.emit('pressure', this.hooks.onPressure, event);
    const level = event.level === 'critical' ? 'error' : event.level === 'warn' ? 'warn' : 'info';
    const { figures, ...rest } = event;
    safeLog(this.options.logger, level, { ...rest, ...figures, error: event.error?.message }, `redis pressure: ${event.signal} ${event.level}`);
  }

  /** Hands one sample of the pressure monitor to `onPressureSample` and `sample` listeners. */
  sample(event: PressureSampleEvent): void {
    this.emit('sample', this.hooks.onPressureSample, event);
  }

  private settle(pending: Pending, error: Error | undefined, value: unknown): void {
    if (pending.done) return;
    pending.done = true;
    if (pending.timer !== undefined) clearTimeout(pending.timer);
    const durationMs = performance.now() - pending.start;
    // A blocking command's wait is the queue being empty, not the server being slow.
    if (!pending.blocking) this.latency?.add(durationMs);
    if (pending.trace) traceSettle(pending.trace, error, value);
    if (error) this.failed(pending, error, durationMs);
    if (this.hooks.onCommand || this.listening) {
      const event: CommandEvent = error
        ? { namespace: this.namespace, command: pending.command, durationMs, ok: false, keys: pending.keys, error }
        : { namespace: this.namespace, command: pending.command, durationMs, ok: true, keys: pending.keys };
      this.emit('command', this.hooks.onCommand, event);
    }
  }

  private failed(pending: Pending, error: Error, elapsedMs: number): void {
    const kind: TimeoutKind | undefined = error instanceof CommandTimeoutError ? error.kind : nativeTimeoutKind(error);
    const { namespace } = this;
    const { command } = pending;
    if (kind) {
      const timeoutMs = error instanceof CommandTimeoutError ? error.timeoutMs : undefined;
      this.emit('timeout', this.hooks.onTimeout, { namespace, command, kind, timeoutMs, elapsedMs, error });
      safeLog(this.options.logger, 'warn', { namespace, command, kind, timeoutMs, elapsedMs }, `redis command timed out: ${command}`);
      return;
    }
    const reply = pressureReply(error);
    if (reply) {
      this.pressureReplied(command, reply, error);
    } else if (pending.blocking) {
      safeLog(this.options.logger, 'error', { namespace, command, error: error.message }, `redis blocking command failed: ${command}`);
    }
  }

  /** An OOM, BUSY, LOADING or MISCONF reply to `command`, as an `error-reply` pressure report. */
  private pressureReplied(command: string, reply: string, error: Error): void {
    this.pressure({
      namespace: this.namespace,
      level: reply === 'OOM' ? 'critical' : 'warn',
      signal: 'error-reply',
      figures: {},
      reason: `${command.toUpperCase()} got ${reply}: ${error.message}`,
      error,
    });
  }

  /** Calls the hook and each listener in its own try/catch: a throwing one never breaks a command nor silences the others. */
  private emit<E extends keyof IsolationEventMap>(name: E, hook: ((event: IsolationEventMap[E]) => void) | undefined, event: IsolationEventMap[E]): void {
    if (hook) callSafely(hook, event);
    if (!this.listening) return;
    // rawListeners: a `once` listener comes as its wrapper, which removes it when called.
    for (const listener of this.events.rawListeners(name) as unknown as Array<(event: IsolationEventMap[E]) => void>) callSafely(listener, event);
  }
}

