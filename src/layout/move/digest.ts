import { createHash, type Hash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { elementsPerChunk, readChunks } from './chunks.js';
import type { KeyInfo } from './read-keys.js';
import { comparableMeta, readStreamEntries, readStreamMeta } from './stream.js';

const lengthPrefixed = (hash: Hash, item: Buffer): void => {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(item.length);
  hash.update(length).update(item);
};

/**
 * 64-bit hashes of a collection's elements, kept in a growing typed array (8 bytes per
 * element), so that an unordered collection read by HSCAN or SSCAN (which may repeat an
 * element) digests to the same value however it was walked: sorted, repeats dropped.
 */
class ElementHashes {
  private items = new BigUint64Array(1024);
  private size = 0;

  add(parts: readonly Buffer[]): void {
    const hash = createHash('sha256');
    for (const part of parts) lengthPrefixed(hash, part);
    if (this.size === this.items.length) {
      const grown = new BigUint64Array(this.items.length * 2);
      grown.set(this.items);
      this.items = grown;
    }
    this.items[this.size++] = hash.digest().readBigUInt64BE(0);
  }

  digest(into: Hash): void {
    const sorted = this.items.subarray(0, this.size).sort();
    const out = Buffer.alloc(8);
    let previous: bigint | undefined;
    for (const item of sorted) {
      if (item === previous) continue;
      previous = item;
      out.writeBigUInt64BE(item);
      into.update(out);
    }
  }
}

/**
 * A digest of a key's content that two servers agree on when the values are equal, whatever
 * their encodings (a listpack on one, a hash table on the other): read a chunk at a time
 * (GETRANGE, HSCAN, SSCAN, ZRANGE, LRANGE, XRANGE), never whole. Strings, lists, sorted sets and
 * stream entries are hashed in order; hashes and sets as sorted element hashes; a stream with its
 * groups, consumers and pending entries (not their idle times).
 */
export async function contentDigest(client: Redis, key: Buffer, info: KeyInfo, chunkBytes: number): Promise<string> {
  const hash = createHash('sha256').update(info.type);
  if (info.type === 'stream') {
    const per = elementsPerChunk(info, Number(await client.xlen(key)), chunkBytes);
    for await (const entries of readStreamEntries(client, key, per)) {
      for (const [id, fields] of entries) {
        lengthPrefixed(hash, id);
        hash.update(String(fields.length));
        for (const item of fields) lengthPrefixed(hash, item);
      }
    }
    hash.update(comparableMeta(await readStreamMeta(client, key, 1000)));
    return hash.digest('hex');
  }
  if (info.type === 'hash' || info.type === 'set') {
    const elements = new ElementHashes();
    const step = info.type === 'hash' ? 2 : 1;
    for await (const items of readChunks(client, key, info, chunkBytes)) {
      for (let i = 0; i < items.length; i += step) elements.add(items.slice(i, i + step));
    }
    elements.digest(hash);
    return hash.digest('hex');
  }
  for await (const items of readChunks(client, key, info, chunkBytes)) {
    items.forEach((item, i) => lengthPrefixed(hash, info.type === 'zset' && i % 2 === 1 ? normalScore(item) : item));
  }
  return hash.digest('hex');
}

/** A score as one text for one double: servers of different versions print some doubles differently. */
function normalScore(score: Buffer): Buffer {
  const text = score.toString().toLowerCase();
  const value = text === 'inf' || text === '+inf' ? Infinity : text === '-inf' ? -Infinity : Number(text);
  return Buffer.from(String(value));
}
