import type { Redis } from 'ioredis';
import { createDriverClient } from '../adapters/driver-client.js';
import { IsolationConfigError, escapeGlob, namespacePrefix, type PrefixRule } from '../core/index.js';
import { checkRedisUrl, redactUrl } from './validate.js';

/**
 * Options of {@link moveNamespace}.
 *
 * @example
 * ```ts
 * const options: MoveOptions = { namespace: 'celery', from: 'redis://shared:6379/0', to: 'redis://celery-redis:6379/0' };
 * ```
 */
export interface MoveOptions extends PrefixRule {
  readonly namespace: string;
  /** URL of the instance the namespace lives on now. */
  readonly from: string;
  /** URL of its new instance. */
  readonly to: string;
  /** Count the keys to copy, write nothing. @defaultValue `false` */
  readonly dryRun?: boolean;
  /** Overwrite keys the target already has (by default they are kept and counted as skipped). @defaultValue `false` */
  readonly replace?: boolean;
  /** SCAN COUNT, and so keys per round trip. @defaultValue `500` */
  readonly count?: number;
  /** Stops the copy after the batch in flight; the report says `interrupted`. */
  readonly signal?: AbortSignal;
  /**
   * Called after every batch with the figures so far, and `position.walked`: the share of the
   * source's keyspace SCAN has walked (0..1, from its cursor), so `scanned / walked` estimates
   * the namespace's key count; `undefined` where the cursor does not tell (a server whose
   * cursors are not plain reverse-binary hash-table cursors).
   */
  readonly onProgress?: (progress: MoveReport, position: { readonly walked: number | undefined }) => void;
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
  /** Source and target URLs, passwords hidden. */
  readonly from: string;
  readonly to: string;
  readonly dryRun: boolean;
  /** Keys of the namespace found on the source. */
  readonly scanned: number;
  /** Keys written to the target. */
  readonly copied: number;
  /** Keys the target already had (from an earlier, interrupted run), left as they were. */
  readonly skipped: number;
  /** Keys that expired or were deleted on the source between SCAN and DUMP. */
  readonly vanished: number;
  readonly interrupted: boolean;
  readonly durationMs: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Copies every key of one namespace from one Redis instance to another, the runbook's "split":
 * SCAN of the namespace's prefix on the source (never KEYS), DUMP with PTTL, RESTORE on the
 * target with the remaining time to live; then point the namespace's URL at the target. Other
 * namespaces are not touched, and the source keeps its keys (delete them once the services use
 * the new instance). A run is resumable: keys the target already has are skipped (unless
 * `replace`), so running again after an interruption copies the rest. Standalone instances
 * only: for a Cluster, run it per master.
 *
 * @throws {@link IsolationConfigError} for invalid URLs or source and target being the same.
 * @example
 * ```ts
 * const report = await moveNamespace({
 *   namespace: 'celery',
 *   from: 'redis://shared-redis:6379/0',
 *   to: 'redis://celery-redis:6379/0',
 *   onProgress: (p) => console.error(`${p.scanned} scanned, ${p.copied} copied`),
 * });
 * ```
 */
export async function moveNamespace(options: MoveOptions): Promise<MoveReport> {
  const from = checkRedisUrl(options.from, 'move: `from`');
  const to = checkRedisUrl(options.to, 'move: `to`');
  if (sameDatabase(from, to)) throw new IsolationConfigError('move: `from` and `to` are the same database of the same instance');
  const count = options.count ?? 500;
  if (!Number.isInteger(count) || count < 1) throw new IsolationConfigError('move: `count` must be a positive integer');
  const prefix = namespacePrefix(options.namespace, options);
  const report: Mutable<MoveReport> = {
    namespace: options.namespace,
    prefix,
    from: redactUrl(from),
    to: redactUrl(to),
    dryRun: options.dryRun ?? false,
    scanned: 0,
    copied: 0,
    skipped: 0,
    vanished: 0,
    interrupted: false,
    durationMs: 0,
  };
  const started = performance.now();
  const source = createDriverClient('ioredis', from) as Redis;
  const target = report.dryRun ? undefined : (createDriverClient('ioredis', to) as Redis);
  try {
    if (target) await assertDistinct(source, target, from, to);
    const match = `${escapeGlob(prefix)}*`;
    const walked = scanPosition();
    let cursor = '0';
    do {
      if (options.signal?.aborted) {
        report.interrupted = true;
        break;
      }
      const [next, keys] = await source.scanBuffer(cursor, 'MATCH', match, 'COUNT', count);
      cursor = String(next);
      report.scanned += keys.length;
      if (target && keys.length > 0) await copyBatch(source, target, keys, options.replace ?? false, report);
      report.durationMs = performance.now() - started;
      options.onProgress?.({ ...report }, { walked: walked(cursor) });
    } while (cursor !== '0');
  } finally {
    source.disconnect();
    target?.disconnect();
  }
  report.durationMs = performance.now() - started;
  return report;
}

/**
 * The share of the keyspace a SCAN has walked, read from its cursor. Redis walks its hash table
 * in reverse-binary order: the cursor's bits reversed, over 64 bits, count up from 0 to 2^64 as
 * the walk goes, whatever the table's size, so their value divided by 2^64 is the share of
 * buckets visited. A cursor that goes backwards in that reading (a server whose cursors also
 * encode something else, such as a slot) turns the reading off for the rest of the walk.
 */
function scanPosition(): (cursor: string) => number | undefined {
  let last = 0;
  let readable = true;
  return (cursor) => {
    if (!readable) return undefined;
    if (cursor === '0') return 1;
    let value = BigInt(cursor);
    let reversed = 0n;
    for (let bit = 0; bit < 64; bit++) {
      reversed = (reversed << 1n) | (value & 1n);
      value >>= 1n;
    }
    const share = Number(reversed) / 2 ** 64;
    if (share < last) readable = false;
    last = share;
    return readable ? share : undefined;
  };
}

/** Host, port and database of a checked URL, with the defaults filled in. */
const database = (url: string): string => {
  const { hostname, port, pathname } = new URL(url);
  return `${hostname}:${port || '6379'}/${pathname.replace(/^\//, '') || '0'}`;
};
const sameDatabase = (a: string, b: string): boolean => database(a) === database(b);

/**
 * Two URLs can name one server (`127.0.0.1` and `localhost`, a service name and a host port):
 * the servers' run ids tell. Copying a database onto itself would report keys as copied that
 * are the only copy, and the next step (deleting them from the source) would lose them.
 */
async function assertDistinct(source: Redis, target: Redis, from: string, to: string): Promise<void> {
  const runId = async (client: Redis): Promise<string | undefined> => /^run_id:(\S+)/m.exec(await client.info('server'))?.[1];
  const [a, b] = await Promise.all([runId(source), runId(target)]);
  if (a !== undefined && a === b && dbOf(from) === dbOf(to)) {
    throw new IsolationConfigError(`move: ${redactUrl(from)} and ${redactUrl(to)} are the same database of the same server (run_id ${a})`);
  }
}

const dbOf = (url: string): string => new URL(url).pathname.replace(/^\//, '') || '0';

/** DUMP and PTTL of `keys` in one round trip, then RESTORE of those still there in another. */
async function copyBatch(source: Redis, target: Redis, keys: Buffer[], replace: boolean, report: Mutable<MoveReport>): Promise<void> {
  const read = source.pipeline();
  for (const key of keys) read.pttl(key).dumpBuffer(key);
  const replies = (await read.exec()) ?? [];
  const write = target.pipeline();
  let writes = 0;
  keys.forEach((key, i) => {
    const [ttlError, ttl] = replies[2 * i] ?? [];
    const [dumpError, dump] = replies[2 * i + 1] ?? [];
    if (ttlError || dumpError) throw ttlError ?? dumpError;
    // -2: gone; 0: expiring this very millisecond (RESTORE with 0 would make it persistent).
    if (dump === null || ttl === -2 || ttl === 0) {
      report.vanished++;
      return;
    }
    const args: Array<string | number | Buffer> = [key, Math.max(Number(ttl), 0), dump as Buffer];
    if (replace) args.push('REPLACE');
    write.call('RESTORE', ...args);
    writes++;
  });
  if (writes === 0) return;
  for (const [error] of (await write.exec()) ?? []) {
    if (!error) report.copied++;
    else if (/^BUSYKEY/.test(error.message)) report.skipped++;
    else throw error;
  }
}
