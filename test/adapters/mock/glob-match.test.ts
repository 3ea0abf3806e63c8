import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisGlobMatch } from '../../../src/adapters/mock/glob-match.js';
import { globMatch } from '../../support/redis-glob.js';
import { startRedisServer, type RunningRedis } from '../../support/redis-server.js';

/**
 * The mock view's glob matcher against the real server's KEYS (the judge), and against the
 * tests' own port of Redis's matcher. Bytes beyond ASCII are in the alphabet: Redis matches
 * bytes, and compares class ranges as C's signed chars.
 */
const BYTES = [0x61, 0x62, 0x2a, 0x3f, 0x5b, 0x5d, 0x5c, 0x5e, 0x2d, 0x0a, 0x28, 0x29, 0x2e, 0x7e, 0xc3, 0xa9, 0xff];
const bytes = (maxLength: number) => fc.array(fc.constantFrom(...BYTES), { maxLength }).map((list) => Buffer.from(list));

describe('redisGlobMatch', () => {
  let server: RunningRedis;
  let redis: Redis;
  beforeAll(async () => {
    server = await startRedisServer();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  const serverMatches = async (pattern: Buffer, names: readonly Buffer[]): Promise<string[]> => {
    await redis.flushdb();
    if (names.length > 0) await redis.call('MSET', ...names.flatMap((name) => [name, '1']));
    return ((await redis.callBuffer('KEYS', pattern)) as Buffer[]).map((name) => name.toString('hex')).sort();
  };

  it('decides as the server does on the cases the mock got wrong, and on classes, escapes and ranges', async () => {
    const names = ['a\nb', 'a)b', 'x(y)', 'ab', 'a.b', 'a+b', 'a^b', 'a]b', 'a\\b', 'é', 'a-b', '[', ']'].map((name) => Buffer.from(name));
    const patterns = ['a*', 'a)*', '*)*', 'x(*', 'a[\n)]b', 'a?b', 'a.b', 'a+b', '[', '[]', '[^a]*', 'a[\\]]b', 'a\\\\b', 'a[b-a]*', '?', '??', 'a[^', 'a[-]b', '*\\', '[\\'];
    for (const pattern of patterns) {
      const expected = await serverMatches(Buffer.from(pattern), names);
      const ours = names.filter((name) => redisGlobMatch(pattern, name)).map((name) => name.toString('hex')).sort();
      expect(ours, JSON.stringify(pattern)).toEqual(expected);
    }
    // A string is matched as its UTF-8 bytes: `?` is one byte, as on the server.
    expect(redisGlobMatch('?', 'é')).toBe(false);
    expect(redisGlobMatch('??', 'é')).toBe(true);
  });

  it('agrees with the server on random patterns and names (bytes)', async () => {
    await fc.assert(
      fc.asyncProperty(bytes(6), fc.uniqueArray(bytes(5), { maxLength: 6, selector: (name) => name.toString('hex') }), async (pattern, names) => {
        const expected = await serverMatches(pattern, names);
        const ours = names.filter((name) => redisGlobMatch(pattern, name)).map((name) => name.toString('hex')).sort();
        expect(ours).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with the tests\' port of stringmatchlen on ASCII names', () => {
    const ascii = (minLength: number) => fc.string({ minLength, maxLength: 8, unit: fc.constantFrom('a', 'b', '*', '?', '[', ']', '\\', '^', '-', ')', '\n') });
    // (Not on the empty name, which that port matches with `**` where stringmatchlen does not.)
    fc.assert(
      fc.property(ascii(0), ascii(1), (pattern, name) => {
        expect(redisGlobMatch(pattern, name)).toBe(globMatch(Buffer.from(pattern), Buffer.from(name)));
      }),
      { numRuns: 2000 },
    );
  });

  it("stops, as the server does, past 1000 nested stars (Redis's guard against abusive patterns)", async () => {
    const name = Buffer.from('a'.repeat(1100));
    for (const stars of [1001, 1002]) {
      const pattern = Buffer.from('a*'.repeat(stars));
      expect(redisGlobMatch(pattern, name), `${stars} stars`).toBe((await serverMatches(pattern, [name])).length === 1);
    }
    expect(redisGlobMatch('a*'.repeat(1001), name)).toBe(true);
    expect(redisGlobMatch('a*'.repeat(1002), name)).toBe(false);
  });

  it('stays fast on patterns that backtrack (many stars against a long name that does not match)', () => {
    // Without Redis's early exit this pattern takes exponential time; with it, a few milliseconds.
    expect(redisGlobMatch(`${'a*'.repeat(30)}b`, 'a'.repeat(200))).toBe(false);
  });
});
