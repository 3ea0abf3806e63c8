import { IsolationConfigError } from '../../core/index.js';
import type { Instrumentation } from '../instrumentation.js';
import type { PressureOptions } from '../options.js';
import { infoSourceOf, onClientEnd, onClientReady, onMasterChange } from './info-source.js';
import { PressureMonitor } from './monitor.js';

/**
 * Starts the pressure monitor of a new isolated client: on `pressure.client` when given (a
 * client of a monitoring user), else on `client`'s own connection (a Sentinel's current master).
 * It samples at once, again each time the watched client becomes ready or its Sentinel names a
 * new master, then every `intervalMs`; it stops when either client ends.
 *
 * @throws {@link IsolationConfigError} when the watched client has no single server (a cluster, a pool, the mock).
 */
export function startPressureMonitor(instr: Instrumentation, pressure: PressureOptions | true, client: object): PressureMonitor {
  const options = pressure === true ? {} : pressure;
  const watched: object = options.client ?? client;
  const source = infoSourceOf(watched);
  if (!source) {
    throw new IsolationConfigError(
      options.client === undefined
        ? '`pressure` needs a standalone ioredis or node-redis client or a node-redis Sentinel (clusters, pools and the mock have no single server to watch): ' +
            'give each node its own monitored client, or pass one as `pressure.client`'
        : '`pressure.client` must be a standalone ioredis `Redis` or node-redis client, or a node-redis Sentinel (one server to watch)',
    );
  }
  const monitor = new PressureMonitor(instr, source, options);
  const offReady = onClientReady(watched, () => void monitor.sample());
  const offMasterChange = onMasterChange(watched, () => void monitor.sample());
  const stop = (): void => {
    monitor.stop();
    offReady();
    offMasterChange();
  };
  onClientEnd(client, stop);
  if (watched !== client) onClientEnd(watched, stop);
  monitor.start();
  return monitor;
}
