import { createHash } from 'node:crypto';

const hashOf = (key: Buffer): bigint => createHash('sha1').update(key).digest().readBigUInt64BE(0);

/**
 * The keys a run wrote, as 64-bit hashes in a growing typed array (8 bytes a key: a million
 * keys in 8 MB), so that the verification can tell which of the keys it finds equal were
 * copied by this run. Two keys whose hashes collide (odds about n²/2^65) would count as one.
 */
export class WrittenKeys {
  private items = new BigUint64Array(1024);
  private size = 0;
  private sorted = true;

  add(key: Buffer): void {
    if (this.size === this.items.length) {
      const grown = new BigUint64Array(this.items.length * 2);
      grown.set(this.items);
      this.items = grown;
    }
    this.items[this.size++] = hashOf(key);
    this.sorted = false;
  }

  has(key: Buffer): boolean {
    if (!this.sorted) {
      this.items.subarray(0, this.size).sort();
      this.sorted = true;
    }
    const wanted = hashOf(key);
    let low = 0;
    let high = this.size - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const item = this.items[middle] as bigint;
      if (item === wanted) return true;
      if (item < wanted) low = middle + 1;
      else high = middle - 1;
    }
    return false;
  }

  get count(): number {
    return this.size;
  }
}
