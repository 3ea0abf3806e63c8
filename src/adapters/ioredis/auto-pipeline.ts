import type { IoredisCommand, IoredisLike, IoredisPipeline } from './internals.js';

/** Commands ioredis itself never auto-pipelines (connection state, subscriptions). */
const NEVER_AUTO_PIPELINED = new Set([
  'auth', 'info', 'script', 'quit', 'cluster', 'pipeline', 'multi', 'subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe',
  'ssubscribe', 'sunsubscribe', 'select', 'client',
]);

interface SlotAware {
  getSlot?(): number | null;
}

/**
 * Which commands ioredis would auto-pipeline on `client` (with `enableAutoPipelining`), or
 * `undefined` when it does not auto-pipeline. Made once per client.
 */
export function autoPipelined(client: IoredisLike): ((command: IoredisCommand) => boolean) | undefined {
  if (!client.options.enableAutoPipelining) return undefined;
  const names = client.options.autoPipeliningIgnoredCommands;
  const ignored = new Set(Array.isArray(names) ? names.map((name) => String(name).toLowerCase()) : []);
  return (command) => {
    const name = command.name.toLowerCase();
    return !NEVER_AUTO_PIPELINED.has(name) && !ignored.has(name);
  };
}

/**
 * The view's own auto-pipelining, replacing ioredis's: commands are guarded one by one *before*
 * they are batched, so a refused command fails alone instead of failing its whole batch, and on
 * a Cluster the batches are grouped by the slot of the prefixed keys (ioredis groups by the keys
 * as given, which would send prefixed keys to the wrong node).
 *
 * Commands issued in one event-loop turn are written in one pipeline per group of nodes, on the
 * next turn, as ioredis does.
 */
export class AutoPipeline {
  private readonly batches = new Map<string, IoredisCommand[]>();

  constructor(private readonly client: IoredisLike & { slots?: string[][] }) {}

  /** How many commands wait for their batch to be written (ioredis's `autoPipelineQueueSize`). */
  get size(): number {
    let queued = 0;
    for (const batch of this.batches.values()) queued += batch.length;
    return queued;
  }

  /** Queues an already guarded command; its own promise settles with its own reply. */
  enqueue(command: IoredisCommand): Promise<unknown> {
    const group = this.groupOf(command);
    const batch = this.batches.get(group);
    if (batch) batch.push(command);
    else {
      this.batches.set(group, [command]);
      setImmediate(() => this.flush(group));
    }
    return command.promise;
  }

  private groupOf(command: IoredisCommand): string {
    if (!this.client.isCluster) return 'main';
    const slot = (command as IoredisCommand & SlotAware).getSlot?.();
    if (slot === null || slot === undefined) return 'any';
    return this.client.slots?.[slot]?.join(',') ?? `slot:${slot}`;
  }

  private flush(group: string): void {
    const commands = this.batches.get(group) ?? [];
    this.batches.delete(group);
    // A raw pipeline of the client: these commands were guarded already and must not be again.
    const pipeline: IoredisPipeline = this.client.pipeline();
    const queue = Object.getPrototypeOf(pipeline).sendCommand as IoredisPipeline['sendCommand'];
    for (const command of commands) queue.call(pipeline, command);
    // Each command's own promise carries its reply or error to its caller. When ioredis fails the
    // pipeline as a whole (keys of one command in different slots, no node reachable), it settles
    // none of them: reject them all, or their callers would wait forever. (Rejecting a command
    // that has already settled does nothing.)
    pipeline.exec().catch((error: Error) => {
      for (const command of commands) command.reject(error);
    });
  }
}
