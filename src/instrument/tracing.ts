import diagnostics from 'node:diagnostics_channel';


/**
 * The context published on the `isolated-redis:command` TracingChannel. Arguments are not
 * included (they hold keys and values); `keys` counts the keys.
 *
 * @example
 * ```ts
 * import diagnostics_channel from 'node:diagnostics_channel';
 * const ignore = (): void => undefined;
 * diagnostics_channel.tracingChannel('isolated-redis:command').subscribe({
 *   start: ignore,
 *   end: ignore,
 *   asyncStart: ignore,
 *   asyncEnd: (ctx) => console.log((ctx as CommandTraceContext).namespace, (ctx as CommandTraceContext).command),
 *   error: ignore,
 * });
 * ```
 */
export interface CommandTraceContext {
  readonly namespace: string;
  readonly command: string;
  readonly keys: number;
  /** Set on `asyncEnd` when the command succeeded. */
  result?: unknown;
  /** Set on `error` and `asyncEnd` when it failed. */
  error?: Error;
}

/**
 * The channel's name, for `diagnostics_channel.tracingChannel(...)`.
 *
 * @example
 * ```ts
 * import diagnostics_channel from 'node:diagnostics_channel';
 * const log = (ctx: unknown): void => console.log(ctx);
 * diagnostics_channel.tracingChannel(COMMAND_CHANNEL).subscribe({ start: log, end: log, asyncStart: log, asyncEnd: log, error: log });
 * ```
 */
export const COMMAND_CHANNEL = 'isolated-redis:command';

/** The TracingChannel every isolated client publishes on; typed loosely so that Node 20.0's typings do. */
export const commandChannel = diagnostics.tracingChannel<string, CommandTraceContext & object>(COMMAND_CHANNEL);

/** Whether an APM tool listens: checked per command, a property read. */
export const tracingActive = (): boolean =>
  commandChannel.start.hasSubscribers ||
  commandChannel.end.hasSubscribers ||
  commandChannel.asyncStart.hasSubscribers ||
  commandChannel.asyncEnd.hasSubscribers ||
  commandChannel.error.hasSubscribers;

/** Publishes `start` (call before sending) and returns the context to settle. */
export function traceStart(namespace: string, command: string, keys: number): CommandTraceContext {
  const context: CommandTraceContext = { namespace, command, keys };
  commandChannel.start.publish(context);
  commandChannel.end.publish(context);
  return context;
}

/** Publishes the settled command: `error` when it failed, then `asyncStart` and `asyncEnd`. */
export function traceSettle(context: CommandTraceContext, error: Error | undefined, result?: unknown): void {
  if (error) {
    context.error = error;
    commandChannel.error.publish(context);
  } else {
    context.result = result;
  }
  commandChannel.asyncStart.publish(context);
  commandChannel.asyncEnd.publish(context);
}

