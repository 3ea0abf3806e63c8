import { IsolationConfigError } from '../core/index.js';
import { Instrumentation } from './instrumentation.js';
import type { InstrumentationOptions } from './options.js';
import { startPressureMonitor } from './pressure/start-monitor.js';

const isPositive = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value) && value > 0;

function validate(options: InstrumentationOptions): void {
  if (options.commandTimeoutMs !== undefined && !isPositive(options.commandTimeoutMs)) {
    throw new IsolationConfigError('`commandTimeoutMs` must be a positive number of milliseconds');
  }
  const pressure = typeof options.pressure === 'object' ? options.pressure : {};
  for (const name of ['intervalMs', 'warnRatio', 'criticalRatio', 'splitAfterMs', 'clientsRatio', 'latencySpikeFactor'] as const) {
    if (pressure[name] !== undefined && !isPositive(pressure[name])) throw new IsolationConfigError(`\`pressure.${name}\` must be a positive number`);
  }
  if ((pressure.warnRatio ?? 0.7) > (pressure.criticalRatio ?? 0.8)) {
    throw new IsolationConfigError('`pressure.warnRatio` must not be above `pressure.criticalRatio`');
  }
}

/**
 * The instrumentation of a new isolated client: validates the options and, with `pressure`,
 * starts the monitor on `client`'s connection, or on `pressure.client` (stopped when the client ends).
 *
 * @throws {@link IsolationConfigError} for invalid options, or `pressure` on a client with no single server to watch.
 */
export function createInstrumentation(namespace: string, options: InstrumentationOptions, client: object): Instrumentation {
  validate(options);
  const instr = new Instrumentation(namespace, options);
  if (options.pressure) startPressureMonitor(instr, options.pressure, client);
  return instr;
}
