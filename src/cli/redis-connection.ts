import type * as IoredisModule from 'ioredis';
import type { Cluster, Redis } from 'ioredis';
import { redactUrl } from '../layout/validate.js';
import { CliError } from './errors.js';
import { loadOptional } from './optional-dependency.js';

/** How long one attempt to reach the server may take before the command gives up. */
const CONNECT_TIMEOUT_MS = 10_000;

/** ioredis's messages that say a connection failed, but not why. */
const GENERIC = /^(Connection is closed|Failed to refresh slots cache)/;

/** A CLI run is one attempt: no reconnection loop that would keep the process waiting for ever. */
const noRetry = (): null => null;

function checkUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError('ERR_CLI_USAGE', `--url ${JSON.stringify(redactUrl(url))} is not a valid URL (redis://[user:password@]host[:port][/db])`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new CliError('ERR_CLI_USAGE', `--url ${JSON.stringify(redactUrl(url))} must start with redis:// or rediss://`);
  }
  return parsed;
}

/**
 * Connects with ioredis (an optional peer dependency, loaded on first use) to a standalone
 * server, or to a cluster when `cluster` is set (the URL names one of its nodes). One attempt,
 * bounded by a connect timeout: an unreachable server or refused credentials fail at once.
 *
 * @throws {@link CliError} `ERR_CLI_USAGE` for a URL that is not `redis://` or `rediss://`;
 * `ERR_CLI_CONNECTION` naming the URL (password masked) and the server's answer when the
 * connection fails.
 * @example
 * ```ts
 * const redis = await connectRedis('redis://127.0.0.1:6379', { neededBy: 'isolated-redis keyspace' });
 * ```
 */
export async function connectRedis(url: string, options: { readonly neededBy: string; readonly cluster?: boolean }): Promise<Redis | Cluster> {
  const parsed = checkUrl(url);
  const { Redis: RedisClass, Cluster: ClusterClass } = loadOptional<typeof IoredisModule>('ioredis', options.neededBy);
  const common = { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: true, connectTimeout: CONNECT_TIMEOUT_MS, retryStrategy: noRetry } as const;
  let client: Redis | Cluster;
  if (options.cluster) {
    const { hostname, port, username, password, protocol } = parsed;
    client = new ClusterClass([{ host: hostname, port: Number(port || 6379) }], {
      lazyConnect: true,
      clusterRetryStrategy: noRetry,
      redisOptions: {
        connectTimeout: CONNECT_TIMEOUT_MS,
        ...(username ? { username: decodeURIComponent(username) } : {}),
        ...(password ? { password: decodeURIComponent(password) } : {}),
        ...(protocol === 'rediss:' ? { tls: {} } : {}),
      },
    });
  } else {
    client = new RedisClass(url, common);
  }
  // ioredis tells why in 'error' events (a cluster, in 'node error' events, or in the
  // `lastNodeError` of its own); the rejection of connect() often only says the connection closed.
  const reasons: Error[] = [];
  const remember = (error: Error): void => {
    reasons.push((error as { lastNodeError?: Error }).lastNodeError ?? error);
  };
  client.on('error', remember);
  if (options.cluster) client.on('node error', remember);
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    const failures = [...reasons, error as Error];
    const telling = failures.find((failure) => !GENERIC.test(failure.message)) ?? (error as Error);
    throw new CliError('ERR_CLI_CONNECTION', `cannot connect to ${redactUrl(url)}: ${telling.message.split('\n')[0]}`, { cause: telling });
  }
  // From now on a failure rejects the command that meets it; the events need a listener only
  // so that ioredis does not print them as unhandled.
  client.off('error', remember).off('node error', remember).on('error', () => {});
  return client;
}
