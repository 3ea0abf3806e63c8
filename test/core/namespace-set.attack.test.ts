import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BlockedCommandError,
  IsolationConfigError,
  IsolationError,
  createGuard,
  defineNamespaces,
  type GuardOptions,
  type IsolationMode,
  type NamespaceGuard,
  type NamespaceSet,
  type RedisArg,
} from '../../src/index.js';
import { globMatch } from '../support/redis-glob.js';
import { startRedisServer, type RunningRedis } from '../support/redis-server.js';

/**
 * Attacks on the isolation of namespace sets (issue 14): a guard of namespace A must never send a
 * key, pattern or channel that addresses another namespace's keys (listed or family member), nor
 * present another namespace's name as its own. Tests named `FINDING` describe a break; the
 * others are invariants that held under attack, as properties whose oracle is the real server
 * where glob or SORT semantics matter.
 */

let server: RunningRedis;
let redis: Redis;

beforeAll(async () => {
  // A server of this file's own: keyspace notifications on, and pub/sub (server-wide) not shared with other suites.
  server = await startRedisServer(['--notify-keyspace-events', 'KEA']);
  redis = new Redis(server.url, { lazyConnect: true });
  await redis.connect();
});

afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

const bytes = (arg: unknown): Buffer => (Buffer.isBuffer(arg) ? arg : Buffer.from(String(arg)));
const startsWith = (value: Buffer, start: Buffer): boolean => value.length >= start.length && value.subarray(0, start.length).equals(start);
/** A name readable in a failure message, lone surrogates included. */
const shown = (text: string): string => JSON.stringify(text).replace(/[\ud800-\udfff\ufffd]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);

/** Sends a command line the guard produced, as the adapters do: ioredis encodes strings as UTF-8. */
const send = (command: string, line: readonly RedisArg[]): Promise<unknown> => redis.callBuffer(command, ...line);

/** The value of `build()`, or `undefined` when it refuses with one of `allowed` (which is then the test's expectation). */
function unlessRefused<T>(build: () => T, ...allowed: ReadonlyArray<abstract new (...args: never[]) => Error>): T | undefined {
  try {
    return build();
  } catch (error) {
    expect(
      allowed.some((type) => error instanceof type),
      String(error),
    ).toBe(true);
    return undefined;
  }
}

/** Whether what guard `a` writes under its key `ka` is what guard `b` reads under its key `kb`, on the server. */
async function shareAKey(a: NamespaceGuard, ka: RedisArg, b: NamespaceGuard, kb: RedisArg): Promise<boolean> {
  const marker = `written-through-${Math.random()}`;
  await redis.flushdb();
  const write = unlessRefused(() => a.rewrite('set', [ka, marker]), IsolationError);
  const read = unlessRefused(() => b.rewrite('get', [kb]), IsolationError);
  if (!write || !read) return false;
  await send('SET', write);
  const value = await send('GET', read);
  return value !== null && bytes(value).toString() === marker;
}

describe('findings: isolation breaks', () => {
  it('review finding, fixed: family members whose ids differ only by a lone surrogate (or U+FFFD) share every key', async () => {
    // Node encodes every lone surrogate as EF BF BD, U+FFFD's UTF-8: three names, one prefix on the wire.
    const set = defineNamespaces({ families: ['tenant-*'] });
    const guards = ['tenant-\ud800', 'tenant-\udbff', 'tenant-\ufffd']
      .map((namespace) => unlessRefused(() => createGuard({ namespace, namespaces: set }), IsolationConfigError))
      .filter((guard): guard is NamespaceGuard => guard !== undefined);
    for (const a of guards) {
      for (const b of guards) {
        if (a === b) continue;
        expect(await shareAKey(a, 'cart', b, 'cart'), `${shown(a.namespace)} writes what ${shown(b.namespace)} reads`).toBe(false);
      }
    }
  });

  it('review finding, fixed: listed names that differ only by a lone surrogate are accepted as two namespaces with one key space', async () => {
    const set = unlessRefused(() => defineNamespaces({ namespaces: ['billing\udc00', 'billing\ufffd'] }), IsolationConfigError);
    if (!set) return;
    const attacker = createGuard({ namespace: 'billing\udc00', namespaces: set });
    const victim = createGuard({ namespace: 'billing\ufffd', namespaces: set });
    expect(await shareAKey(victim, 'card', attacker, 'card')).toBe(false);
  });

  it('review finding, fixed: a separator holding a lone surrogate lets "a" address the keys of "a\\ufffd"', async () => {
    const set = unlessRefused(() => defineNamespaces({ namespaces: ['a', 'a\ufffd'], separator: '\ud800' }), IsolationConfigError);
    if (!set) return;
    const a = createGuard({ namespace: 'a', namespaces: set });
    const victim = createGuard({ namespace: 'a\ufffd', namespaces: set });
    // 'a' + EF BF BD (the separator) + EF BF BD (the key's first character) = the victim's prefix.
    expect(await shareAKey(victim, 'secret', a, '\ufffdsecret')).toBe(false);
  });

  it('review finding, fixed: a prefix given by hand with a lone surrogate equals, on the wire, another namespace\'s prefix', async () => {
    const set = defineNamespaces({ namespaces: ['x', 'y\ufffd'] });
    const attacker = unlessRefused(() => createGuard({ namespace: 'x', namespaces: set, prefix: 'y\udc00:' }), IsolationConfigError);
    if (!attacker) return;
    const victim = createGuard({ namespace: 'y\ufffd', namespaces: set });
    expect(await shareAKey(victim, 'secret', attacker, 'secret')).toBe(false);
  });

  /**
   * What a guard subscribed with `command` to `arg` hears while another namespace writes
   * `mcp2:secret`; `undefined` when the guard refuses the subscription. A message the guard
   * publishes on `sentinel` (a channel the subscription hears) ends the listening.
   */
  async function overheard(guard: NamespaceGuard, command: 'subscribe' | 'psubscribe', arg: string, sentinel: string): Promise<string[] | undefined> {
    const line = unlessRefused(() => guard.rewrite(command, [arg]), BlockedCommandError);
    if (!line) return undefined;
    const subscriber = new Redis(server.url);
    try {
      const heard: string[] = [];
      const mark = `sentinel-${Math.random()}`;
      const done = new Promise<void>((resolve) => {
        const hear = (channel: unknown, message: unknown): void => {
          heard.push(`${String(channel)} ${String(message)}`);
          if (String(message) === mark) resolve();
        };
        subscriber.on('message', hear);
        subscriber.on('pmessage', (_pattern: unknown, channel: unknown, message: unknown) => hear(channel, message));
      });
      await (command === 'subscribe' ? subscriber.subscribe(...(line as string[])) : subscriber.psubscribe(...(line as string[])));
      await redis.set('mcp2:secret', 'v'); // another namespace writes
      await send('PUBLISH', guard.rewrite('publish', [sentinel, mark]));
      await done;
      return heard;
    } finally {
      subscriber.disconnect();
    }
  }

  it('review finding, fixed: a namespace named like a server channel ("__keyevent@0__") hears every namespace\'s key names', async () => {
    // The guard refuses channels that start with "__", but not a namespace whose prefix does.
    const guard = unlessRefused(() => createGuard({ namespace: '__keyevent@0__', namespaces: ['mcp2'] }), IsolationConfigError);
    if (!guard) return;
    const heard = await overheard(guard, 'subscribe', 'set', 'set');
    expect(heard?.filter((line) => line.includes('mcp2:secret')) ?? []).toEqual([]);
  });

  it('review finding, fixed: a prefix given by hand that is a server channel ("__keyspace@0__:") hears every namespace\'s key names', async () => {
    const guard = unlessRefused(() => createGuard({ namespace: 'spy', namespaces: ['mcp2'], prefix: '__keyspace@0__:' }), IsolationConfigError);
    if (!guard) return;
    const heard = await overheard(guard, 'psubscribe', '*', 'anything');
    expect(heard?.filter((line) => line.includes('mcp2:secret')) ?? []).toEqual([]);
  });

  it('review finding, fixed: strict mode with a prefix holding "*": SORT GET passes unchanged and reads another namespace\'s keys', async () => {
    // Prefix mode refuses SORT BY/GET for such a prefix (SORT substitutes the first "*"); strict mode lets it through.
    const set = defineNamespaces({ namespaces: ['app', 'odd'] });
    const guard = unlessRefused(() => createGuard({ namespace: 'odd', namespaces: set, prefix: 'a*', mode: 'strict' }), IsolationConfigError);
    if (!guard) return;
    await redis.flushdb();
    await redis.set('app:secret', 'APP-SECRET');
    await redis.rpush('a*list', 'pp:secret'); // the namespace's own list; its element completes "a" + "pp:secret"
    const line = unlessRefused(() => guard.rewrite('sort', ['a*list', 'BY', 'nosort', 'GET', 'a*']), BlockedCommandError);
    if (!line) return;
    const reply = (await send('SORT', line)) as unknown[];
    expect(reply.map((value) => (value === null ? null : bytes(value).toString()))).not.toContain('APP-SECRET');
  });
});

describe('findings: a namespace set changed after creation', () => {
  it('review finding, fixed: emptying set.names lets a prefix given by hand ("mcp") address a listed namespace ("mcp2")', () => {
    const set = defineNamespaces({ namespaces: ['x', 'mcp2'] });
    try {
      (set.names as string[]).splice(0);
    } catch (error) {
      expect(error).toBeInstanceOf(TypeError); // frozen: the attempt fails loudly
    }
    const guard = unlessRefused(() => createGuard({ namespace: 'x', namespaces: set, prefix: 'mcp' }), IsolationConfigError);
    if (!guard) return;
    const sent = unlessRefused(() => guard.rewrite('get', ['2:secret']), IsolationError);
    expect(sent && bytes(sent[0]).toString()).not.toBe('mcp2:secret');
  });

  it('review finding, fixed: emptying set.families lets a prefix given by hand ("tenant-7") address a family member', () => {
    const set = defineNamespaces({ namespaces: ['x'], families: ['tenant-*'] });
    try {
      (set.families as string[]).splice(0);
    } catch (error) {
      expect(error).toBeInstanceOf(TypeError);
    }
    const guard = unlessRefused(() => createGuard({ namespace: 'x', namespaces: set, prefix: 'tenant-7' }), IsolationConfigError);
    if (!guard) return;
    const sent = unlessRefused(() => guard.rewrite('get', [':secret']), IsolationError);
    expect(sent && bytes(sent[0]).toString()).not.toBe('tenant-7:secret');
  });

  it('review finding, fixed: assigning set.separator changes the prefixes of guards created afterwards: "mcp" then writes into "mcp2"', async () => {
    const set = defineNamespaces({ namespaces: ['mcp', 'mcp2'] });
    const victim = createGuard({ namespace: 'mcp2', namespaces: set }); // created before: prefix "mcp2:"
    try {
      (set as unknown as { separator: string }).separator = '2';
    } catch (error) {
      expect(error).toBeInstanceOf(TypeError);
    }
    const attacker = createGuard({ namespace: 'mcp', namespaces: set });
    expect(await shareAKey(victim, 'secret', attacker, ':secret')).toBe(false);
  });
});

describe('findings: overlaps accepted at definition (design gaps)', () => {
  it('review finding, fixed: prefixes given by hand to two namespaces of one set are never compared: "sh" reaches "sha"', async () => {
    // Prefixes given by hand belong to the set, which compares them with each other; a guard may not bring its own.
    expect(() => defineNamespaces({ namespaces: ['a', 'b'], prefixes: { a: 'sh', b: 'sha' } })).toThrow(/"b": its prefix "sha" overlaps "sh"/);
    const set = defineNamespaces({ namespaces: ['a', 'b'], prefixes: { a: 'sh' } });
    const a = createGuard({ namespace: 'a', namespaces: set });
    expect(a.prefix).toBe('sh');
    const b = unlessRefused(() => createGuard({ namespace: 'b', namespaces: set, prefix: 'sha' }), IsolationConfigError);
    if (!b) return;
    expect(await shareAKey(b, 'X', a, 'aX')).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Invariants that held.

interface Config {
  readonly separator: string;
  readonly hashTag: boolean;
}

/** One- and several-character separators, a multi-byte one, one that starts with a character names hold, hash tags. */
const CONFIGS: readonly Config[] = [
  { separator: ':', hashTag: false },
  { separator: '::', hashTag: false },
  { separator: '-:', hashTag: false },
  { separator: '→', hashTag: false },
  { separator: '/', hashTag: true },
  { separator: ':', hashTag: true },
];

/** Listed names, family members, names that start others' (`tenant-4` / `tenant-42` / `tenant-420`, `mcp` / `mcp2`), a multi-byte one. */
const MEMBERS = ['tenant-42', 'tenant-4', 'tenant-420', 'tenant-7', 'tenant-é', 'mcp', 'mcp2'] as const;

/** Prefixes given by hand (for namespace `mcp`), with glob characters. */
const HAND_PREFIXES = [undefined, 'svc.mcp.', 'svc[m]?|'] as const;

interface Deployment {
  readonly config: Config;
  readonly set: NamespaceSet;
  /** Every member's prefix as the server stores it. */
  readonly prefixes: ReadonlyMap<string, Buffer>;
}

const DEPLOYMENTS: readonly Deployment[] = CONFIGS.map((config) => {
  const set = defineNamespaces({ namespaces: ['mcp', 'mcp2'], families: ['tenant-*'], ...config });
  return { config, set, prefixes: new Map(MEMBERS.map((member) => [member, Buffer.from(set.prefixOf(member))])) };
});

interface Attacker {
  readonly deployment: Deployment;
  readonly guard: NamespaceGuard;
  /** The prefixes of every other namespace. */
  readonly others: readonly Buffer[];
}

const attackers = (modes: readonly IsolationMode[], handPrefixes: readonly (string | undefined)[] = HAND_PREFIXES): Attacker[] =>
  DEPLOYMENTS.flatMap((deployment) =>
    (['tenant-42', 'tenant-4', 'mcp'] as const).flatMap((namespace) =>
      modes.flatMap((mode) =>
        (namespace === 'mcp' ? handPrefixes : [undefined]).map((prefix) => {
          // A prefix given by hand is the set's: a set of its own for that variant.
          const set = prefix === undefined ? deployment.set : defineNamespaces({ namespaces: ['mcp', 'mcp2'], families: ['tenant-*'], ...deployment.config, prefixes: { mcp: prefix } });
          const options: GuardOptions = { namespace, namespaces: set, mode };
          const guard = createGuard(options);
          const others = [...deployment.prefixes].filter(([member]) => member !== namespace).map(([, bytesOf]) => bytesOf);
          // A short label in fast-check's counterexamples (a guard prints its whole command table).
          const label = `${namespace} ${mode}${prefix === undefined ? '' : ` prefix ${prefix}`} separator ${deployment.config.separator}${deployment.config.hashTag ? ' hashTag' : ''}`;
          return { deployment, guard, others, [fc.toStringMethod]: () => label };
        }),
      ),
    ),
  );

const ALL_ATTACKERS = attackers(['prefix', 'strict']);

/** Pieces of adversarial names: separators, glob syntax and escapes, braces, other namespaces' names, multi-byte characters. */
const piece = fc.constantFrom(
  'x', ':', '::', '-', '-:', '4', '2', '0', '7', '{', '}', '[', ']', '[:]', '\\:', '\\', '*', '?', '^', 'é', '→', '/', '|',
  'tenant-', 'tenant-7', 'tenant-4', '{tenant-7}', 'mcp', 'mcp2', '\ufffd', '#', '->', 'f',
);
const text = fc.array(piece, { maxLength: 6 }).map((pieces) => pieces.join(''));

/** Arguments an attacker of `target` may try: plain texts, texts after its own or another prefix, invalid UTF-8, numbers. */
const argumentFor = (target: Attacker, glob: boolean): fc.Arbitrary<RedisArg> => {
  const own = glob ? target.guard.patternPrefix : target.guard.prefix;
  const other = fc.constantFrom(...target.others);
  return fc.oneof(
    text,
    text.map((t) => `${own}${t}`),
    fc.tuple(other, text).map(([prefix, t]) => `${prefix.toString()}${t}`),
    fc.tuple(other, fc.uint8Array({ maxLength: 3 }), text).map(([prefix, raw, t]) => Buffer.concat([prefix, Buffer.from(raw), Buffer.from(t)])),
    fc.tuple(fc.uint8Array({ maxLength: 3 }), text).map(([raw, t]) => Buffer.concat([Buffer.from(raw), Buffer.from(t)])),
    fc.tuple(text, fc.uint8Array({ minLength: 1, maxLength: 3 })).map(([t, raw]) => Buffer.concat([Buffer.from(`${own}${t}`), Buffer.from(raw)])),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
  );
};

/** SORT BY/GET patterns: an attack argument with a `*` somewhere after it (SORT substitutes the first). */
const withStar = (argument: fc.Arbitrary<RedisArg>): fc.Arbitrary<RedisArg> =>
  fc.tuple(argument, text).map(([arg, t]) => (Buffer.isBuffer(arg) ? Buffer.concat([arg, Buffer.from(`*${t}`)]) : `${String(arg)}*${t}`));

/** The refusals an attack may meet: it must be refused with a typed isolation error, never otherwise. */
function sentOrRefused(run: () => readonly RedisArg[]): readonly RedisArg[] | undefined {
  try {
    return run();
  } catch (error) {
    expect(error).toBeInstanceOf(IsolationError);
    return undefined;
  }
}

/**
 * The key SORT reads for a BY/GET `pattern` and an element, as `lookupKeyByPattern` (sort.c)
 * computes it: `'element'` for `#`, `undefined` when it reads nothing. `#` and the `*` are found
 * with C string functions (they stop at a NUL byte); lengths are the whole argument's.
 */
function sortLookup(pattern: Buffer, element: Buffer): Buffer | 'element' | undefined {
  if (pattern[0] === 0x23 && (pattern.length === 1 || pattern[1] === 0)) return 'element';
  const nul = pattern.indexOf(0);
  const cString = nul === -1 ? pattern : pattern.subarray(0, nul);
  const star = cString.indexOf(0x2a);
  if (star === -1) return undefined;
  const arrow = cString.indexOf('->', star + 1);
  const fieldLength = arrow !== -1 && arrow + 2 < cString.length ? pattern.length - arrow - 2 : 0;
  const postfixLength = pattern.length - (star + 1) - (fieldLength ? fieldLength + 2 : 0);
  return Buffer.concat([pattern.subarray(0, star), element, pattern.subarray(star + 1, star + 1 + postfixLength)]);
}

/** Whether `sent` stays in the namespace of `attacker`: its own prefix, and no other's. */
function staysHome(attacker: Attacker, sent: Buffer): boolean {
  return startsWith(sent, Buffer.from(attacker.guard.prefix)) && !attacker.others.some((other) => startsWith(sent, other));
}

describe('held: what a guard sends stays in its namespace', () => {
  it('definitions: accepted names, families and separators give prefixes no other member\'s prefix starts (as bytes)', () => {
    const unit = fc.constantFrom('a', 'b', '-', ':', '/', 'é', '→', '.', '\ufffd');
    const name = fc.string({ minLength: 1, maxLength: 4, unit });
    fc.assert(
      fc.property(
        fc.array(name, { maxLength: 4 }),
        fc.array(name.map((stem) => `${stem}*`), { maxLength: 3 }),
        fc.string({ minLength: 1, maxLength: 2, unit }),
        fc.boolean(),
        fc.array(name, { minLength: 1, maxLength: 4 }),
        (names, families, separator, hashTag, ids) => {
          let set: NamespaceSet;
          try {
            set = defineNamespaces({ namespaces: names, families, separator, hashTag });
          } catch (error) {
            expect(error).toBeInstanceOf(IsolationConfigError);
            return;
          }
          const members = [...set.names, ...families.flatMap((family) => ids.map((id) => `${family.slice(0, -1)}${id}`))].filter(
            (member) => set.invalidName(member) === undefined,
          );
          for (const a of members) {
            for (const b of members) {
              if (a === b) continue;
              const pa = Buffer.from(set.prefixOf(a));
              const pb = Buffer.from(set.prefixOf(b));
              expect(startsWith(pb, pa), `${shown(a)} ${shown(b)} ${shown(separator)}`).toBe(false);
              // ownerOf reads the member back from a key, as text and as bytes.
              expect(set.ownerOf(`${set.prefixOf(b)}k`)).toBe(b);
              expect(set.ownerOf(Buffer.from(`${set.prefixOf(b)}k`))).toBe(b);
            }
          }
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('definitions: a prefix given by hand that is accepted is no member\'s start, nor started by one (as bytes)', () => {
    const unit = fc.constantFrom('t', 'e', 'n', 'a', '-', '4', '2', ':', '{', '}', '*', '[', 'm', 'c', 'p', '/');
    fc.assert(
      fc.property(
        fc.constantFrom(...DEPLOYMENTS),
        fc.string({ minLength: 1, maxLength: 8, unit }),
        fc.constantFrom('x', 'mcp', 'tenant-42'),
        fc.array(fc.string({ minLength: 1, maxLength: 3, unit: fc.constantFrom('1', '7', 'x', '-', 'é') }), { minLength: 1, maxLength: 4 }),
        (deployment, prefix, namespace, ids) => {
          const set = defineNamespaces({ namespaces: ['mcp', 'mcp2', 'x'], families: ['tenant-*'], ...deployment.config });
          const guard = unlessRefused(() => createGuard({ namespace, namespaces: set, prefix }), IsolationConfigError);
          if (!guard) return;
          const members = ['mcp', 'mcp2', 'x', ...ids.map((id) => `tenant-${id}`)].filter((member) => member !== namespace && set.invalidName(member) === undefined);
          const own = Buffer.from(prefix);
          for (const member of members) {
            const theirs = Buffer.from(set.prefixOf(member));
            expect(startsWith(own, theirs) || startsWith(theirs, own), `${prefix} / ${member}`).toBe(false);
          }
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('keys, channels and connection names: every accepted one carries the own prefix and no other\'s, in both modes and both paths', () => {
    const cases: ReadonlyArray<{ command: string; at: number; build: (arg: RedisArg) => RedisArg[] }> = [
      { command: 'set', at: 0, build: (arg) => [arg, 'v'] },
      { command: 'publish', at: 0, build: (arg) => [arg, 'm'] },
      { command: 'subscribe', at: 0, build: (arg) => [arg] },
      { command: 'client', at: 1, build: (arg) => ['SETNAME', arg] },
      { command: 'client', at: 3, build: (arg) => ['TRACKING', 'ON', 'PREFIX', arg, 'BCAST'] },
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...ALL_ATTACKERS).chain((attacker) => fc.tuple(fc.constant(attacker), argumentFor(attacker, false), fc.constantFrom(...cases))),
        ([attacker, arg, { command, at, build }]) => {
          const sent = sentOrRefused(() => attacker.guard.rewrite(command, build(arg)));
          // node-redis's path (a whole command line) decides the same.
          const line = sentOrRefused(() => attacker.guard.rewriteArgv([command.toUpperCase(), ...build(arg)]));
          expect(line?.slice(1).map(bytes)).toEqual(sent?.map(bytes));
          if (!sent) return;
          expect(staysHome(attacker, bytes(sent[at])), `${attacker.guard.namespace} ${attacker.guard.mode} ${command} ${bytes(sent[at]).toString()}`).toBe(true);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('patterns: no accepted pattern matches a name of another namespace (Redis glob port), in both modes', () => {
    const cases: ReadonlyArray<{ command: string; at: number; build: (arg: RedisArg) => RedisArg[] }> = [
      { command: 'keys', at: 0, build: (arg) => [arg] },
      { command: 'scan', at: 2, build: (arg) => ['0', 'MATCH', arg] },
      { command: 'psubscribe', at: 0, build: (arg) => [arg] },
      { command: 'pubsub', at: 1, build: (arg) => ['CHANNELS', arg] },
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...ALL_ATTACKERS).chain((attacker) =>
          fc.tuple(fc.constant(attacker), argumentFor(attacker, true), fc.constantFrom(...cases), fc.array(text, { minLength: 1, maxLength: 4 })),
        ),
        ([attacker, arg, { command, at, build }, suffixes]) => {
          const sent = sentOrRefused(() => attacker.guard.rewrite(command, build(arg)));
          if (!sent) return;
          const pattern = bytes(sent[at]);
          for (const other of attacker.others) {
            for (const suffix of suffixes) {
              expect(globMatch(pattern, Buffer.concat([other, Buffer.from(suffix)])), `${pattern.toString()} matches ${other.toString()}${suffix}`).toBe(false);
            }
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('SORT BY/GET: for any element, the key SORT reads carries the own prefix and no other\'s (prefix without "*")', () => {
    const element = fc.oneof(text, fc.uint8Array({ maxLength: 4 }).map((raw) => Buffer.from(raw)));
    let reads = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...ALL_ATTACKERS).chain((attacker) =>
          fc.tuple(fc.constant(attacker), fc.oneof(argumentFor(attacker, false), withStar(argumentFor(attacker, false))), fc.constantFrom('BY', 'GET'), fc.array(element, { minLength: 1, maxLength: 4 })),
        ),
        ([attacker, arg, keyword, elements]) => {
          const list = attacker.guard.mode === 'strict' ? `${attacker.guard.prefix}list` : 'list';
          const sent = sentOrRefused(() => attacker.guard.rewrite('sort', [list, keyword, arg]));
          if (!sent) return;
          for (const item of elements) {
            const read = sortLookup(bytes(sent[2]), bytes(item));
            if (read === undefined || read === 'element') continue;
            reads++;
            expect(staysHome(attacker, read), `${bytes(sent[2]).toString()} reads ${read.toString()}`).toBe(true);
          }
        },
      ),
      { numRuns: 3000 },
    );
    expect(reads).toBeGreaterThan(500);
  });

  it('reply names: a name of another namespace is never stripped into one of the view\'s own', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...attackers(['prefix'])).chain((attacker) => fc.tuple(fc.constant(attacker), fc.constantFrom(...attacker.others), text, fc.boolean())),
        ([attacker, other, suffix, asBytes]) => {
          const foreign = Buffer.concat([other, Buffer.from(suffix)]);
          const name = asBytes ? foreign : foreign.toString();
          for (const [command, args, reply] of [
            ['keys', ['*'], [name]],
            ['blpop', ['q', '0'], [name, 'v']],
            ['pubsub', ['CHANNELS'], [name]],
          ] as const) {
            const out = (attacker.guard.unprefixReply(command, args, reply) as unknown[])[0];
            // A foreign name comes back whole (or the reply is refused); it never loses a prefix it does not carry.
            expect(bytes(out).equals(bytes(name)), `${command} ${bytes(name).toString()} -> ${bytes(out).toString()}`).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('held, against the server', () => {
  const SUFFIXES = ['', 'x', 'tenant-7:x', ':x', '{x}', '[x]', 'é', '\\x', '*', '→x'];

  /** Every member's keys of every deployment, plus keys of no namespace. */
  const universe = (): Buffer[] => {
    const keys = DEPLOYMENTS.flatMap((deployment) => [...deployment.prefixes.values()].flatMap((prefix) => SUFFIXES.map((suffix) => Buffer.concat([prefix, Buffer.from(suffix)]))));
    keys.push(...['x', 'tenant-7', 'tenant-42', 'mcp2', '{tenant-7}x', 'svc.mcp.x', 'svc[m]?|x', 'svcm|x'].map((key) => Buffer.from(key)));
    keys.push(Buffer.from([0x74, 0xff, 0x3a, 0x78]));
    return keys;
  };

  const PATTERN_SEED = Number(process.env.NAMESPACE_ATTACK_SEED ?? 20261130);
  const special = ['tenant-7[:]*', 'tenant-7?*', 'tenant-7\\:*', 'tenant-4*', 'tenant-4[0-9]*', '[t]enant-7:*', '*', '?*', '[^t]*', 'mcp*', 'mcp2\\:*', '{tenant-7}*', '\\'];

  it('KEYS, SCAN MATCH and PUBSUB CHANNELS: every name the server returns is the own namespace\'s (both modes, all separators)', async () => {
    await redis.flushdb();
    const names = universe();
    await redis.mset(...names.flatMap((key) => [key, 'v']));
    const subscriber = new Redis(server.url);
    let reached = 0; // replies that held names: the attacks did reach the server's matching
    try {
      await subscriber.subscribe(...(names as unknown as string[])); // ioredis takes Buffers too
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...ALL_ATTACKERS).chain((attacker) =>
            fc.tuple(fc.constant(attacker), fc.oneof(argumentFor(attacker, true), fc.constantFrom(...special), fc.constantFrom(...special).map((s) => `${attacker.guard.patternPrefix}${s}`))),
          ),
          async ([attacker, pattern]) => {
            const label = `${attacker.guard.namespace} ${attacker.guard.mode} prefix ${attacker.guard.prefix} pattern ${bytes(pattern).toString()}`;
            const keys = sentOrRefused(() => attacker.guard.rewrite('keys', [pattern]));
            if (keys) {
              const reply = (await send('KEYS', keys)) as Buffer[];
              if (reply.length > 0) reached++;
              for (const key of reply) expect(staysHome(attacker, key), `${label}: KEYS gave ${key.toString()}`).toBe(true);
            }
            const scan = sentOrRefused(() => attacker.guard.rewrite('scan', ['0', 'COUNT', '1000', 'MATCH', pattern]));
            if (scan) {
              let cursor = '0';
              do {
                const [next, page] = (await send('SCAN', [cursor, ...scan.slice(1)])) as [Buffer, Buffer[]];
                for (const key of page) expect(staysHome(attacker, key), `${label}: SCAN gave ${key.toString()}`).toBe(true);
                cursor = next.toString();
              } while (cursor !== '0');
            }
            const channels = sentOrRefused(() => attacker.guard.rewrite('pubsub', ['CHANNELS', pattern]));
            if (channels) {
              const reply = (await send('PUBSUB', channels)) as Buffer[];
              for (const channel of reply) expect(staysHome(attacker, channel), `${label}: PUBSUB CHANNELS gave ${channel.toString()}`).toBe(true);
            }
          },
        ),
        // Seeded (NAMESPACE_ATTACK_SEED to explore others), so that how many attacks reached the
        // server's matching, the check against a vacuous run below, does not vary from run to run.
        { numRuns: 400, seed: PATTERN_SEED },
      );
      // Not vacuous: at least a tenth of the 400 runs got names back from the server (46 with the default seed).
      expect(reached, `seed ${PATTERN_SEED}`).toBeGreaterThanOrEqual(40);
    } finally {
      subscriber.disconnect();
    }
  });

  it('SCAN without MATCH is confined by the MATCH the guard adds', async () => {
    await redis.flushdb();
    await redis.mset(...universe().flatMap((key) => [key, 'v']));
    for (const attacker of ALL_ATTACKERS) {
      const line = attacker.guard.rewrite('scan', ['0', 'COUNT', '1000']);
      let cursor = '0';
      do {
        const [next, page] = (await send('SCAN', [cursor, ...line.slice(1)])) as [Buffer, Buffer[]];
        for (const key of page) expect(staysHome(attacker, key), `${attacker.guard.namespace}: ${key.toString()}`).toBe(true);
        cursor = next.toString();
      } while (cursor !== '0');
    }
  });

  it('SORT BY/GET: what another namespace stores where an unconfined pattern would read is never returned', async () => {
    const element = fc.oneof(text, fc.constantFrom('tenant-7:secret', ':secret', '7:secret', '2:secret', '{tenant-7}:secret', 'secret'));
    // A prefix holding "*" is the strict-mode finding above; the others hold.
    const sorters = attackers(['prefix', 'strict'], [undefined, 'svc.mcp.', 'svc[m]?|']);
    let readOwn = 0; // replies that read the namespace's own keys: the GETs did reach keys (and sortLookup agrees with the server)
    let planted = 0; // keys outside the namespace an unconfined pattern would have read
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...sorters).chain((attacker) =>
          fc.tuple(
            fc.constant(attacker),
            fc.array(fc.oneof(withStar(argumentFor(attacker, false)), fc.constantFrom('*', '*->f', '#', 'tenant-7:*', 'mcp*', '*secret')), { minLength: 1, maxLength: 3 }),
            fc.uniqueArray(element, { minLength: 1, maxLength: 4 }),
          ),
        ),
        async ([attacker, patterns, elements]) => {
          await redis.flushdb();
          const list = attacker.guard.mode === 'strict' ? `${attacker.guard.prefix}list` : 'list';
          const listKey = bytes(attacker.guard.prefixKey(Buffer.from(list)));
          // Plant "LEAK" wherever the patterns, unconfined, would read outside the namespace.
          const own = Buffer.from(attacker.guard.prefix);
          for (const pattern of patterns) {
            for (const item of elements) {
              const target = sortLookup(bytes(pattern), Buffer.from(item));
              if (target === undefined || target === 'element' || startsWith(target, own)) continue;
              planted++;
              const field = bytes(pattern).indexOf('->');
              // A key planted as a string by another pattern refuses HSET: that pattern still finds LEAK there.
              if (field !== -1) await redis.hset(target, bytes(pattern).subarray(field + 2), 'LEAK').catch(() => undefined);
              else await redis.set(target, 'LEAK');
            }
          }
          await redis.rpush(listKey, ...elements);
          const line = sentOrRefused(() => attacker.guard.rewrite('sort', [list, 'BY', 'nosort', ...patterns.flatMap((pattern) => ['GET', pattern])]));
          if (!line) return;
          for (let i = 4; i < line.length; i += 2) {
            for (const item of elements) {
              const read = sortLookup(bytes(line[i]), Buffer.from(item));
              if (read instanceof Buffer && startsWith(read, own) && !bytes(line[i]).includes('->')) await redis.set(read, 'OWN');
            }
          }
          const reply = (await send('SORT', line).catch((error: Error) => [error.message])) as unknown[];
          for (const value of reply) expect(value === null ? null : bytes(value).toString(), `${attacker.guard.namespace} ${attacker.guard.mode} ${line.map((a) => bytes(a).toString()).join(' ')}`).not.toBe('LEAK');
          if (reply.some((value) => value !== null && bytes(value).toString() === 'OWN')) readOwn++;
        },
      ),
      { numRuns: 300 },
    );
    expect(readOwn).toBeGreaterThan(30);
    expect(planted).toBeGreaterThan(100);
  });

  it('CLIENT LIST / GETNAME: a view is shown only its namespace\'s named connections (ASCII separators)', async () => {
    const ascii = ALL_ATTACKERS.filter((attacker) => /^[\x21-\x7e]+$/.test(attacker.deployment.config.separator));
    const connections: Redis[] = [];
    try {
      for (const deployment of DEPLOYMENTS.filter((d) => /^[\x21-\x7e]+$/.test(d.config.separator))) {
        for (const [member, prefix] of deployment.prefixes) {
          if (!/^[\x21-\x7e]+$/.test(prefix.toString())) continue;
          const connection = new Redis(server.url);
          await connection.client('SETNAME', `${prefix.toString()}conn-${member}`);
          connections.push(connection);
        }
      }
      const list = (await redis.client('LIST')) as string;
      for (const attacker of ascii) {
        const shownList = attacker.guard.unprefixReply('client', ['LIST'], list) as string;
        for (const line of shownList.split('\n').filter(Boolean)) {
          const name = /(^| )name=(\S*)/.exec(line)?.[2] ?? '';
          const stored = attacker.guard.mode === 'strict' ? name : `${attacker.guard.prefix}${name}`;
          expect(staysHome(attacker, Buffer.from(stored)), `${attacker.guard.namespace} ${attacker.guard.mode} sees ${name}`).toBe(true);
        }
        for (const connection of connections) {
          const name = (await connection.client('GETNAME')) as string;
          const seen = attacker.guard.unprefixReply('client', ['GETNAME'], name);
          if (seen !== null) expect(staysHome(attacker, Buffer.from(name)), `${attacker.guard.namespace} GETNAME ${name}`).toBe(true);
        }
      }
    } finally {
      for (const connection of connections) connection.disconnect();
    }
  });

  it('the brief\'s glob attacks from tenant-42: prefixed (harmless) or refused, never passed as they are', async () => {
    await redis.flushdb();
    await redis.mset('tenant-7:a', '1', 'tenant-42:b', '1', 'tenant-4:c', '1', 'tenant-420:d', '1');
    const set = defineNamespaces({ families: ['tenant-*'] });
    const seen: Record<string, string> = {};
    for (const mode of ['prefix', 'strict'] as const) {
      const guard = createGuard({ namespace: 'tenant-42', namespaces: set, mode });
      for (const pattern of ['tenant-7[:]*', 'tenant-7?*', 'tenant-7\\:*', 'tenant-4*', 'tenant-42*', 'tenant-42?*', 'tenant-42[:]*', 'tenant-42\\:*', 'tenant-42:*']) {
        const line = sentOrRefused(() => guard.rewrite('keys', [pattern]));
        seen[`${mode} ${pattern}`] = line ? String(line[0]) : 'refused';
        if (!line) continue;
        const reply = (await send('KEYS', line)) as Buffer[];
        expect(reply.map(String).every((key) => key.startsWith('tenant-42:')), `${mode} ${pattern}: ${reply.map(String).join(',')}`).toBe(true);
      }
    }
    // Strict mode passes only patterns that start with the literal prefix.
    expect(Object.entries(seen).filter(([key, value]) => key.startsWith('strict') && value !== 'refused').map(([, value]) => value)).toEqual(['tenant-42:*']);
  });
});
