import type { InfoSource } from './monitor.js';

const SECTIONS = ['memory', 'stats', 'clients'];

type Send = (...args: unknown[]) => Promise<unknown>;
type Listen = (event: string, listener: () => void) => unknown;

/**
 * The watched client is not connected (yet, or any more): the monitor skips the sample silently,
 * since the driver reports its own connection trouble and the next `ready` brings a sample.
 */
export class NotConnectedError extends Error {
  constructor() {
    super('not connected');
    this.name = 'NotConnectedError';
  }
}

/**
 * How to send `INFO memory stats clients` on the raw client's own connection (past the guard:
 * this is the library's command, not the namespace's), duck-typed for an ioredis `Redis` (a
 * Sentinel-backed one included: its connection moves to the new master at a failover), a
 * node-redis client, and a node-redis Sentinel (sent to its current master, whichever that is at
 * each sample). Clusters, pools and the mock have no single server to watch: undefined.
 */
export function infoSourceOf(client: object): InfoSource | undefined {
  const candidate = client as Record<string, unknown>;
  if (candidate.isCluster === true || candidate._slots !== undefined) return undefined;
  if (typeof candidate.getMasterNode === 'function' && typeof candidate._execute === 'function' && typeof candidate.sendCommand === 'function') {
    const send = candidate.sendCommand as Send;
    return async () => {
      if (candidate.isReady === false) throw new NotConnectedError();
      // Not read-only: node-redis sends it to the master (a lease of its pool, for the one command).
      return String(await send.call(client, false, ['INFO', ...SECTIONS]));
    };
  }
  if (typeof candidate.callBuffer === 'function' && typeof candidate.call === 'function' && candidate.addedBuiltinSet instanceof Set) {
    const call = candidate.call as Send;
    return async () => {
      // Never connects a lazy client, nor waits in its offline queue: the next `ready` will do.
      if (candidate.status !== 'ready') throw new NotConnectedError();
      return String(await call.call(client, 'info', ...SECTIONS));
    };
  }
  if (typeof candidate._executeCommand === 'function' && typeof candidate.sendCommand === 'function') {
    const send = candidate.sendCommand as Send;
    return async () => {
      if (candidate.isReady === false) throw new NotConnectedError();
      return String(await send.call(client, ['INFO', ...SECTIONS]));
    };
  }
  return undefined;
}

/** Calls `stop` once the client has ended for good (`quit()`, `disconnect()`, `close()`, `destroy()`). */
export function onClientEnd(client: object, stop: () => void): void {
  const once = (client as { once?: Listen }).once;
  if (typeof once === 'function') once.call(client, 'end', stop);
}

/**
 * Calls `listener` each time a node-redis Sentinel reports a new master (`topology-change`,
 * `MASTER_CHANGE`): the next sample is the new master's. Returns what removes it.
 */
export function onMasterChange(client: object, listener: () => void): () => void {
  const { on, off } = client as { on?: (event: string, listener: (event: unknown) => void) => unknown; off?: (event: string, listener: (event: unknown) => void) => unknown };
  if (typeof on !== 'function') return () => undefined;
  const onTopology = (event: unknown): void => {
    if ((event as { type?: unknown } | null)?.type === 'MASTER_CHANGE') listener();
  };
  on.call(client, 'topology-change', onTopology);
  return () => {
    if (typeof off === 'function') off.call(client, 'topology-change', onTopology);
  };
}

/**
 * Calls `listener` each time the client becomes ready (its first connection, every reconnection);
 * returns what removes it. Both drivers emit `ready` once the handshake is done.
 */
export function onClientReady(client: object, listener: () => void): () => void {
  const { on, off } = client as { on?: Listen; off?: Listen };
  if (typeof on !== 'function') return () => undefined;
  on.call(client, 'ready', listener);
  return () => {
    if (typeof off === 'function') off.call(client, 'ready', listener);
  };
}
