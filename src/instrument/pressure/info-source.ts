import type { InfoSource } from './monitor.js';

const SECTIONS = ['memory', 'stats', 'clients'];

type Send = (...args: unknown[]) => Promise<unknown>;

/**
 * How to send `INFO memory stats clients` on the raw client's own connection (past the guard:
 * this is the library's command, not the namespace's), duck-typed for an ioredis `Redis` and a
 * node-redis client. Clusters, pools and the mock have no single server to watch: undefined.
 */
export function infoSourceOf(client: object): InfoSource | undefined {
  const candidate = client as Record<string, unknown>;
  if (candidate.isCluster === true || candidate._slots !== undefined) return undefined;
  if (typeof candidate.callBuffer === 'function' && typeof candidate.call === 'function' && candidate.addedBuiltinSet instanceof Set) {
    const call = candidate.call as Send;
    return async () => {
      // Never connects a lazy client, nor waits in its offline queue: the next interval will do.
      if (candidate.status !== 'ready') throw new Error('not connected');
      return String(await call.call(client, 'info', ...SECTIONS));
    };
  }
  if (typeof candidate._executeCommand === 'function' && typeof candidate.sendCommand === 'function') {
    const send = candidate.sendCommand as Send;
    return async () => {
      if (candidate.isReady === false) throw new Error('not connected');
      return String(await send.call(client, ['INFO', ...SECTIONS]));
    };
  }
  return undefined;
}

/** Calls `stop` once the client has ended for good (`quit()`, `disconnect()`, `close()`, `destroy()`). */
export function onClientEnd(client: object, stop: () => void): void {
  const on = (client as { once?: (event: string, listener: () => void) => unknown }).once;
  if (typeof on === 'function') on.call(client, 'end', stop);
}
