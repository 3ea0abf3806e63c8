import type { Redis } from 'ioredis';
import type { MoveConnector } from '../../layout/move/connect.js';
import { connectRedis } from '../redis-connection.js';

/**
 * The CLI's connections for `move`: {@link connectRedis} (one attempt of 10 s unless
 * `--connect-attempts` and `--connect-timeout` say otherwise), naming the flag the URL came from.
 */
export const cliConnector =
  (connect: { readonly connectTimeoutMs: number; readonly connectAttempts: number }): MoveConnector =>
  async (url, role) =>
    (await connectRedis(url, { neededBy: 'isolated-redis move', flag: role === 'target' ? '--to' : '--from', ...connect })) as Redis;
