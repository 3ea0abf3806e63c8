import { copyBigKey } from './big-key.js';
import { byBytes, type MoveContext } from './context.js';
import { contentDigest } from './digest.js';
import { attempt, MoveError, firstLine } from './errors.js';
import { inspectKeys, sameDump, snapshotKeys, type KeyInfo, type KeySnapshot } from './read-keys.js';
import { showKey } from './secrets.js';

/**
 * What to do with a key the target already has: `keep` it (copy: a re-run resumes), `replace`
 * it, or rewrite it only if it `differs` (sync). `deleteGone`: delete on the target a key gone
 * from the source (sync, live).
 */
export interface CopyPolicy {
  readonly existing: 'keep' | 'replace' | 'differs';
  readonly deleteGone: boolean;
}

interface Item {
  readonly key: Buffer;
  readonly info: KeyInfo;
  /** The target's TYPE and size, read only by `differs`. */
  readonly there: KeyInfo | null | undefined;
}

/**
 * Copies a batch of the namespace's keys from source to target under `policy`: small keys by
 * DUMP (with PEXPIRETIME, in one MULTI per group of about `batchBytes`) and RESTORE ... ABSTTL,
 * big keys in chunks ({@link copyBigKey}). Updates the report's counts and the set of written keys.
 */
export async function copyKeys(ctx: MoveContext, keys: readonly Buffer[], policy: CopyPolicy): Promise<void> {
  const { source, target, report, limits, mask } = ctx;
  const [infos, theirs] = await attempt(
    () => Promise.all([inspectKeys(source, keys, limits.bigKeyBytes), policy.existing === 'differs' ? inspectKeys(target, keys, limits.bigKeyBytes) : []]),
    'ERR_MOVE_FAILED',
    'reading MEMORY USAGE',
    mask,
  );
  const items: Item[] = [];
  const gone: Buffer[] = [];
  keys.forEach((key, i) => {
    const info = infos[i];
    if (info) items.push({ key, info, there: theirs[i] });
    else gone.push(key);
  });
  const small = items.filter((item) => item.info.bytes < limits.bigKeyBytes);
  for (const group of byBytes(small, (item) => item.info.bytes, limits)) {
    if (ctx.signal?.aborted) return;
    await copySmall(ctx, group, policy, gone);
  }
  for (const item of items.filter((candidate) => candidate.info.bytes >= limits.bigKeyBytes)) {
    if (ctx.signal?.aborted) return;
    await copyBig(ctx, item, policy, gone);
  }
  report.vanished += gone.length;
  if (policy.deleteGone && gone.length > 0) {
    const deleted = await attempt(() => target.del(...gone), 'ERR_MOVE_FAILED', 'deleting keys gone from the source on the target', mask);
    report.deleted += deleted;
  }
}

const restoreArgs = (key: Buffer, snapshot: KeySnapshot, replace: boolean): Array<Buffer | string | number> => [
  key,
  snapshot.expireAt === -1 ? 0 : snapshot.expireAt,
  snapshot.dump as Buffer,
  ...(replace ? ['REPLACE'] : []),
  ...(snapshot.expireAt === -1 ? [] : ['ABSTTL']),
];

async function copySmall(ctx: MoveContext, group: readonly Item[], policy: CopyPolicy, gone: Buffer[]): Promise<void> {
  const { source, target, report, mask } = ctx;
  const keys = group.map((item) => item.key);
  const compare = policy.existing === 'differs';
  const [ours, theirs] = await attempt(
    () => Promise.all([snapshotKeys(source, keys, () => true), compare ? snapshotKeys(target, keys, (i) => (group[i]?.there?.bytes ?? Infinity) < ctx.limits.bigKeyBytes) : []]),
    'ERR_MOVE_FAILED',
    'reading DUMP and PEXPIRETIME',
    mask,
  );
  const write = target.pipeline();
  const sent: Array<{ key: Buffer; kind: 'restore' | 'expiry' }> = [];
  ours.forEach((snapshot, i) => {
    const key = keys[i] as Buffer;
    if (!snapshot) {
      gone.push(key);
      return;
    }
    const there = theirs[i];
    if (compare && there && there.dump && there.type === snapshot.type && sameDump(there.dump, snapshot.dump as Buffer)) {
      if (there.expireAt === snapshot.expireAt) {
        report.skipped++;
        return;
      }
      if (snapshot.expireAt === -1) write.persist(key);
      else write.pexpireat(key, snapshot.expireAt);
      sent.push({ key, kind: 'expiry' });
      return;
    }
    write.call('RESTORE', ...restoreArgs(key, snapshot, policy.existing !== 'keep'));
    sent.push({ key, kind: 'restore' });
  });
  if (sent.length === 0) return;
  const replies = await attempt(async () => (await write.exec()) ?? [], 'ERR_MOVE_FAILED', 'writing to the target', mask);
  replies.forEach(([error], i) => {
    const { key, kind } = sent[i] as (typeof sent)[number];
    if (!error) {
      if (kind === 'expiry') report.expiryFixed++;
      else {
        report.written++;
        ctx.written.add(key);
      }
    } else if (kind === 'restore' && /^BUSYKEY/.test(error.message)) {
      report.skipped++;
    } else {
      throw new MoveError('ERR_MOVE_FAILED', mask(`${kind === 'restore' ? 'RESTORE' : 'PEXPIREAT'} of ${showKey(key)} on the target: ${firstLine(error)}`));
    }
  });
}

async function copyBig(ctx: MoveContext, item: Item, policy: CopyPolicy, gone: Buffer[]): Promise<void> {
  const { source, target, report, mask, limits } = ctx;
  const { key, info } = item;
  const shown = showKey(key);
  if (policy.existing === 'keep' && (await attempt(() => target.exists(key), 'ERR_MOVE_FAILED', `EXISTS of ${shown} on the target`, mask)) === 1) {
    report.skipped++;
    return;
  }
  if (policy.existing === 'differs' && item.there && item.there.type === info.type) {
    const [ours, theirs] = await attempt(
      () => Promise.all([contentDigest(source, key, info, limits.chunkBytes), contentDigest(target, key, item.there as KeyInfo, limits.chunkBytes)]),
      'ERR_MOVE_FAILED',
      `comparing ${shown}`,
      mask,
    );
    if (ours === theirs) {
      const [[now], [there]] = await Promise.all([snapshotKeys(source, [key], () => false), snapshotKeys(target, [key], () => false)]);
      if (now && there && now.expireAt === there.expireAt) {
        report.skipped++;
        return;
      }
    }
  }
  const copied = await attempt(() => copyBigKey(source, target, ctx.prefix, key, info, limits.chunkBytes), 'ERR_MOVE_FAILED', `copying ${shown} (${info.type}, ${info.bytes} bytes) in chunks`, mask);
  if (!copied) {
    gone.push(key);
    return;
  }
  report.written++;
  report.chunked++;
  ctx.written.add(key);
}
