import type { Redis } from 'ioredis';
import { connectDriverClient, type ConnectOptions } from '../../adapters/driver-client.js';
import { IsolationConfigError } from '../../core/index.js';
import { parseRedisUrl } from '../../core/redis-url.js';
import { MoveError, attempt, firstLine } from './errors.js';
import type { Masker } from './secrets.js';
import { redactRedisUrl } from './secrets.js';

/** Which end of a move a connection serves. */
export type MoveRole = 'source' | 'target' | 'subscriber';

/**
 * Opens a connection for a move: resolves once it is ready (authenticated), rejects with the
 * server's answer otherwise. The move selects the URL's database itself and checks it.
 */
export type MoveConnector = (url: string, role: MoveRole) => Promise<Redis>;

/**
 * The library's connector: ioredis (an optional peer) through the library's own connection
 * code, the attempts and timeout of `settings`, and no reconnection once connected (a connection
 * lost in the middle of a move fails it rather than come back elsewhere).
 */
export const ioredisConnector =
  (settings: ConnectOptions): MoveConnector =>
  async (url, role) =>
    (await connectDriverClient('ioredis', url, { ...settings, label: role === 'target' ? '`to`' : '`from`', reconnect: false })) as Redis;

/** The database a URL asks for: the path (`/3`, `/01` is 1), else `?db=3`, else 0. */
export const requestedDatabase = (url: string): number => parseRedisUrl(url).db;

/** What a server says it is, read once connected. */
export interface ServerIdentity {
  readonly runId: string;
  readonly version: string;
  /** `standalone`, `cluster` or `sentinel` (INFO's redis_mode). */
  readonly mode: string;
  /** `master` or `slave`. */
  readonly role: string;
  /** The database this connection has selected, as CLIENT INFO reports it. */
  readonly db: number;
}

/** A connected, checked end of a move. */
export interface Endpoint {
  readonly client: Redis;
  readonly url: string;
  /** The URL with its passwords masked. */
  readonly shown: string;
  readonly identity: ServerIdentity;
}

const field = (info: string, name: string): string | undefined => new RegExp(`^${name}:(\\S*)`, 'm').exec(info)?.[1];

/**
 * Connects through `connector`, SELECTs the URL's database explicitly (a database the server
 * lacks fails here, not in an event nobody reads), and reads the server's identity. Every
 * failure is a {@link MoveError} `ERR_MOVE_CONNECTION` of one line, passwords masked.
 */
export async function openEndpoint(url: string, role: MoveRole, connector: MoveConnector, mask: Masker): Promise<Endpoint> {
  const shown = redactRedisUrl(url);
  const db = requestedDatabase(url);
  let client: Redis;
  try {
    client = await connector(url, role);
  } catch (error) {
    if (error instanceof IsolationConfigError || error instanceof MoveError) throw error;
    const [, attempts = '', reason = firstLine(error)] = /^cannot connect to \S+( after \d+ attempts)?: (.*)$/.exec(firstLine(error)) ?? [];
    throw new MoveError('ERR_MOVE_CONNECTION', mask(`cannot connect to the ${role} ${shown}${attempts}: ${reason}`));
  }
  try {
    const [info, replication] = await attempt(
      async () => [await client.info('server'), await client.info('replication')] as const,
      'ERR_MOVE_CONNECTION',
      `cannot read the identity of the ${role} ${shown} (INFO)`,
      mask,
    );
    if (field(info, 'redis_mode') === 'cluster') {
      throw new MoveError(
        'ERR_MOVE_UNSUPPORTED',
        `the ${role} ${shown} is a Redis Cluster node: move copies between standalone servers only (a node holds only its slots' share of a namespace)`,
      );
    }
    await attempt(() => client.select(db), 'ERR_MOVE_CONNECTION', `cannot select database ${db} on the ${role} ${shown}`, mask);
    const clientInfo = await attempt(async () => String(await client.call('CLIENT', 'INFO')), 'ERR_MOVE_CONNECTION', `cannot read the database of the ${role} ${shown} (CLIENT INFO)`, mask);
    const identity: ServerIdentity = {
      runId: field(info, 'run_id') ?? '',
      version: field(info, 'redis_version') ?? '0.0.0',
      mode: field(info, 'redis_mode') ?? 'standalone',
      role: field(replication, 'role') ?? 'master',
      db: Number(/\bdb=(\d+)/.exec(clientInfo)?.[1] ?? -1),
    };
    if (identity.db !== db) throw new MoveError('ERR_MOVE_CONNECTION', `the ${role} ${shown} is on database ${identity.db}, not ${db}`);
    return { client, url, shown, identity };
  } catch (error) {
    client.disconnect();
    throw error;
  }
}
