import type { Redis } from 'ioredis';
import { MoveError } from './errors.js';
import type { MovePreflight } from './report.js';
import { scanNamespace } from './scan.js';
import { values } from './read-keys.js';

/** A namespace's key count and summed MEMORY USAGE on one server. */
export interface NamespaceSize {
  readonly keys: number;
  readonly bytes: number;
}

/** SCAN of the namespace with MEMORY USAGE of every key, pipelined per batch. */
export async function measureNamespace(
  client: Redis,
  prefix: string,
  count: number,
  onBatch?: (size: NamespaceSize, walked: number | undefined) => void,
  signal?: AbortSignal,
): Promise<NamespaceSize> {
  let keys = 0;
  let bytes = 0;
  for await (const batch of scanNamespace(client, prefix, count, signal)) {
    if (batch.keys.length > 0) {
      const pipeline = client.pipeline();
      for (const key of batch.keys) pipeline.call('MEMORY', 'USAGE', key);
      for (const usage of values(await pipeline.exec())) {
        if (usage === null) continue;
        keys++;
        bytes += Number(usage);
      }
    }
    onBatch?.({ keys, bytes }, batch.walked);
  }
  return { keys, bytes };
}

const field = (info: string, name: string): string | undefined => new RegExp(`^${name}:(\\S*)`, 'm').exec(info)?.[1];

/** Milliseconds of a server's clock (TIME), taken at the middle of the round trip locally. */
async function clockOffset(client: Redis): Promise<number> {
  const before = Date.now();
  const [seconds, micros] = await client.time();
  const after = Date.now();
  return Number(seconds) * 1000 + Number(micros) / 1000 - (before + after) / 2;
}

/** Headroom asked beyond the namespace's measured size: encodings and allocator rounding differ a little. */
const MARGIN = 1.1;

/**
 * The target's memory (INFO memory) against the namespace's size on the source, less what the
 * target already holds of it, and the clocks of both. The verdict is `fits` unless the needed
 * bytes plus 10% exceed what the target can take: up to maxmemory, or with no maxmemory up to
 * its host's memory.
 */
export async function preflight(source: Redis, target: Redis, size: NamespaceSize, targetNamespaceBytes: number, forced: boolean): Promise<MovePreflight> {
  const info = await target.info('memory');
  const used = Number(field(info, 'used_memory') ?? 0);
  const maxmemory = Number(field(info, 'maxmemory') ?? 0);
  const policy = field(info, 'maxmemory_policy') ?? 'noeviction';
  const system = Number(field(info, 'total_system_memory') ?? 0);
  const limit = maxmemory > 0 ? maxmemory : system;
  const free = limit > 0 ? Math.max(0, limit - used) : Number.MAX_SAFE_INTEGER;
  const needed = Math.max(0, size.bytes - targetNamespaceBytes);
  const fits = needed * MARGIN <= free;
  const verdict: MovePreflight['verdict'] = fits ? 'fits' : maxmemory === 0 ? 'would-exhaust-host' : policy === 'noeviction' ? 'would-refuse-writes' : 'would-evict';
  const [sourceClock, targetClock] = [await clockOffset(source), await clockOffset(target)];
  return {
    namespaceKeys: size.keys,
    namespaceBytes: size.bytes,
    targetNamespaceBytes,
    neededBytes: needed,
    targetUsedBytes: used,
    targetMaxmemory: maxmemory,
    targetPolicy: policy,
    targetSystemMemory: system,
    targetFreeBytes: free === Number.MAX_SAFE_INTEGER ? 0 : free,
    verdict,
    forced,
    clockSkewMs: Math.round(targetClock - sourceClock),
  };
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** The refusal of a move whose target lacks the memory, with the figures. */
export function preflightRefusal(check: MovePreflight, target: string): MoveError {
  const limit =
    check.targetMaxmemory > 0
      ? `maxmemory ${mb(check.targetMaxmemory)}, policy ${check.targetPolicy}`
      : `no maxmemory, host memory ${mb(check.targetSystemMemory)}`;
  const outcome = { 'would-evict': 'it would evict keys', 'would-refuse-writes': 'writes would fail with OOM', 'would-exhaust-host': "it would exhaust the host's memory", fits: '' }[check.verdict];
  return new MoveError(
    'ERR_MOVE_PREFLIGHT',
    `the target ${target} lacks the memory: the namespace needs ${mb(check.neededBytes)} (${check.namespaceKeys} keys, ${mb(check.namespaceBytes)} on the source, ` +
      `${mb(check.targetNamespaceBytes)} already on the target) plus 10%, the target has ${mb(check.targetFreeBytes)} free (used ${mb(check.targetUsedBytes)}, ${limit}): ${outcome}; ` +
      'free memory or raise maxmemory on the target, or force the move (--force)',
  );
}
