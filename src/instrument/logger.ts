/**
 * Any pino-, bunyan-, winston- or console-like logger: the methods the library logs with.
 * pino's `(object, message)` order is used; `console` prints both.
 *
 * @example
 * ```ts
 * const logger: InstrumentationLogger = pino();
 * const plain: InstrumentationLogger = console;
 * ```
 */
export interface InstrumentationLogger {
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
  info?(object: object, message?: string): void;
}

/** Logs without ever throwing into the caller (a broken logger must not break a command). */
export function safeLog(logger: InstrumentationLogger | undefined, level: 'warn' | 'error' | 'info', object: object, message: string): void {
  if (!logger) return;
  try {
    const log = logger[level] ?? logger.warn;
    log.call(logger, object, message);
  } catch {
    // ignored: logging is best effort
  }
}
