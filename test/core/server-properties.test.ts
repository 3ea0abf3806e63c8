import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CrossNamespaceError, createGuard, describeCommand, DoublePrefixError } from '../../src/index.js';
import { globMatch } from '../support/redis-glob.js';

/** Property tests whose oracle is the real server. */

let redis: Redis;

beforeAll(async () => {
  // Database 9 is this file's own: the other suites use database 0.
  redis = new Redis(inject('redisUrl'), { db: 9, lazyConnect: true });
  await redis.connect();
  await redis.flushdb();
});

afterAll(async () => {
  await redis.flushdb();
  redis.disconnect();
});

// Key names that collide with the keywords the locators look for.
const name = fc.oneof(
  fc.constantFrom('STREAMS', 'STORE', 'STOREDIST', 'KEYS', 'BY', 'GET', 'WEIGHTS', 'LIMIT', 'COUNT', 'AUTH', 'AUTH2', 'COPY', '#', '0'),
  fc.string({ minLength: 1, maxLength: 5, unit: fc.constantFrom('a', 'b', 'S', 'T', '*') }),
);
const names = (min: number, max: number) => fc.array(name, { minLength: min, maxLength: max });

const lines: fc.Arbitrary<string[]> = fc.oneof(
  names(1, 4).chain((keys) => fc.constantFrom('ZUNIONSTORE', 'ZINTERSTORE', 'ZDIFFSTORE').map((cmd) => [cmd, 'dst', String(keys.length), ...keys, 'WEIGHTS', ...keys.map(() => '1')])),
  fc.tuple(fc.constantFrom('EVAL', 'EVALSHA', 'EVAL_RO', 'FCALL', 'FCALL_RO'), names(0, 3), names(0, 3)).map(([cmd, keys, rest]) => [cmd, 'body', String(keys.length), ...keys, ...rest]),
  fc.tuple(fc.constantFrom('LMPOP', 'ZMPOP', 'SINTERCARD', 'ZINTERCARD', 'ZUNION', 'ZINTER', 'ZDIFF'), names(1, 4)).map(([cmd, keys]) => [
    cmd, String(keys.length), ...keys, ...(cmd === 'LMPOP' ? ['LEFT'] : cmd === 'ZMPOP' ? ['MIN'] : []),
  ]),
  fc.tuple(fc.constantFrom('BLMPOP', 'BZMPOP'), names(1, 4)).map(([cmd, keys]) => [cmd, '0', String(keys.length), ...keys, cmd === 'BLMPOP' ? 'RIGHT' : 'MAX']),
  fc.tuple(names(1, 4), fc.boolean(), fc.boolean()).map(([keys, count, block]) => [
    'XREAD', ...(count ? ['COUNT', '2'] : []), ...(block ? ['BLOCK', '0'] : []), 'STREAMS', ...keys, ...keys.map(() => '0'),
  ]),
  fc.tuple(name, name, names(1, 3)).map(([group, consumer, keys]) => ['XREADGROUP', 'GROUP', group, consumer, 'COUNT', '1', 'STREAMS', ...keys, ...keys.map(() => '>')]),
  fc.tuple(name, fc.subarray(['STORE', 'STOREDIST']), name).map(([key, options, dest]) => ['GEORADIUS', key, '0', '0', '1', 'm', ...options.flatMap((o) => [o, dest])]),
  fc.tuple(name, name, fc.option(name), fc.array(name, { maxLength: 2 })).map(([key, by, store, gets]) => [
    'SORT', key, 'BY', by, ...gets.flatMap((g) => ['GET', g]), ...(store === null ? [] : ['STORE', store]),
  ]),
  fc.tuple(fc.boolean(), name, names(1, 3), fc.constantFrom([], ['AUTH', 'KEYS'], ['AUTH2', 'KEYS', 'p'], ['COPY'])).map(([multi, key, keys, auth]) => [
    'MIGRATE', 'h', '1', multi ? '' : key, '0', '10', ...auth, ...(multi ? ['KEYS', ...keys] : []),
  ]),
);

describe('against the server', () => {
  it('our key positions equal COMMAND GETKEYS for random movable-key command lines', async () => {
    await fc.assert(
      fc.asyncProperty(lines, async (argv) => {
        const description = describeCommand(argv);
        const server = await redis.call('COMMAND', 'GETKEYS', ...argv).then(
          (keys) => (keys as string[]).map(String),
          (error: Error) => (/no key arguments/.test(error.message) ? [] : error),
        );
        if (server instanceof Error) {
          // The server refuses the line; then so must the guard, or the line has no keys to leak.
          expect(description.status === 'malformed' || description.keys.length === 0, `${argv.join(' ')}: ${server.message}`).toBe(true);
          return;
        }
        expect(description.status, argv.join(' ')).toBe('allowed');
        expect(description.keys.map((p) => argv[p]), argv.join(' ')).toEqual(server);
      }),
      { numRuns: 400 },
    );
  });

  it('a namespaced KEYS sees exactly its own keys that the bare pattern matches', async () => {
    // A namespace name holds no glob character, but a prefix given by hand may.
    const namespaces = ['mcp2', 'celery', 'odd'];
    const guards = namespaces.map((namespace) => createGuard({ namespace, namespaces, ...(namespace === 'odd' ? { prefix: 'a*b:' } : {}) }));
    const keyName = fc.string({ minLength: 1, maxLength: 4, unit: fc.constantFrom('a', 'b', '*', '?', '[', ']', '\\', ':') });
    const pattern = fc.string({ maxLength: 4, unit: fc.constantFrom('a', 'b', '*', '?', '[', ']', '\\', '^', '-', ':') });
    // A key that starts with a namespace's prefix is refused by every guard (double or cross): not a share to compare.
    const unclaimedKey = keyName.filter((key) => !guards.some((guard) => key.startsWith(guard.prefix)));
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(unclaimedKey, { maxLength: 6 }), pattern, async (keys, bare) => {
        await redis.flushdb();
        const pipeline = redis.pipeline();
        for (const guard of guards) for (const key of keys) pipeline.set(guard.rewrite('set', [key, '1'])[0] as string, '1');
        for (const key of keys) pipeline.set(key, 'unprefixed');
        await pipeline.exec();
        const expectedBare = keys.filter((key) => globMatch(Buffer.from(bare), Buffer.from(key))).sort();
        // Our glob port agrees with the server on the unprefixed keys...
        const serverBare = ((await redis.keys(bare)) as string[]).filter((key) => keys.includes(key)).sort();
        expect(serverBare).toEqual(expectedBare);
        // ...and every namespace sees exactly its own share.
        for (const guard of guards) {
          // Other guards know a namespace by its computed prefix, not by one given by hand.
          const claimedBy = guards.find(
            (other) => bare.startsWith(other.patternPrefix) && (other === guard || guard.namespaces.ownerOf(other.prefix) === other.namespace),
          );
          if (claimedBy) {
            // A pattern that already starts with a namespace's (escaped) prefix is refused.
            expect(() => guard.rewrite('keys', [bare])).toThrow(claimedBy === guard ? DoublePrefixError : CrossNamespaceError);
            continue;
          }
          const sent = guard.rewrite('keys', [bare])[0] as string;
          const reply = await redis.keys(sent);
          expect(reply.every((key) => key.startsWith(guard.prefix)), `${guard.namespace} ${sent}`).toBe(true);
          expect((guard.unprefixReply('keys', [bare], reply) as string[]).sort()).toEqual(expectedBare);
        }
      }),
      { numRuns: 150 },
    );
  });
});
