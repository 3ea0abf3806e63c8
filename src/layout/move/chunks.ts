import type { Redis } from 'ioredis';
import type { KeyInfo } from './read-keys.js';

/** Types read in chunks by {@link readChunks} (streams have their own reader). */
export const CHUNKED_TYPES = ['string', 'hash', 'set', 'zset', 'list'] as const;

/** How many elements of a collection make about `chunkBytes`, from its size and length. */
export function elementsPerChunk(info: KeyInfo, length: number, chunkBytes: number): number {
  const average = length > 0 ? Math.max(1, info.bytes / length) : 1;
  return Math.max(1, Math.min(10_000, Math.floor(chunkBytes / average)));
}

async function lengthOf(client: Redis, key: Buffer, type: string): Promise<number> {
  switch (type) {
    case 'string':
      return client.strlen(key);
    case 'hash':
      return client.hlen(key);
    case 'set':
      return client.scard(key);
    case 'zset':
      return client.zcard(key);
    case 'list':
      return client.llen(key);
    default:
      return 0;
  }
}

/**
 * A big key's value, a chunk of about `chunkBytes` at a time, never whole: a string by GETRANGE
 * (one buffer per chunk), a hash by HSCAN (field, value, field, value...), a set by SSCAN, a
 * sorted set by ZRANGE WITHSCORES over ranks (member, score...), a list by LRANGE. HSCAN and
 * SSCAN may repeat an element; readers that count must tolerate it (writers do: HSET and SADD
 * are idempotent). A key that changes while it is read yields a mix; the caller checks the
 * result (verification) or reads again (live mode).
 */
export async function* readChunks(client: Redis, key: Buffer, info: KeyInfo, chunkBytes: number): AsyncGenerator<Buffer[]> {
  const length = await lengthOf(client, key, info.type);
  if (info.type === 'string') {
    if (length === 0) yield [Buffer.alloc(0)];
    for (let start = 0; start < length; start += chunkBytes) yield [await client.getrangeBuffer(key, start, Math.min(start + chunkBytes, length) - 1)];
    return;
  }
  const per = elementsPerChunk(info, length, chunkBytes);
  if (info.type === 'hash' || info.type === 'set') {
    let cursor = '0';
    do {
      const [next, items] = info.type === 'hash' ? await client.hscanBuffer(key, cursor, 'COUNT', per) : await client.sscanBuffer(key, cursor, 'COUNT', per);
      cursor = String(next);
      if (items.length > 0) yield items;
    } while (cursor !== '0');
    return;
  }
  for (let start = 0; start < length; start += per) {
    const items = info.type === 'zset' ? await client.zrangeBuffer(key, start, start + per - 1, 'WITHSCORES') : await client.lrangeBuffer(key, start, start + per - 1);
    if (items.length === 0) return;
    yield items;
  }
}
