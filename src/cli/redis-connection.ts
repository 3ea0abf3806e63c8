import type * as IoredisModule from 'ioredis';
import type { Cluster, Redis } from 'ioredis';
import { ConnectionFailedError } from '../adapters/connection-failed-error.js';
import { ConnectAttempts, connectDriverClient, connectSettings, ioredisTarget, type ConnectOptions } from '../adapters/driver-client.js';
import { IsolationConfigError } from '../core/errors.js';
import { parseRedisUrl, type ParsedRedisUrl } from '../core/redis-url.js';
import { CliError } from './errors.js';
import { loadOptional } from './optional-dependency.js';
import { CLI_CONNECT_DEFAULTS } from './parse-flags.js';


/**
 * Options of {@link connectRedis}.
 *
 * @example
 * ```ts
 * const options: ConnectRedisOptions = { neededBy: 'isolated-redis move', flag: '--from', ...connectFlags(values) };
 * ```
 */
export interface ConnectRedisOptions extends ConnectOptions {
  /** The command, for the message when ioredis is not installed. */
  readonly neededBy: string;
  /** The URL names a Redis Cluster node: connect to the cluster. */
  readonly cluster?: boolean;
  /** How messages name the URL: the flag it came from. @defaultValue `'--url'` */
  readonly flag?: string;
}

/**
 * `url` checked as the CLI reads it: a malformed URL is the user's to fix (exit 2, with the
 * command's usage hint).
 *
 * @throws {@link CliError} `ERR_CLI_USAGE` naming the flag and the URL, password masked.
 * @example
 * ```ts
 * checkCliUrl('redis//cache', '--url'); // throws: --url "redis//cache" is not a valid URL ...
 * ```
 */
export function checkCliUrl(url: string, flag = '--url'): ParsedRedisUrl {
  try {
    return parseRedisUrl(url, flag);
  } catch (error) {
    if (error instanceof IsolationConfigError) throw new CliError('ERR_CLI_USAGE', error.message, { cause: error });
    throw error;
  }
}

/**
 * Connects with ioredis (an optional peer dependency, loaded on first use) to a standalone
 * server, or to a cluster when `cluster` is set (the URL names one of its nodes). One attempt of
 * at most 10 s by default (`connectAttempts`, `connectTimeoutMs`: the `--connect-attempts` and
 * `--connect-timeout` flags, see `connectFlags`), then it gives up; refused credentials fail at
 * once. Once connected, a lost connection fails the commands instead of reconnecting.
 *
 * @throws {@link CliError} `ERR_CLI_USAGE` for a malformed URL (checked before any attempt);
 * `ERR_CLI_CONNECTION` naming the URL (password masked) and what the last attempt met.
 * @example
 * ```ts
 * const redis = await connectRedis('redis://127.0.0.1:6379', { neededBy: 'isolated-redis keyspace' });
 * ```
 */
export async function connectRedis(url: string, options: ConnectRedisOptions): Promise<Redis | Cluster> {
  const target = checkCliUrl(url, options.flag);
  const settings = connectSettings(options, CLI_CONNECT_DEFAULTS);
  const ioredis = loadOptional<typeof IoredisModule>('ioredis', options.neededBy);
  try {
    if (!options.cluster) return (await connectDriverClient('ioredis', url, { ...settings, label: options.flag ?? '--url', reconnect: false })) as Redis;
    return await connectCluster(ioredis, target, new ConnectAttempts(target, settings));
  } catch (error) {
    if (error instanceof ConnectionFailedError) throw new CliError('ERR_CLI_CONNECTION', error.message, { cause: error });
    throw error;
  }
}

/** A cluster through the node `target` names; bounded like a standalone connection. */
async function connectCluster(ioredis: typeof IoredisModule, target: ParsedRedisUrl, attempts: ConnectAttempts): Promise<Cluster> {
  if (target.scheme === 'unix') throw new CliError('ERR_CLI_USAGE', `--url ${JSON.stringify(target.masked)}: a cluster node is named by host and port, not a Unix socket`);
  // A cluster has database 0 only: the node's options without it.
  const { host, port, db, ...redisOptions } = ioredisTarget(target);
  if (db !== 0) throw new CliError('ERR_CLI_USAGE', `--url ${JSON.stringify(target.masked)}: a cluster has database 0 only`);
  const client = new ioredis.Cluster([{ host: host as string, port: port as number }], {
    lazyConnect: true,
    clusterRetryStrategy: (times: number, reason?: Error): number | null => {
      if (attempts.connected) return null;
      if (reason) attempts.record(reason);
      // ioredis's nodes say only that their connection closed; its own words say more.
      const next = attempts.next(times, 'None of startup nodes is available');
      return typeof next === 'number' ? next : null;
    },
    redisOptions: { ...redisOptions, connectTimeout: attempts.settings.connectTimeoutMs },
  });
  // ioredis tells why in 'node error' events, or in the `lastNodeError` of its own.
  const record = (error: Error): void => attempts.record((error as { lastNodeError?: Error }).lastNodeError ?? error);
  client.on('error', record).on('node error', record);
  const deadline = attempts.settings.connectAttempts * (attempts.settings.connectTimeoutMs + 2000) + 1000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(attempts.giveUp(attempts.made, undefined, `no answer within ${deadline} ms`)), deadline);
      client.once('ready', () => resolve());
      client.once('end', () => reject(attempts.failure ?? attempts.giveUp(attempts.made, undefined)));
      client.connect().catch(() => {}); // the outcome is the 'ready' or 'end' event
    });
  } catch (error) {
    client.disconnect();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  attempts.ready();
  // From now on a failure rejects the command that meets it; the events need a listener only
  // so that ioredis does not print them as unhandled.
  client.off('error', record).off('node error', record).on('error', () => {}).on('node error', () => {});
  return client;
}
