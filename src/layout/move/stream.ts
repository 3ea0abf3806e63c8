import type { Redis } from 'ioredis';

/** A flat RESP map (`[name, value, name, value...]`) as a Map keyed by the names as text. */
export function flatMap(reply: unknown): Map<string, unknown> {
  const map = new Map<string, unknown>();
  const items = Array.isArray(reply) ? reply : [];
  for (let i = 0; i + 1 < items.length; i += 2) map.set(String(items[i]), items[i + 1]);
  return map;
}

const text = (value: unknown): string => (value === null || value === undefined ? '' : Buffer.isBuffer(value) ? value.toString('latin1') : String(value));

/** One stream entry: its id and its field/value list. */
export type StreamEntry = [id: Buffer, fields: Buffer[]];

/** What a stream holds besides its entries: ids and counters, groups, consumers, pending entries. */
export interface StreamMeta {
  readonly lastId: string;
  readonly maxDeletedId: string;
  readonly entriesAdded: string;
  readonly groups: ReadonlyArray<{
    readonly name: Buffer;
    readonly lastDeliveredId: string;
    /** `''` when the server does not know it (nil). */
    readonly entriesRead: string;
    readonly consumers: readonly Buffer[];
    /** id, consumer, idle ms, deliveries. */
    readonly pending: ReadonlyArray<readonly [id: string, consumer: Buffer, idle: number, deliveries: number]>;
  }>;
}

/** A stream's entries in id order, at most `per` per chunk (XRANGE with exclusive starts). */
export async function* readStreamEntries(client: Redis, key: Buffer, per: number): AsyncGenerator<StreamEntry[]> {
  let start = '-';
  for (;;) {
    const entries = (await client.xrangeBuffer(key, start, '+', 'COUNT', per)) as unknown as StreamEntry[];
    if (entries.length === 0) return;
    yield entries;
    start = `(${text(entries.at(-1)?.[0])}`;
    if (entries.length < per) return;
  }
}

/**
 * A stream's metadata (XINFO STREAM, XINFO GROUPS, XINFO CONSUMERS, XPENDING): enough to
 * rebuild its groups, consumers and pending entries elsewhere, and to compare two streams.
 * Pending entries are read `per` at a time.
 */
export async function readStreamMeta(client: Redis, key: Buffer, per: number): Promise<StreamMeta> {
  const info = flatMap(await client.callBuffer('XINFO', 'STREAM', key));
  const groups: Array<StreamMeta['groups'][number]> = [];
  for (const entry of (await client.callBuffer('XINFO', 'GROUPS', key)) as unknown[]) {
    const group = flatMap(entry);
    const name = group.get('name') as Buffer;
    const consumers = ((await client.callBuffer('XINFO', 'CONSUMERS', key, name)) as unknown[]).map((consumer) => flatMap(consumer).get('name') as Buffer);
    const pending: Array<readonly [string, Buffer, number, number]> = [];
    let start = '-';
    for (;;) {
      const rows = (await client.callBuffer('XPENDING', key, name, start, '+', per)) as Array<[Buffer, Buffer, number, number]>;
      for (const [id, consumer, idle, deliveries] of rows) pending.push([text(id), consumer, Number(idle), Number(deliveries)]);
      if (rows.length < per) break;
      start = `(${text(rows.at(-1)?.[0])}`;
    }
    groups.push({ name, lastDeliveredId: text(group.get('last-delivered-id')), entriesRead: text(group.get('entries-read')), consumers, pending });
  }
  return {
    lastId: text(info.get('last-generated-id')),
    maxDeletedId: text(info.get('max-deleted-entry-id')),
    entriesAdded: text(info.get('entries-added')),
    groups,
  };
}

/**
 * Rebuilds a stream's metadata on `key` (which holds its entries, or nothing): the stream is
 * created empty if need be, its last id and counters set (XSETID), each group created at its
 * last delivered id with its read counter, each consumer created, each pending entry claimed
 * for its consumer with its idle time and delivery count (XCLAIM ... FORCE JUSTID; a pending
 * entry whose message was deleted cannot be claimed and is lost, as XCLAIM documents).
 */
export async function writeStreamMeta(target: Redis, key: Buffer, meta: StreamMeta, hasEntries: boolean): Promise<void> {
  const pipeline = target.pipeline();
  if (!hasEntries) pipeline.call('XADD', key, '0-1', 'x', 'y').call('XDEL', key, '0-1');
  pipeline.call('XSETID', key, meta.lastId, 'ENTRIESADDED', meta.entriesAdded, 'MAXDELETEDID', meta.maxDeletedId);
  for (const group of meta.groups) {
    pipeline.call('XGROUP', 'CREATE', key, group.name, group.lastDeliveredId, ...(group.entriesRead === '' ? [] : ['ENTRIESREAD', group.entriesRead]));
    for (const consumer of group.consumers) pipeline.call('XGROUP', 'CREATECONSUMER', key, group.name, consumer);
    for (const [id, consumer, idle, deliveries] of group.pending) {
      pipeline.call('XCLAIM', key, group.name, consumer, '0', id, 'IDLE', idle, 'RETRYCOUNT', deliveries, 'FORCE', 'JUSTID');
    }
  }
  for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
}

/** The parts of a stream's metadata two equal streams share (idle times differ by when they are read). */
export function comparableMeta(meta: StreamMeta): string {
  return JSON.stringify([
    meta.lastId,
    meta.maxDeletedId,
    meta.entriesAdded,
    meta.groups.map((group) => [
      group.name.toString('base64'),
      group.lastDeliveredId,
      group.entriesRead,
      group.consumers.map((consumer) => consumer.toString('base64')).sort(),
      group.pending.map(([id, consumer, , deliveries]) => [id, consumer.toString('base64'), deliveries]),
    ]),
  ]);
}
