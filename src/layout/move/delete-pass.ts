import type { MoveContext } from './context.js';
import { attempt } from './errors.js';
import { values } from './read-keys.js';
import { scanNamespace } from './scan.js';

/**
 * The keys of the namespace the target has and the source lacks, a SCAN batch of the target at
 * a time (EXISTS on the source, pipelined). `onBatch` receives each batch's absentees.
 */
export async function forEachExtraKey(ctx: MoveContext, onBatch: (extra: Buffer[], walked: number | undefined) => Promise<void>): Promise<void> {
  const { source, target, prefix, limits, mask } = ctx;
  const batches = scanNamespace(target, prefix, limits.count, ctx.signal);
  for (;;) {
    const next = await attempt(() => batches.next(), 'ERR_MOVE_FAILED', 'SCAN of the target', mask);
    if (next.done) return;
    const { keys, walked } = next.value;
    let extra: Buffer[] = [];
    if (keys.length > 0) {
      const pipeline = source.pipeline();
      for (const key of keys) pipeline.exists(key);
      const found = await attempt(async () => values(await pipeline.exec()), 'ERR_MOVE_FAILED', 'EXISTS on the source', mask);
      extra = keys.filter((_, i) => Number(found[i]) === 0);
    }
    await onBatch(extra, walked);
  }
}

/**
 * Sync's second pass: deletes on the target every key of the namespace the source no longer
 * has (and only keys of the namespace: SCAN MATCH on its prefix, checked byte by byte).
 */
export async function deleteExtraKeys(ctx: MoveContext): Promise<void> {
  await forEachExtraKey(ctx, async (extra, walked) => {
    if (extra.length > 0) ctx.report.deleted += await attempt(() => ctx.target.unlink(...extra), 'ERR_MOVE_FAILED', 'UNLINK on the target', ctx.mask);
    ctx.progress('delete', ctx.report.deleted, walked);
  });
}
