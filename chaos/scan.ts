/**
 * The raw SCAN of every data node (masters and replicas, every database that has keys), past the
 * library: each key must belong to a worker of its namespace on that topology.
 */
import { Redis } from 'ioredis';
import type { Checker, TopologyName } from './checks.js';
import { ADMIN_NAME } from './faults.js';

export interface ScanOutcome {
  readonly nodes: number;
  readonly keys: number;
  /** Nodes that could not be scanned (down, loading, paused past the timeout), with the reason. */
  readonly skipped: string[];
}

export class RawScanner {
  private readonly connections = new Map<string, Redis>();

  constructor(private readonly checker: Checker) {}

  /** A raw admin connection to `port`, database `db`: named so that CLIENT KILL spares it, failing fast when the node is down. */
  private connection(port: number, db: number): Redis {
    const id = `${port}/${db}`;
    let connection = this.connections.get(id);
    if (!connection) {
      connection = new Redis({
        host: '127.0.0.1',
        port,
        db,
        connectionName: ADMIN_NAME,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        commandTimeout: 5000,
        retryStrategy: () => 200,
      });
      connection.on('error', () => undefined);
      this.connections.set(id, connection);
    }
    return connection;
  }

  private async ready(connection: Redis): Promise<void> {
    if (connection.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('not connected within 3 s')), 3000);
      connection.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Scans one node; resolves with its key count, rejects when the node cannot be scanned whole. */
  async scanNode(topology: TopologyName, port: number): Promise<number> {
    const base = this.connection(port, 0);
    await this.ready(base);
    const keyspace = await base.info('keyspace');
    const dbs = [...keyspace.matchAll(/^db(\d+):keys=/gm)].map((match) => Number(match[1]));
    let keys = 0;
    for (const db of dbs) {
      const connection = db === 0 ? base : this.connection(port, db);
      await this.ready(connection);
      let cursor = '0';
      do {
        const [next, batch] = await connection.scan(cursor, 'COUNT', 1000);
        cursor = next;
        for (const key of batch) this.checker.checkRawKey(topology, `127.0.0.1:${port} db${db}`, key);
        keys += batch.length;
      } while (cursor !== '0');
    }
    return keys;
  }

  async scan(topology: TopologyName, ports: readonly number[]): Promise<ScanOutcome> {
    let keys = 0;
    const skipped: string[] = [];
    for (const port of ports) {
      try {
        keys += await this.scanNode(topology, port);
      } catch (error) {
        skipped.push(`${topology} 127.0.0.1:${port}: ${(error as Error).message}`);
      }
    }
    return { nodes: ports.length - skipped.length, keys, skipped };
  }

  close(): void {
    for (const connection of this.connections.values()) connection.disconnect();
    this.connections.clear();
  }
}
