import { MoveError, firstLine } from './errors.js';
import type { Endpoint } from './connect.js';
import type { Masker } from './secrets.js';

const atLeast = (version: string, major: number): boolean => Number(version.split('.')[0]) >= major;

/**
 * Refuses a pair of ends a move cannot serve, before anything is read or written: one database
 * of one server (same run id and same database actually selected, whatever the URLs say), a
 * replica as target, a server older than 7.0 (PEXPIRETIME carries expiry as an absolute time).
 */
export function checkPair(source: Endpoint, target: Endpoint): void {
  const a = source.identity;
  const b = target.identity;
  if (a.runId !== '' && a.runId === b.runId && a.db === b.db) {
    throw new MoveError('ERR_MOVE_SAME_DATABASE', `${source.shown} and ${target.shown} are the same database (${a.db}) of the same server (run_id ${a.runId})`);
  }
  if (b.role !== 'master') {
    throw new MoveError('ERR_MOVE_UNSUPPORTED', `the target ${target.shown} is a replica (role ${b.role}): it is read-only; give its master`);
  }
  for (const end of [source, target]) {
    if (!atLeast(end.identity.version, 7)) {
      throw new MoveError('ERR_MOVE_UNSUPPORTED', `${end.shown} runs Redis ${end.identity.version}: move needs 7.0 or later (PEXPIRETIME)`);
    }
  }
}

/** The name of the key the write probe sets and deletes on the target, inside the namespace. */
export const probeKey = (prefix: string): string => `${prefix}__isolated-redis-move-probe__`;

/**
 * Writes and deletes one key of the namespace on the target, so that a target that refuses
 * writes (READONLY, an ACL without write or RESTORE rights, OOM under noeviction, too few
 * replicas for min-replicas-to-write) is refused before the copy starts.
 */
export async function probeWritable(target: Endpoint, prefix: string, mask: Masker): Promise<void> {
  const key = probeKey(prefix);
  try {
    await target.client.set(key, 'probe', 'PX', 10_000);
    await target.client.del(key);
  } catch (error) {
    throw new MoveError('ERR_MOVE_UNSUPPORTED', mask(`the target ${target.shown} refuses writes: ${firstLine(error)}`));
  }
}
