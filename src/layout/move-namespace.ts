import { ioredisConnector } from './move/connect.js';
import { runLiveMove, type LiveMove, type LiveMoveOptions } from './move/live.js';
import { runMove, type MoveOptions } from './move/run.js';
import type { MoveReport } from './move/report.js';

export { MoveError, type MoveErrorCode } from './move/errors.js';
export type { MoveDifference, MoveMode, MovePreflight, MoveReport, MoveVerification } from './move/report.js';
export type { MoveOptions, MovePosition } from './move/run.js';
export type { MovePhase } from './move/context.js';
export type { LiveFigures, LiveLag, LiveMove, LiveMoveOptions, LiveMoveReport } from './move/live.js';

/**
 * Moves one namespace from one Redis instance to another, the runbook's "split", and checks the
 * result:
 *
 * 1. Connects to both, SELECTs each URL's database and reads what each server selected: one
 *    database of one server (same run id and database, whatever the URLs say), a database the
 *    server lacks, failed credentials, a Cluster node, a replica or read-only target, a server
 *    older than Redis 7.0 each fail here, before anything is read or written.
 * 2. Measures the namespace (SCAN of its prefix, never KEYS; MEMORY USAGE) and refuses, with the
 *    figures, a target whose maxmemory (or host memory) would not hold it, unless `force`.
 * 3. Copies (`mode: 'copy'`, keys the target lacks; a re-run resumes) or syncs (`'sync'`: changed
 *    keys rewritten, keys gone from the source deleted on the target, only in the namespace):
 *    DUMP with PEXPIRETIME in one MULTI, RESTORE ... ABSTTL (the expiry is the source's absolute
 *    time), batches bounded by bytes; big keys in chunks under a temporary name, then renamed.
 * 4. Verifies every key (existence, type, expiry, content by DUMP or digest) and the target's
 *    extra keys; `copied` counts the keys written and verified. `mode: 'verify'` does only this.
 *
 * Other namespaces are never touched; the source keeps its keys (delete them once the services
 * use the new instance). Writes that reach the source during the copy are not followed: stop
 * the writers and run `sync`, or follow them with {@link startLiveMove}.
 *
 * @throws {@link MoveError} (with `report`, the figures so far) for any failure of the move;
 * IsolationConfigError for invalid options or URLs.
 * @example
 * ```ts
 * const report = await moveNamespace({
 *   namespace: 'celery',
 *   from: 'redis://shared-redis:6379/0',
 *   to: 'redis://celery-redis:6379/0',
 *   mode: 'sync',
 *   onProgress: (p, at) => console.error(`${at.phase}: ${at.done}/${at.total ?? '?'}`),
 * });
 * if (report.verification?.equal !== report.scanned) console.error(report.verification?.examples);
 * ```
 */
export async function moveNamespace(options: MoveOptions): Promise<MoveReport> {
  return runMove(options, ioredisConnector(options));
}

/**
 * Moves a namespace while its services keep writing to the source, for a switch-over measured in
 * milliseconds:
 *
 * 1. the checks and preflight of {@link moveNamespace};
 * 2. turns on keyspace notifications on the source (notify-keyspace-events `KA`, restored at the
 *    end) and subscribes to the namespace's (`__keyspace@<db>__:<prefix>*`) before copying;
 * 3. syncs the namespace (copy, delete what the source lacks) and verifies every key no
 *    notification named meanwhile;
 * 4. follows: each key a notification names is copied again from the source (DUMP with
 *    PEXPIRETIME, RESTORE REPLACE ABSTTL; deleted on the target if the source no longer has it);
 * 5. {@link LiveMove.switchOver}, with the writers paused: a fence through the source's keyspace
 *    channel, every change before it applied, the changed keys verified.
 *
 * Notifications do not report FLUSHDB, FLUSHALL or SWAPDB: do not run those on the source while a
 * live move runs. A lost subscriber connection fails the move rather than miss changes.
 *
 * @throws {@link MoveError} as {@link moveNamespace} does, and `ERR_MOVE_UNSUPPORTED` when
 * keyspace notifications cannot be turned on (CONFIG refused).
 * @example
 * ```ts
 * const live = await startLiveMove({ namespace: 'celery', from: 'redis://shared-redis:6379/0', to: CELERY_URL });
 * setInterval(() => console.error(live.figures()), 5000).unref();
 * // ...pause the writers, then:
 * const result = await live.switchOver();
 * console.log(result.windowMs, result.verification);
 * ```
 */
export async function startLiveMove(options: LiveMoveOptions): Promise<LiveMove> {
  return runLiveMove(options, ioredisConnector(options));
}
