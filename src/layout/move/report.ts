/**
 * What a move does: `copy` writes the keys the target lacks (a re-run resumes), `sync` makes
 * the target equal to the source for the namespace (changed keys rewritten, keys deleted on the
 * source deleted on the target), `verify` only compares.
 *
 * @example
 * ```ts
 * const mode: MoveMode = 'sync';
 * ```
 */
export type MoveMode = 'copy' | 'sync' | 'verify';

/**
 * The target's memory against the namespace's size, measured before anything is written.
 *
 * @example
 * ```ts
 * const { preflight } = await moveNamespace({ ...options, dryRun: true });
 * if (preflight?.verdict !== 'fits') console.error(`${preflight?.neededBytes} bytes needed, ${preflight?.targetFreeBytes} free`);
 * ```
 */
export interface MovePreflight {
  /** Keys of the namespace on the source. */
  readonly namespaceKeys: number;
  /** MEMORY USAGE of those keys, summed. */
  readonly namespaceBytes: number;
  /** MEMORY USAGE of the namespace's keys already on the target (an earlier run's). */
  readonly targetNamespaceBytes: number;
  /** What the copy adds to the target: namespaceBytes - targetNamespaceBytes, at least 0. */
  readonly neededBytes: number;
  /** The target's used_memory. */
  readonly targetUsedBytes: number;
  /** The target's maxmemory (0: none). */
  readonly targetMaxmemory: number;
  /** The target's maxmemory-policy. */
  readonly targetPolicy: string;
  /** The target host's memory (total_system_memory), the limit when maxmemory is 0. */
  readonly targetSystemMemory: number;
  /** What the target can take before it evicts, refuses writes or exhausts its host. */
  readonly targetFreeBytes: number;
  /**
   * `fits`: needed bytes (plus 10%) within the free bytes; `would-evict`: past maxmemory under
   * an eviction policy; `would-refuse-writes`: past maxmemory under noeviction (OOM errors);
   * `would-exhaust-host`: no maxmemory, past the host's memory.
   */
  readonly verdict: 'fits' | 'would-evict' | 'would-refuse-writes' | 'would-exhaust-host';
  /** The move went on despite the verdict (`force`). */
  readonly forced: boolean;
  /** The target's clock minus the source's (TIME on both), in ms: expiry times are absolute. */
  readonly clockSkewMs: number;
}

/**
 * One key that differs between source and target.
 *
 * @example
 * ```ts
 * const difference: MoveDifference = { key: 'celery:task:1', problem: 'content' };
 * ```
 */
export interface MoveDifference {
  /** The key, printable (other bytes as `\xNN`, long names shortened). */
  readonly key: string;
  /** `missing` on the target, `extra` on the target only, or what differs. */
  readonly problem: 'missing' | 'extra' | 'type' | 'ttl' | 'content';
}

/**
 * The verification's figures: every key of the namespace compared between source and target.
 *
 * @example
 * ```ts
 * const clean = (v: MoveVerification) => v.missing + v.extra + v.typeDiffers + v.ttlDiffers + v.contentDiffers === 0;
 * ```
 */
export interface MoveVerification {
  /** Source keys compared: equal + missing + typeDiffers + ttlDiffers + contentDiffers + vanished. */
  readonly checked: number;
  /** Of those, equal on the target: type, expiry (within the tolerance) and content. */
  readonly equal: number;
  readonly missing: number;
  readonly typeDiffers: number;
  readonly ttlDiffers: number;
  readonly contentDiffers: number;
  /** Keys of the namespace the target has and the source lacks. */
  readonly extra: number;
  /** Keys gone from the source between SCAN and the comparison. */
  readonly vanished: number;
  /** Of the equal keys, how many were compared by content digest (their DUMPs differed: another encoding). */
  readonly byDigest: number;
  /** The first 20 differences. */
  readonly examples: readonly MoveDifference[];
  readonly durationMs: number;
}

/**
 * What {@link moveNamespace} did (or, with `dryRun`, would do).
 *
 * @example
 * ```ts
 * const report: MoveReport = await moveNamespace(options);
 * console.log(`${report.copied} copied, ${report.skipped} already there`);
 * ```
 */
export interface MoveReport {
  readonly namespace: string;
  readonly prefix: string;
  /** Source and target URLs, passwords masked. */
  readonly from: string;
  readonly to: string;
  readonly mode: MoveMode;
  readonly dryRun: boolean;
  /** Keys of the namespace found on the source. */
  readonly scanned: number;
  /** Keys written this run and found equal on the target by the verification. */
  readonly copied: number;
  /** Keys written to the target this run (RESTORE, or in chunks). */
  readonly written: number;
  /** Of those, big keys copied in chunks under a temporary name. */
  readonly chunked: number;
  /** Keys already on the target: kept as they were (copy), or found equal (sync). */
  readonly skipped: number;
  /** Keys whose expiry alone was corrected on the target (sync). */
  readonly expiryFixed: number;
  /** Keys of the namespace deleted on the target because the source no longer has them (sync). */
  readonly deleted: number;
  /** Keys that expired or were deleted on the source between SCAN and their copy. */
  readonly vanished: number;
  /** The target's evicted_keys grew by this much during the run: a sign of lost keys. */
  readonly targetEvictedKeys: number;
  readonly interrupted: boolean;
  readonly preflight: MovePreflight | undefined;
  /** Absent in a dry run and when interrupted before it. */
  readonly verification: MoveVerification | undefined;
  readonly durationMs: number;
}

/** A report whose figures the passes fill in. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };
