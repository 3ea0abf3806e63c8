import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUILTIN_COMMANDS } from '../../src/core/command-table.js';
import { DoublePrefixError, IsolationError, createGuard, describeCommand, escapeGlob, type RedisArg, type ReplySlot } from '../../src/index.js';
import { globMatch } from '../support/redis-glob.js';

const namespaces = ['mcp2', 'celery', 'journal'];
const guard = createGuard({ namespace: 'mcp2', namespaces });
const strict = createGuard({ namespace: 'mcp2', namespaces, mode: 'strict' });
const claimed = ['mcp2:', 'celery:', 'journal:'];

const text = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: fc.constantFrom('*', '?', '[', ']', '\\', '^', '-', ':', 'a', 'm') }));
const bytes = fc.uint8Array({ maxLength: 24 }).map((array) => Buffer.from(array));
const key: fc.Arbitrary<string | Buffer> = fc.oneof(text, bytes, fc.constantFrom('', 'mcp2', 'mcp2:', 'celery:x', 'STREAMS', 'WEIGHTS'));
const unclaimed = key.filter((k) => !claimed.some((p) => (typeof k === 'string' ? k.startsWith(p) : k.subarray(0, p.length).equals(Buffer.from(p)))));
const asBytes = (k: RedisArg): Buffer => (Buffer.isBuffer(k) ? k : Buffer.from(String(k)));

describe('guard properties', () => {
  it('prefix then un-prefix is the identity, for text and binary keys', () => {
    fc.assert(
      fc.property(unclaimed, (k) => {
        const [sent] = guard.rewrite('get', [k]);
        expect(asBytes(sent as RedisArg).subarray(0, 5).toString()).toBe('mcp2:');
        expect(typeof sent).toBe(typeof k);
        expect(guard.unprefixKey(sent as typeof k)).toEqual(k);
        expect(guard.unprefixReply('keys', ['*'], [sent])).toEqual([k]);
      }),
      { numRuns: 2000 },
    );
  });

  it('rewriteArgv on a whole command line agrees with rewrite: same arguments, same refusals, same reply slot', () => {
    const names = BUILTIN_COMMANDS.names();
    const subcommandOf = (name: string): string[] => {
      const spec = BUILTIN_COMMANDS.get(name);
      return spec?.kind === 'container' ? spec.subcommands.names() : [];
    };
    const words = fc.oneof(key, fc.constantFrom('1', '2', '0', 'STREAMS', 'STORE', 'KEYS', 'MATCH', ''));
    const line = fc.constantFrom(...names).chain((name) => {
      const subs = subcommandOf(name);
      const head = subs.length > 0 ? fc.constantFrom(...subs).map((sub) => [sub]) : fc.constant([] as string[]);
      return fc.tuple(fc.constantFrom(name, name.toUpperCase()), head, fc.array(words, { maxLength: 6 }));
    });
    const outcome = (run: () => readonly RedisArg[]): unknown => {
      try {
        return run();
      } catch (error) {
        return { refused: (error as IsolationError).code, message: (error as Error).message };
      }
    };
    fc.assert(
      fc.property(line, ([name, head, rest]) => {
        const args: RedisArg[] = [...head, ...rest];
        for (const g of [guard, strict]) {
          const slotA: ReplySlot = { shape: undefined };
          const slotB: ReplySlot = { shape: undefined };
          const viaArgs = outcome(() => g.rewrite(name, args, slotA));
          const viaLine = outcome(() => g.rewriteArgv([name, ...args], slotB));
          expect(viaLine).toEqual(Array.isArray(viaArgs) ? [name, ...viaArgs] : viaArgs);
          if (Array.isArray(viaArgs)) expect(slotB).toEqual(slotA);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('never lets a key through without the prefix, whatever the command and its arguments', () => {
    const names = BUILTIN_COMMANDS.names();
    const subcommandOf = (name: string): string[] => {
      const spec = BUILTIN_COMMANDS.get(name);
      return spec?.kind === 'container' ? spec.subcommands.names() : [];
    };
    const line = fc
      .constantFrom(...names)
      .chain((name) => {
        const subs = subcommandOf(name);
        const head = subs.length > 0 ? fc.constantFrom(...subs).map((sub) => [sub]) : fc.constant([] as string[]);
        const words = fc.oneof(key, fc.constantFrom('1', '2', '0', 'STREAMS', 'STORE', 'BY', 'GET', 'KEYS', 'MATCH', 'LIMIT', '#', ''));
        return fc.tuple(fc.constant(name), head, fc.array(words, { maxLength: 8 }));
      });
    let checked = 0;
    fc.assert(
      fc.property(line, ([name, head, rest]) => {
        const args: RedisArg[] = [...head, ...rest];
        const description = describeCommand([name, ...args]);
        for (const g of [guard, strict]) {
          let out: readonly RedisArg[];
          try {
            out = g.rewrite(name, args);
          } catch (error) {
            expect(error).toBeInstanceOf(IsolationError);
            continue;
          }
          checked++;
          expect(description.status).toBe('allowed');
          const confined = [...description.keys, ...description.channels, ...description.sortPatterns, ...description.connectionNames];
          for (const position of confined) {
            const sent = asBytes(out[position - 1] as RedisArg);
            const isNoKeySortPattern = description.sortPatterns.includes(position) && !sent.includes('*');
            if (!isNoKeySortPattern) expect(sent.subarray(0, 5).toString(), `${name} ${position}`).toBe('mcp2:');
          }
          for (const position of [...description.keyPatterns, ...description.channelPatterns]) {
            expect(asBytes(out[position - 1] as RedisArg).subarray(0, 5).toString()).toBe('mcp2:');
          }
          // Nothing but the confined arguments changed; confinement is only ever appended.
          const touched = new Set([...confined, ...description.keyPatterns, ...description.channelPatterns, ...description.scripts]);
          args.forEach((arg, i) => {
            if (!touched.has(i + 1)) expect(out[i]).toEqual(arg);
          });
          expect(out.length).toBe(args.length + description.appended.reduce((n, [kw]) => n + (kw === undefined ? 1 : 2), 0));
        }
      }),
      { numRuns: 3000 },
    );
    expect(checked).toBeGreaterThan(500);
  });

  it('a prefixed pattern matches exactly the prefixed names the bare pattern matches, and nothing outside', () => {
    const prefixes = fc.oneof(fc.constant('mcp2:'), fc.string({ minLength: 1, maxLength: 6, unit: fc.constantFrom('a', '*', '?', '[', ']', '\\', ':') }));
    const small = fc.string({ maxLength: 6, unit: fc.constantFrom('a', 'b', '*', '?', '[', ']', '\\', '^', '-', ':') });
    fc.assert(
      fc.property(prefixes, small, small, small, (prefix, pattern, name, outsider) => {
        const g = createGuard({ namespace: 'x', prefix });
        if (pattern.startsWith(escapeGlob(prefix))) {
          expect(() => g.rewrite('keys', [pattern])).toThrow(DoublePrefixError);
          return;
        }
        const [sent] = g.rewrite('keys', [pattern]);
        expect(sent).toBe(escapeGlob(prefix) + pattern);
        const p = Buffer.from(String(sent));
        expect(globMatch(p, Buffer.from(prefix + name))).toBe(globMatch(Buffer.from(pattern), Buffer.from(name)));
        if (!outsider.startsWith(prefix)) expect(globMatch(p, Buffer.from(outsider))).toBe(false);
      }),
      { numRuns: 5000 },
    );
  });

  it('strict mode passes exactly the keys that carry the prefix', () => {
    fc.assert(
      fc.property(key, (k) => {
        const owned = asBytes(k).subarray(0, 5).equals(Buffer.from('mcp2:'));
        if (owned) expect(strict.rewrite('get', [k])).toEqual([k]);
        else expect(() => strict.rewrite('get', [k])).toThrow(IsolationError);
      }),
      { numRuns: 2000 },
    );
  });
});
