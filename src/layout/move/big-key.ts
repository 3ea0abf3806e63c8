import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { elementsPerChunk, readChunks } from './chunks.js';
import { snapshotKeys, values, type KeyInfo } from './read-keys.js';
import { readStreamEntries, readStreamMeta, writeStreamMeta } from './stream.js';

/** How long a half-copied temporary key lives if the move dies before renaming it. */
const TEMPORARY_TTL_MS = 3_600_000;

/**
 * The temporary name a big key is built under on the target: inside the namespace (an ACL
 * confining the mover to it allows it), unique per key, gone within an hour if left behind.
 */
export const temporaryKey = (prefix: string, key: Buffer): Buffer =>
  Buffer.concat([Buffer.from(`${prefix}__isolated-redis-move-tmp__:`), Buffer.from(createHash('sha1').update(key).digest('hex'))]);

/** Whether a key name is one of the move's own (a probe or a temporary key). */
export const isMoveKey = (prefix: string, key: Buffer): boolean => key.subarray(Buffer.byteLength(prefix)).toString('latin1').startsWith('__isolated-redis-move-');

/** Appends one chunk of elements to the temporary key, in the type's own write command. */
function appendChunk(target: Redis, temp: Buffer, type: string, items: Buffer[], first: boolean): Promise<unknown> {
  const pipeline = target.pipeline();
  switch (type) {
    case 'string':
      if (first) pipeline.set(temp, items[0] as Buffer);
      else pipeline.append(temp, items[0] as Buffer);
      break;
    case 'hash':
      pipeline.hset(temp, ...items);
      break;
    case 'set':
      pipeline.sadd(temp, ...items);
      break;
    case 'zset': {
      const args: Buffer[] = [];
      for (let i = 0; i + 1 < items.length; i += 2) args.push(items[i + 1] as Buffer, items[i] as Buffer);
      pipeline.zadd(temp, ...(args as unknown as [string, string]));
      break;
    }
    case 'list':
      pipeline.rpush(temp, ...items);
      break;
  }
  pipeline.pexpire(temp, TEMPORARY_TTL_MS);
  return pipeline.exec().then(values);
}

/**
 * Copies one big key a chunk at a time (never holding its value whole, never sending an
 * argument larger than a chunk) into a temporary name on the target, then, with the expiry read
 * from the source at the end, renames it over the key in one MULTI/EXEC (RENAME, then PEXPIREAT
 * or PERSIST): readers of the target see the old value or the whole new one, never a part.
 * Returns `false` when the key vanished from the source meanwhile (the temporary key is dropped).
 */
export async function copyBigKey(source: Redis, target: Redis, prefix: string, key: Buffer, info: KeyInfo, chunkBytes: number): Promise<boolean> {
  const temp = temporaryKey(prefix, key);
  await target.del(temp);
  let written = false;
  if (info.type === 'stream') {
    const per = elementsPerChunk(info, Number(await source.xlen(key)), chunkBytes);
    for await (const entries of readStreamEntries(source, key, per)) {
      const pipeline = target.pipeline();
      for (const [id, fields] of entries) pipeline.call('XADD', temp, id, ...fields);
      pipeline.pexpire(temp, TEMPORARY_TTL_MS);
      values(await pipeline.exec());
      written = true;
    }
    await writeStreamMeta(target, temp, await readStreamMeta(source, key, 1000), written);
    written = true;
  } else {
    for await (const items of readChunks(source, key, info, chunkBytes)) {
      await appendChunk(target, temp, info.type, items, !written);
      written = true;
    }
  }
  const [now] = await snapshotKeys(source, [key], () => false);
  if (!now || now.type !== info.type || !written) {
    await target.del(temp);
    return false;
  }
  const finish = target.multi().rename(temp, key);
  if (now.expireAt === -1) finish.persist(key);
  else finish.pexpireat(key, now.expireAt);
  values(await finish.exec());
  return true;
}
