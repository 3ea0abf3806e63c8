import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { moveNamespace } from '../../src/index.js';
import type { RunningRedis } from '../support/redis-server.js';
import { keyspaceOf, useMoveServers } from './move-content.js';

let shared: RunningRedis;
let celeryRedis: RunningRedis;
let source: Redis;
let target: Redis;

useMoveServers((servers) => ({ shared, celeryRedis, source, target } = servers));

const bytes = (max: number, min = 0) => fc.uint8Array({ minLength: min, maxLength: max }).map((a) => Buffer.from(a));
/** Key names: any bytes, glob and separator characters made likely. */
const name = fc.oneof(bytes(10), fc.constantFrom('*', '?', '[ab]', '\\', ':', 'a:b', ' ', 'ü', '{t}').map((s) => Buffer.from(s)));
const members = (max: number) => fc.uniqueArray(bytes(6, 1), { minLength: 1, maxLength: max, selector: (b) => b.toString('hex') });

type Value =
  | { type: 'string'; value: Buffer }
  | { type: 'hash'; value: Array<[Buffer, Buffer]> }
  | { type: 'set'; value: Buffer[] }
  | { type: 'zset'; value: Array<[number, Buffer]> }
  | { type: 'list'; value: Buffer[] }
  | { type: 'stream'; value: { entries: Buffer[][]; read: number } };

const value: fc.Arbitrary<Value> = fc.oneof(
  bytes(300).map((value) => ({ type: 'string' as const, value })),
  members(8).chain((fields) => fc.array(bytes(20), { minLength: fields.length, maxLength: fields.length }).map((vs) => ({ type: 'hash' as const, value: fields.map((f, i) => [f, vs[i] as Buffer] as [Buffer, Buffer]) }))),
  members(10).map((value) => ({ type: 'set' as const, value })),
  members(8).chain((ms) =>
    fc.array(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), { minLength: ms.length, maxLength: ms.length }).map((scores) => ({ type: 'zset' as const, value: ms.map((m, i) => [scores[i] as number, m] as [number, Buffer]) })),
  ),
  fc.array(bytes(20), { minLength: 1, maxLength: 10 }).map((value) => ({ type: 'list' as const, value })),
  fc.record({ entries: fc.array(fc.array(bytes(8, 1), { minLength: 2, maxLength: 4 }).map((a) => (a.length % 2 ? a.slice(1) : a)), { minLength: 1, maxLength: 6 }), read: fc.nat(4) }).map((value) => ({ type: 'stream' as const, value })),
);

const entry = fc.record({ name, value, ttl: fc.option(fc.integer({ min: 60_000, max: 3_600_000 }), { nil: undefined }) });
const entries = (max: number) => fc.uniqueArray(entry, { maxLength: max, selector: (e) => e.name.toString('hex') });

async function write(client: Redis, key: Buffer, v: Value, ttl: number | undefined, now: number): Promise<void> {
  const p = client.pipeline().del(key);
  switch (v.type) {
    case 'string':
      p.set(key, v.value);
      break;
    case 'hash':
      p.hset(key, ...v.value.flat());
      break;
    case 'set':
      p.sadd(key, ...v.value);
      break;
    case 'zset':
      p.zadd(key, ...v.value.flatMap(([score, m]) => [String(score), m] as never[]));
      break;
    case 'list':
      p.rpush(key, ...v.value);
      break;
    case 'stream':
      v.value.entries.forEach((fields, i) => p.xadd(key, `${i + 1}-0`, ...fields));
      p.xgroup('CREATE', key, 'g', '0');
      if (v.value.read > 0) p.xreadgroup('GROUP', 'g', 'c', 'COUNT', v.value.read, 'STREAMS', key, '>');
      break;
  }
  if (ttl !== undefined) p.pexpireat(key, now + ttl);
  for (const [error] of (await p.exec()) ?? []) if (error) throw error;
}

const under = (prefix: string, n: Buffer): Buffer => Buffer.concat([Buffer.from(prefix), n]);
/** Other namespaces, look-alikes and keys in no namespace, on either end: the move must leave them as they are. */
const DECOYS = ['ns2:', 'nsx', 'n', 'other:', ''];

describe('moveNamespace on random keyspaces', () => {
  it('leaves the target equal to the source for the namespace, and everything else as it was', async () => {
    const scenario = fc.record({
      keys: entries(14),
      sourceDecoys: fc.array(fc.tuple(fc.constantFrom(...DECOYS), entry), { maxLength: 5 }),
      targetDecoys: fc.array(fc.tuple(fc.constantFrom(...DECOYS), entry), { maxLength: 5 }),
      stale: entries(5),
      expiring: fc.uniqueArray(name, { maxLength: 3, selector: (b) => b.toString('hex') }),
      mode: fc.constantFrom<'copy' | 'sync'>('copy', 'sync'),
      count: fc.integer({ min: 1, max: 20 }),
      big: fc.boolean(),
    });
    const seen = { keys: 0, chunked: 0, deleted: 0, expiring: 0, streams: 0 };
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        await Promise.all([source.flushall(), target.flushall()]);
        const now = Date.now();
        for (const e of s.keys) await write(source, under('ns:', e.name), e.value, e.ttl, now);
        for (const [prefix, e] of s.sourceDecoys) await write(source, under(prefix, e.name), e.value, e.ttl, now);
        for (const [prefix, e] of s.targetDecoys) await write(target, under(prefix, e.name), e.value, e.ttl, now);
        // Stale keys of the namespace on the target: a sync deletes them (a copy would keep them).
        if (s.mode === 'sync') for (const e of s.stale) await write(target, under('ns:', e.name), e.value, e.ttl, now);
        // Keys expiring during the move: never to arrive without their expiry.
        const expiring = s.expiring.map((n) => Buffer.concat([Buffer.from('ns:~expiring:'), n]));
        for (const key of expiring) await source.set(key, 'short', 'PX', 1 + (key.length % 25));
        const decoysBefore = [await keyspaceOf(source, '*'), await keyspaceOf(target, '*')].map((all) => Object.fromEntries(Object.entries(all).filter(([hex]) => !hex.startsWith(Buffer.from('ns:').toString('hex')))));
        const namespaceBefore = await keyspaceOf(source, 'ns:*');

        const report = await moveNamespace({
          namespace: 'ns',
          from: shared.url,
          to: celeryRedis.url,
          mode: s.mode,
          count: s.count,
          ...(s.big ? { bigKeyBytes: 100, chunkBytes: 16, batchBytes: 200 } : {}),
        });
        await new Promise((resolve) => setTimeout(resolve, 30));
        seen.keys += report.copied;
        seen.chunked += report.chunked;
        seen.deleted += report.deleted;
        seen.expiring += expiring.length;
        seen.streams += s.keys.filter((e) => e.value.type === 'stream').length;

        const v = report.verification;
        expect(v && v.missing + v.extra + v.typeDiffers + v.ttlDiffers + v.contentDiffers).toBe(0);
        for (const key of expiring) expect(await target.exists(key)).toBe(0);
        const namespace = await keyspaceOf(source, 'ns:*');
        expect(await keyspaceOf(target, 'ns:*')).toEqual(namespace);
        expect(Object.keys(namespace).length).toBe(s.keys.length);
        // The source's namespace is read, never written (expiring keys aside).
        expect(namespace).toEqual(Object.fromEntries(Object.entries(namespaceBefore).filter(([hex]) => !hex.startsWith(Buffer.from('ns:~expiring:').toString('hex')))));
        const decoysAfter = [await keyspaceOf(source, '*'), await keyspaceOf(target, '*')].map((all) => Object.fromEntries(Object.entries(all).filter(([hex]) => !hex.startsWith(Buffer.from('ns:').toString('hex')))));
        expect(decoysAfter).toEqual(decoysBefore);
      }),
      { seed: 1818, numRuns: 60 },
    );
    // Not vacuous: the runs moved keys of every kind, in chunks too, deleted stale ones, saw keys expire.
    expect(seen.keys).toBeGreaterThan(200);
    expect(seen.chunked).toBeGreaterThan(20);
    expect(seen.deleted).toBeGreaterThan(10);
    expect(seen.expiring).toBeGreaterThan(10);
    expect(seen.streams).toBeGreaterThan(10);
    console.log(`move property: ${JSON.stringify(seen)} over 60 runs`);
  }, 60_000);
});
