import { IsolationConfigError } from '../core/index.js';
import { Instrumentation } from './instrumentation.js';
import type { InstrumentationOptions, PressureOptions } from './options.js';
import { infoSourceOf, onClientEnd } from './pressure/info-source.js';
import { PressureMonitor } from './pressure/monitor.js';

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
 * starts the monitor on `client`'s connection (stopped when the client ends).
 *
 * @throws {@link IsolationConfigError} for invalid options, or `pressure` on a client with no single server to watch.
 */
export function createInstrumentation(namespace: string, options: InstrumentationOptions, client: object): Instrumentation {
  validate(options);
  const instr = new Instrumentation(namespace, options);
  if (options.pressure) {
    const source = infoSourceOf(client);
    if (!source) {
      throw new IsolationConfigError(
        '`pressure` needs a standalone ioredis or node-redis client (clusters, pools and the mock have no single server to watch): ' +
          'give each node its own monitored client',
      );
    }
    const monitor = new PressureMonitor(instr, source, options.pressure === true ? {} : (options.pressure as PressureOptions));
    monitor.start();
    onClientEnd(client, () => monitor.stop());
  }
  return instr;
}
