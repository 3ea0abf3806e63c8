import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/**
 * A MONITOR of one or more redis-server nodes over plain sockets, so that every command the
 * server runs is seen, including the commands a Lua script issues (MONITOR shows them with the
 * source `lua`). ioredis's own monitor() splits lines on `" "` and leaves escapes in place; this
 * one decodes the server's quoting exactly, so binary arguments come back byte for byte.
 */

/** One command the server ran, as MONITOR reported it. */
export interface MonitoredCommand {
  /** The port of the node that ran it. */
  readonly port: number;
  /** `127.0.0.1:54321` for a client, `lua` for a command issued by a script. */
  readonly source: string;
  /** The command line, name first, decoded from the server's quoting. */
  readonly args: readonly Buffer[];
}

const ESCAPES: Readonly<Record<string, number>> = { n: 10, r: 13, t: 9, a: 7, b: 8, '\\': 92, '"': 34 };

/**
 * Parses one MONITOR line, `1700000000.123456 [0 127.0.0.1:5555] "set" "k" "v"`: the arguments
 * are quoted as sdscatrepr writes them (`\\`, `\"`, `\n`, `\r`, `\t`, `\a`, `\b`, `\xHH`).
 */
export function parseMonitorLine(line: string): { source: string; args: Buffer[] } | undefined {
  const header = /^\d+\.\d+ \[\d+ ([^\]]+)\] /.exec(line);
  if (!header) return undefined;
  const args: Buffer[] = [];
  let i = header[0].length;
  while (i < line.length) {
    if (line[i] === ' ') {
      i++;
      continue;
    }
    if (line[i] !== '"') throw new Error(`unexpected MONITOR line ${JSON.stringify(line)}`);
    const bytes: number[] = [];
    i++;
    while (i < line.length && line[i] !== '"') {
      const char = line[i] as string;
      if (char !== '\\') {
        bytes.push(char.charCodeAt(0));
        i++;
        continue;
      }
      const next = line[i + 1] as string;
      if (next === 'x') {
        bytes.push(parseInt(line.slice(i + 2, i + 4), 16));
        i += 4;
      } else {
        bytes.push(ESCAPES[next] ?? next.charCodeAt(0));
        i += 2;
      }
    }
    i++; // the closing quote
    args.push(Buffer.from(bytes));
  }
  return { source: header[1] as string, args };
}

/** A running MONITOR of some nodes. */
export interface Monitor {
  /**
   * Sends a marker to every node, waits until each node's MONITOR has shown it (so every
   * command sent before is in), closes the MONITOR connections and returns what they saw.
   */
  stop(): Promise<MonitoredCommand[]>;
}

/** Starts a MONITOR on each port; resolves once every node has acknowledged it. */
export async function startMonitor(ports: readonly number[]): Promise<Monitor> {
  const marker = `monitor-marker-${randomBytes(6).toString('hex')}`;
  const seen: MonitoredCommand[] = [];
  const watchers = await Promise.all(ports.map((port) => watchNode(port, marker, seen)));
  return {
    async stop() {
      await Promise.all(watchers.map((watcher) => watcher.sync()));
      watchers.forEach((watcher) => watcher.socket.destroy());
      return seen;
    },
  };
}

interface NodeWatcher {
  readonly socket: Socket;
  sync(): Promise<void>;
}

function watchNode(port: number, marker: string, seen: MonitoredCommand[]): Promise<NodeWatcher> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let buffered = '';
    let markerSeen: (() => void) | undefined;
    socket.setEncoding('latin1');
    socket.once('error', reject);
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let end: number;
      while ((end = buffered.indexOf('\r\n')) >= 0) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        if (line === '+OK') {
          resolve({ socket, sync });
          continue;
        }
        if (line.startsWith('-')) {
          reject(new Error(`MONITOR on port ${port}: ${line}`));
          continue;
        }
        const parsed = parseMonitorLine(line.slice(1));
        if (!parsed) continue;
        if (parsed.args[0]?.toString().toLowerCase() === 'echo' && parsed.args[1]?.toString() === marker) {
          markerSeen?.();
          continue;
        }
        seen.push({ port, ...parsed });
      }
    });
    socket.write('MONITOR\r\n');

    // The marker goes through a connection of its own: MONITOR shows it after everything sent before it.
    function sync(): Promise<void> {
      return new Promise((done, fail) => {
        const timer = setTimeout(() => fail(new Error(`MONITOR on port ${port} did not show the marker within 5 s`)), 5_000);
        markerSeen = () => {
          clearTimeout(timer);
          done();
        };
        const sender = connect(port, '127.0.0.1', () => sender.end(`ECHO ${marker}\r\n`));
        sender.on('data', () => sender.destroy());
        sender.once('error', fail);
      });
    }
  });
}
