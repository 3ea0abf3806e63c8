import { isMoveKey } from './big-key.js';
import { byBytes, type MoveContext } from './context.js';
import { forEachExtraKey } from './delete-pass.js';
import { contentDigest } from './digest.js';
import { attempt } from './errors.js';
import { inspectKeys, sameDump, snapshotKeys, values, type KeyInfo, type KeySnapshot } from './read-keys.js';
import type { MoveDifference, MoveVerification, Mutable } from './report.js';
import { scanNamespace } from './scan.js';
import { showKey } from './secrets.js';

const EXAMPLES = 20;

/** A verification's figures, empty. */
export const emptyVerification = (): Mutable<MoveVerification> => ({
  checked: 0,
  equal: 0,
  missing: 0,
  typeDiffers: 0,
  ttlDiffers: 0,
  contentDiffers: 0,
  extra: 0,
  vanished: 0,
  byDigest: 0,
  examples: [],
  durationMs: 0,
});

const COUNTER = { missing: 'missing', extra: 'extra', type: 'typeDiffers', ttl: 'ttlDiffers', content: 'contentDiffers' } as const;

/**
 * Keys the target lacks may have expired or been deleted on the source since it was read: those
 * the source no longer has either are counted as vanished, the others as missing.
 */
async function settleMissing(ctx: MoveContext, keys: readonly Buffer[], tally: Mutable<MoveVerification>, record: (key: Buffer, problem: 'missing') => void): Promise<void> {
  if (keys.length === 0) return;
  const check = ctx.source.pipeline();
  for (const key of keys) check.exists(key);
  const found = await attempt(async () => values(await check.exec()), 'ERR_MOVE_FAILED', 'EXISTS on the source', ctx.mask);
  keys.forEach((key, i) => {
    if (Number(found[i]) === 0) tally.vanished++;
    else record(key, 'missing');
  });
}

function differs(tally: Mutable<MoveVerification>, key: Buffer, problem: MoveDifference['problem']): void {
  tally[COUNTER[problem]]++;
  if (tally.examples.length < EXAMPLES) (tally.examples as MoveDifference[]).push({ key: showKey(key), problem });
}

interface Pair {
  readonly key: Buffer;
  readonly ours: KeyInfo;
  readonly theirs: KeyInfo;
}

/**
 * Compares a batch of keys between source and target: existence, type, expiry (absolute times
 * within `ttlToleranceMs`), and content: equal DUMPs, or where they differ (another encoding,
 * or a big key never dumped) equal content digests read in chunks. Keys found equal that this
 * run wrote count as `copied`.
 */
export async function verifyKeys(
  ctx: MoveContext,
  keys: readonly Buffer[],
  tally: Mutable<MoveVerification>,
  record: (key: Buffer, problem: MoveDifference['problem']) => void = (key, problem) => differs(tally, key, problem),
): Promise<void> {
  const { source, target, limits, mask } = ctx;
  const [ours, theirs] = await attempt(() => Promise.all([inspectKeys(source, keys, limits.bigKeyBytes), inspectKeys(target, keys, limits.bigKeyBytes)]), 'ERR_MOVE_FAILED', 'reading MEMORY USAGE', mask);
  const pairs: Pair[] = [];
  const missing: Buffer[] = [];
  keys.forEach((key, i) => {
    const mine = ours[i];
    const there = theirs[i];
    if (!mine) tally.vanished++;
    else if (!there) missing.push(key);
    else if (mine.type !== '' && there.type !== '' && mine.type !== there.type) record(key, 'type');
    else pairs.push({ key, ours: mine, theirs: there });
  });
  tally.checked += keys.length;
  const small = (info: KeyInfo): boolean => info.bytes < limits.bigKeyBytes;
  for (const group of byBytes(pairs, (pair) => pair.ours.bytes + pair.theirs.bytes, limits)) {
    const groupKeys = group.map((pair) => pair.key);
    const [mine, there] = await attempt(
      () =>
        Promise.all([
          snapshotKeys(source, groupKeys, (i) => small((group[i] as Pair).ours) && small((group[i] as Pair).theirs)),
          snapshotKeys(target, groupKeys, (i) => small((group[i] as Pair).ours) && small((group[i] as Pair).theirs)),
        ]),
      'ERR_MOVE_FAILED',
      'reading DUMP and PEXPIRETIME',
      mask,
    );
    for (const [i, pair] of group.entries()) {
      if (mine[i] && !there[i]) missing.push(pair.key);
      else await comparePair(ctx, pair, mine[i] ?? null, there[i] ?? null, tally, record);
    }
  }
  await settleMissing(ctx, missing, tally, record);
}

async function comparePair(
  ctx: MoveContext,
  pair: Pair,
  mine: KeySnapshot | null,
  there: KeySnapshot | null,
  tally: Mutable<MoveVerification>,
  record: (key: Buffer, problem: MoveDifference['problem']) => void,
): Promise<void> {
  const { key } = pair;
  if (!mine) return void tally.vanished++;
  if (!there) return record(key, 'missing');
  if (mine.type !== there.type) return record(key, 'type');
  const ttlEqual = mine.expireAt === there.expireAt || (mine.expireAt >= 0 && there.expireAt >= 0 && Math.abs(mine.expireAt - there.expireAt) <= ctx.limits.ttlToleranceMs);
  if (!ttlEqual) return record(key, 'ttl');
  if (!(mine.dump && there.dump && sameDump(mine.dump, there.dump))) {
    const [a, b] = await attempt(
      () =>
        Promise.all([
          contentDigest(ctx.source, key, { ...pair.ours, type: mine.type }, ctx.limits.chunkBytes),
          contentDigest(ctx.target, key, { ...pair.theirs, type: there.type }, ctx.limits.chunkBytes),
        ]),
      'ERR_MOVE_FAILED',
      `comparing ${showKey(key)} by content`,
      ctx.mask,
    );
    if (a !== b) return record(key, 'content');
    tally.byDigest++;
  }
  tally.equal++;
  if (ctx.written.has(key)) ctx.report.copied++;
}

/**
 * Keys left out of a verification, and when to decide: a live move leaves out the keys changed
 * while it runs (checked at the switch-over). A key found different may have changed after its
 * copy with its notification still on the way: differences are held until `settle` (a fence:
 * every notification sent so far has arrived), then dropped if `skip` holds for the key by then.
 */
export interface VerifyExclusions {
  readonly skip: (key: Buffer) => boolean;
  readonly settle: () => Promise<void>;
}

/** How a verification runs: keys left out, and whether to drop temporary keys an interrupted run left on the target. */
export interface VerifyOptions {
  readonly exclusions?: VerifyExclusions | undefined;
  /** Delete the move's own temporary keys found on the target (a killed run's half-copied big keys) rather than count them as extra. */
  readonly dropLeftovers?: boolean;
}

/**
 * The verification pass: every key of the namespace on the source compared with the target
 * ({@link verifyKeys}), then every key of the namespace on the target looked up on the source
 * (`extra`).
 */
export async function verifyNamespace(ctx: MoveContext, options: VerifyOptions = {}): Promise<MoveVerification> {
  const { exclusions } = options;
  const started = performance.now();
  const tally = emptyVerification();
  const held: Array<{ key: Buffer; problem: MoveDifference['problem'] }> = [];
  const record = exclusions ? (key: Buffer, problem: MoveDifference['problem']) => void held.push({ key, problem }) : undefined;
  const skip = exclusions?.skip;
  const batches = scanNamespace(ctx.source, ctx.prefix, ctx.limits.count, ctx.signal);
  for (;;) {
    const next = await attempt(() => batches.next(), 'ERR_MOVE_FAILED', 'SCAN of the source', ctx.mask);
    if (next.done) break;
    const keys = skip ? next.value.keys.filter((key) => !skip(key)) : next.value.keys;
    if (keys.length > 0) await verifyKeys(ctx, keys, tally, record);
    ctx.progress('verify', tally.checked, next.value.walked);
  }
  await forEachExtraKey(ctx, async (extra) => {
    const leftovers = options.dropLeftovers ? extra.filter((key) => isMoveKey(ctx.prefix, key)) : [];
    if (leftovers.length > 0) await attempt(() => ctx.target.unlink(...leftovers), 'ERR_MOVE_FAILED', 'UNLINK of temporary keys on the target', ctx.mask);
    const candidates = extra.filter((key) => !skip?.(key) && !leftovers.includes(key));
    if (candidates.length === 0) return;
    // A key expiring at the same time on both ends may be gone from the source and not yet from the target's SCAN.
    const check = ctx.target.pipeline();
    for (const key of candidates) check.exists(key);
    const there = await attempt(async () => values(await check.exec()), 'ERR_MOVE_FAILED', 'EXISTS on the target', ctx.mask);
    candidates.forEach((key, i) => {
      if (Number(there[i]) === 1) (record ?? ((k, p) => differs(tally, k, p)))(key, 'extra');
    });
  });
  if (exclusions) {
    await exclusions.settle();
    for (const { key, problem } of held) {
      if (exclusions.skip(key)) tally.checked -= problem === 'extra' ? 0 : 1;
      else differs(tally, key, problem);
    }
  }
  tally.durationMs = performance.now() - started;
  return tally;
}

/** Whether a verification found nothing wrong. */
export const verified = (tally: MoveVerification): boolean => tally.missing + tally.extra + tally.typeDiffers + tally.ttlDiffers + tally.contentDiffers === 0;
