import type { Redis } from 'ioredis';
import type { MoveReport, Mutable } from './report.js';
import type { Masker } from './secrets.js';
import type { WrittenKeys } from './written-keys.js';

/**
 * The part of a move a progress figure belongs to: `measure` the namespace, `copy`, `delete`
 * keys gone from the source (sync), `verify`.
 *
 * @example
 * ```ts
 * const phase: MovePhase = 'verify';
 * ```
 */
export type MovePhase = 'measure' | 'copy' | 'delete' | 'verify';

/** Limits that bound a move's memory and round trips. */
export interface MoveLimits {
  /** SCAN COUNT, and at most this many keys per round trip. */
  readonly count: number;
  /** At most about this many bytes of values (MEMORY USAGE) per round trip. */
  readonly batchBytes: number;
  /** Keys of this size (MEMORY USAGE) or more are copied and compared in chunks. */
  readonly bigKeyBytes: number;
  /** Bytes per chunk of a big key. */
  readonly chunkBytes: number;
  /** Expiry times further apart than this count as different in the verification. */
  readonly ttlToleranceMs: number;
}

/** What every pass of a move shares. */
export interface MoveContext {
  readonly source: Redis;
  readonly target: Redis;
  readonly prefix: string;
  readonly limits: MoveLimits;
  readonly mask: Masker;
  readonly report: Mutable<MoveReport>;
  readonly written: WrittenKeys;
  readonly signal: AbortSignal | undefined;
  /** Told after every batch: the phase, its count so far, and the share of the keyspace walked. */
  readonly progress: (phase: MovePhase, done: number, walked: number | undefined) => void;
}

/**
 * Splits keys into groups of at most `count` keys and about `batchBytes` bytes (a key bigger
 * than that alone in its group), in their order.
 */
export function byBytes<T>(items: readonly T[], bytesOf: (item: T) => number, limits: Pick<MoveLimits, 'count' | 'batchBytes'>): T[][] {
  const groups: T[][] = [];
  let group: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = bytesOf(item);
    if (group.length > 0 && (group.length >= limits.count || bytes + size > limits.batchBytes)) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(item);
    bytes += size;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}
