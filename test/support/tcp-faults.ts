import { createServer, type Socket } from 'node:net';

/**
 * A loopback TCP endpoint that fails every connection one way, counting them: what a client
 * meets when the server is down behind a proxy (`close`: accepted, then closed at once) or hung
 * (`silent`: accepted, never answered). Not a Redis: no reply is ever written.
 */
export interface FaultyEndpoint {
  readonly port: number;
  /** Connections accepted so far: the client's attempts. */
  readonly connections: number;
  stop(): Promise<void>;
}

/**
 * Starts a {@link FaultyEndpoint} on a free loopback port.
 *
 * @example
 * ```ts
 * const endpoint = await startFaultyEndpoint('close');
 * // ... connect to redis://127.0.0.1:${endpoint.port} ...
 * expect(endpoint.connections).toBe(3);
 * ```
 */
export async function startFaultyEndpoint(fault: 'close' | 'silent'): Promise<FaultyEndpoint> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.on('error', () => {});
    if (fault === 'close') {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('the faulty endpoint has no port');
  return {
    port: address.port,
    get connections() {
      return connections;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
