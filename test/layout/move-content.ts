import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { startRedisServer, type RunningRedis } from '../support/redis-server.js';

const hex = (value: unknown): unknown => (Buffer.isBuffer(value) ? value.toString('hex') : Array.isArray(value) ? value.map(hex) : value);
const byHex = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A key as the tests compare it, read with plain commands independently of the move's own
 * reading: type, absolute expiry, and the value in a canonical form (hashes and sets sorted;
 * streams with entries, groups, consumers and pending entries without idle times).
 */
export async function contentOf(client: Redis, key: Buffer): Promise<unknown> {
  const type = await client.type(key);
  const expireAt = Number(await client.call('PEXPIRETIME', key));
  let value: unknown;
  switch (type) {
    case 'none':
      return null;
    case 'string':
      value = hex(await client.getBuffer(key));
      break;
    case 'hash': {
      const flat = (await client.callBuffer('HGETALL', key)) as Buffer[];
      const pairs: string[] = [];
      for (let i = 0; i < flat.length; i += 2) pairs.push(`${flat[i]?.toString('hex')}=${flat[i + 1]?.toString('hex')}`);
      value = pairs.sort(byHex);
      break;
    }
    case 'set':
      value = (await client.smembersBuffer(key)).map((m) => m.toString('hex')).sort(byHex);
      break;
    case 'zset':
      value = hex(await client.zrangeBuffer(key, 0, -1, 'WITHSCORES'));
      break;
    case 'list':
      value = hex(await client.lrangeBuffer(key, 0, -1));
      break;
    case 'stream': {
      const groups = (await client.call('XINFO', 'GROUPS', key)) as unknown[][];
      value = {
        entries: hex(await client.xrangeBuffer(key, '-', '+')),
        info: ((await client.call('XINFO', 'STREAM', key)) as unknown[]).filter((_, i, all) => ['last-generated-id', 'entries-added', 'max-deleted-entry-id', 'length'].includes(String(all[i - 1]))),
        groups: await Promise.all(
          groups.map(async (group) => ({
            group: group.filter((_, i) => i % 2 === 1 && i !== 11),
            consumers: ((await client.call('XINFO', 'CONSUMERS', key, String(group[1]))) as unknown[][]).map((c) => [c[1], c[3]]),
            pending: ((await client.call('XPENDING', key, String(group[1]), '-', '+', 1000)) as unknown[][]).map(([id, consumer, , deliveries]) => [id, consumer, deliveries]),
          })),
        ),
      };
      break;
    }
    default:
      value = `unknown type ${type}`;
  }
  return { type, expireAt, value };
}

/** Every key of a pattern with its content, by the key's hex. */
export async function keyspaceOf(client: Redis, match: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  let cursor = '0';
  do {
    const [next, keys] = await client.scanBuffer(cursor, 'MATCH', match, 'COUNT', 1000);
    cursor = String(next);
    for (const key of keys) out[key.toString('hex')] = await contentOf(client, key);
  } while (cursor !== '0');
  return out;
}

/** The servers of a move test file: the shared instance, celery's own, and a raw client on each. */
export interface MoveServers {
  readonly shared: RunningRedis;
  readonly celeryRedis: RunningRedis;
  readonly source: Redis;
  readonly target: Redis;
}

/**
 * Starts the two throw-away servers of a move test file before its tests (hands them to
 * `receive`) and stops them after.
 */
export function useMoveServers(receive: (servers: MoveServers) => void): void {
  let servers: MoveServers | undefined;
  beforeAll(async () => {
    const [shared, celeryRedis] = await Promise.all([startRedisServer(), startRedisServer()]);
    servers = { shared, celeryRedis, source: new Redis(shared.url), target: new Redis(celeryRedis.url) };
    receive(servers);
  });
  afterAll(async () => {
    if (servers === undefined) return;
    servers.source.disconnect();
    servers.target.disconnect();
    await Promise.all([servers.shared.stop(), servers.celeryRedis.stop()]);
  });
}
