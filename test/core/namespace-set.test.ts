import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CrossNamespaceError, DoublePrefixError, IsolationConfigError, UnprefixedKeyError, createGuard, defineNamespaces, isNamespaceSet } from '../../src/index.js';

const nameUnit = fc.constantFrom('a', 'b', 'x', '1', '-', '_', '.', ':', 'é');
/** Texts that may or may not be valid names, with the separator and a multi-byte character in reach. */
const text = fc.string({ maxLength: 8, unit: nameUnit });
const validName = text.filter((name) => defineNamespaces().invalidName(name) === undefined);

describe('namespace sets', () => {
  it('finds the owner of a key, a pattern or bytes by its first separator', () => {
    const set = defineNamespaces({ namespaces: ['mcp2', 'celery'], families: ['tenant-'.concat('*')] });
    expect(set.ownerOf('celery:task:1')).toBe('celery');
    expect(set.ownerOf('celery:*')).toBe('celery');
    expect(set.ownerOf(Buffer.from('mcp2:\xff', 'latin1'))).toBe('mcp2');
    expect(set.ownerOf('tenant-42:cart')).toBe('tenant-42');
    expect(set.ownerOf('tenant-:cart')).toBeUndefined(); // a member has a non-empty id
    expect(set.ownerOf('celery')).toBeUndefined();
    expect(set.ownerOf('celer*:x')).toBeUndefined();
    expect(set.ownerOf(':x')).toBeUndefined();
    expect(set.has('tenant-42')).toBe(true);
    expect(set.familyOf('tenant-42')).toBe('tenant-*');
    expect(set.names).toEqual(['mcp2', 'celery']);
    expect(isNamespaceSet(set)).toBe(true);
    expect(isNamespaceSet(['mcp2'])).toBe(false);
  });

  it('reads hash-tagged prefixes', () => {
    const set = defineNamespaces({ namespaces: ['mcp2'], families: ['t-*'], hashTag: true });
    expect(set.prefixOf('mcp2')).toBe('{mcp2}:');
    expect(set.ownerOf('{mcp2}:k')).toBe('mcp2');
    expect(set.ownerOf(Buffer.from('{t-9}:k'))).toBe('t-9');
    expect(set.ownerOf('mcp2:k')).toBeUndefined();
    expect(set.ownerOf('{}:k')).toBeUndefined();
  });

  it('refuses, at definition, families that could share a member, and invalid families', () => {
    expect(() => defineNamespaces({ families: ['tenant-*', 'tenant-eu-*'] })).toThrow(/families "tenant-\*" and "tenant-eu-\*" overlap/);
    expect(() => defineNamespaces({ families: ['t*', 'tenant-*'] })).toThrow(/overlap/);
    for (const family of ['*', 'tenant', 'ten*ant-*', 'a:*', 'a b*']) {
      expect(() => defineNamespaces({ families: [family] }), family).toThrow(IsolationConfigError);
    }
    expect(() => defineNamespaces({ families: ['tenant-*', 'team-*', 'te*'] })).toThrow(/overlap/);
    expect(() => defineNamespaces({ families: ['tenant-*', 'team-*'] })).not.toThrow();
  });

  it('is shared by guards: a guard of a member needs no list, and refuses every other member', () => {
    const set = defineNamespaces({ namespaces: ['mcp2'], families: ['tenant-*'] });
    const guard = createGuard({ namespace: 'tenant-42', namespaces: set });
    expect(guard.namespaces).toBe(set);
    expect(guard.rewrite('get', ['cart'])).toEqual(['tenant-42:cart']);
    expect(() => guard.rewrite('get', ['tenant-7:cart'])).toThrow(CrossNamespaceError);
    expect(() => guard.rewrite('get', [Buffer.from('tenant-7:cart')])).toThrow(CrossNamespaceError);
    expect(() => guard.rewrite('keys', ['tenant-7:*'])).toThrow(CrossNamespaceError);
    expect(() => guard.rewrite('get', ['mcp2:x'])).toThrow(CrossNamespaceError);
    expect(() => guard.rewrite('get', ['tenant-42:cart'])).toThrow(DoublePrefixError);
    expect(guard.rewrite('get', ['tenant-7'])).toEqual(['tenant-42:tenant-7']);
    const strict = createGuard({ namespace: 'tenant-42', namespaces: set, mode: 'strict' });
    expect(() => strict.rewrite('get', ['cart'])).toThrow(UnprefixedKeyError);
    expect(() => strict.rewrite('get', ['tenant-7:cart'])).toThrow(CrossNamespaceError);
    expect(strict.rewrite('get', ['tenant-42:cart'])).toEqual(['tenant-42:cart']);
  });

  it('refuses a guard of a namespace the set lacks, and rules given beside a set', () => {
    const set = defineNamespaces({ namespaces: ['mcp2'] });
    expect(() => createGuard({ namespace: 'celery', namespaces: set })).toThrow(/not in the namespace set/);
    expect(() => createGuard({ namespace: 'mcp2', namespaces: set, separator: '/' })).toThrow(/belong to the namespace set/);
    expect(() => createGuard({ namespace: 'mcp2', namespaces: set, families: ['t-*'] })).toThrow(/belong to the namespace set/);
    expect(createGuard({ namespace: 'mcp2', namespaces: set, separator: ':' }).prefix).toBe('mcp2:');
  });
});

describe('prefixes given by hand, and what a set refuses', () => {
  it('keeps prefixes given by hand in the set, compared with every other prefix', () => {
    const set = defineNamespaces({ namespaces: ['legacy', 'mcp2'], prefixes: { legacy: 'myapp_' } });
    expect(set.prefixOf('legacy')).toBe('myapp_');
    expect(set.ownerOf('myapp_x')).toBe('legacy');
    expect(set.ownerOf('myapp_*', true)).toBe('legacy');
    const mcp2 = createGuard({ namespace: 'mcp2', namespaces: set });
    expect(() => mcp2.rewrite('get', ['myapp_x'])).toThrow(CrossNamespaceError);
    expect(createGuard({ namespace: 'legacy', namespaces: set }).rewrite('get', ['x'])).toEqual(['myapp_x']);
    expect(() => createGuard({ namespace: 'mcp2', namespaces: set, prefix: 'm2_' })).toThrow(/give its prefix in the namespace set/);
    expect(() => defineNamespaces({ namespaces: ['a', 'b'], prefixes: { a: 'x_', b: 'x_y' } })).toThrow(/overlaps "x_"/);
    expect(() => defineNamespaces({ namespaces: ['a', 'mcp2'], prefixes: { a: 'mcp' } })).toThrow(/overlaps "mcp2:"/);
    expect(() => defineNamespaces({ namespaces: ['a'], prefixes: { b: 'b_' } })).toThrow(/not in the set/);
  });

  it('refuses lone surrogates (sent as the bytes of U+FFFD) and names or prefixes shaped like server channels', () => {
    expect(() => defineNamespaces({ namespaces: ['billing\udc00'] })).toThrow(/lone surrogates/);
    expect(() => defineNamespaces({ separator: '\ud800' })).toThrow(IsolationConfigError);
    expect(() => defineNamespaces({ namespaces: ['x'], prefixes: { x: 'y\udc00:' } })).toThrow(/lone surrogates/);
    expect(defineNamespaces({ families: ['tenant-*'] }).has('tenant-\ud800')).toBe(false);
    expect(() => createGuard({ namespace: '__keyevent@0__' })).toThrow(/may not start with "__"/);
    expect(() => createGuard({ namespace: 'spy', prefix: '__keyspace@0__:' })).toThrow(/may not start with "__"/);
  });

  it('is frozen: its lists and rule cannot be changed under the guards that share it', () => {
    const set = defineNamespaces({ namespaces: ['mcp', 'mcp2'], families: ['tenant-*'] });
    expect(Object.isFrozen(set) && Object.isFrozen(set.names) && Object.isFrozen(set.families)).toBe(true);
    expect(() => (set.names as string[]).push('x')).toThrow(TypeError);
    expect(() => Object.assign(set, { separator: '2' })).toThrow(TypeError);
  });

  it('refuses SORT patterns when a prefix given by hand holds the "*" SORT substitutes, in strict mode too', () => {
    const strict = createGuard({ namespace: 'odd', namespaces: ['app'], prefix: 'a*', mode: 'strict' });
    expect(() => strict.rewrite('sort', ['a*list', 'BY', 'nosort', 'GET', 'a*'])).toThrow(/contains "\*"/);
  });
});

describe('namespace sets, properties', () => {
  it('ownerOf agrees with comparing the text against every prefix, for strings and bytes', () => {
    fc.assert(
      fc.property(fc.uniqueArray(validName, { maxLength: 6 }), fc.array(fc.string({ minLength: 1, maxLength: 3, unit: nameUnit }).map((stem) => `${stem}*`), { maxLength: 3 }), text, text, (names, families, head, tail) => {
        let set;
        try {
          set = defineNamespaces({ namespaces: names, families });
        } catch (error) {
          expect(error).toBeInstanceOf(IsolationConfigError);
          return;
        }
        const members = (candidate: string): boolean =>
          names.includes(candidate) ||
          (defineNamespaces().invalidName(candidate) === undefined && families.some((family) => candidate.length >= family.length && candidate.startsWith(family.slice(0, -1))));
        for (const probe of [head, `${head}:${tail}`, `${names[0] ?? 'a'}:${tail}`]) {
          // Brute force: every member whose prefix the probe starts with (a member is the text before some ':').
          const owners = [...probe].map((_, end) => probe.slice(0, end)).filter((candidate) => candidate !== '' && !candidate.includes(':') && probe.startsWith(`${candidate}:`) && members(candidate));
          expect(owners.length).toBeLessThanOrEqual(1);
          expect(set.ownerOf(probe)).toBe(owners[0]);
          expect(set.ownerOf(Buffer.from(probe))).toBe(owners[0]);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('no key of one family member reaches another: whatever the key, a member sends only its own prefix', () => {
    const set = defineNamespaces({ namespaces: ['mcp2'], families: ['tenant-*', 'team-*'] });
    const id = fc.string({ minLength: 1, maxLength: 5, unit: fc.constantFrom('1', '2', 'a', '-', '_', '.') });
    const family = fc.constantFrom('tenant-', 'team-');
    fc.assert(
      fc.property(family, id, family, id, text, fc.boolean(), (familyA, idA, familyB, idB, key, asBytes) => {
        const a = `${familyA}${idA}`;
        const b = `${familyB}${idB}`;
        fc.pre(a !== b);
        const guard = createGuard({ namespace: a, namespaces: set });
        for (const candidate of [key, `${b}:${key}`, `${a}:${key}`]) {
          let sent: string;
          try {
            const out = guard.rewrite('set', [asBytes ? Buffer.from(candidate) : candidate, 'v'])[0];
            sent = Buffer.isBuffer(out) ? out.toString() : String(out);
          } catch (error) {
            expect(error).toBeInstanceOf(Error);
            expect(['ERR_CROSS_NAMESPACE', 'ERR_DOUBLE_PREFIX']).toContain((error as { code?: string }).code);
            continue;
          }
          expect(sent.startsWith(`${a}:`)).toBe(true);
          expect(set.ownerOf(sent)).toBe(a);
        }
        expect(() => guard.rewrite('get', [`${b}:${key}`])).toThrow(CrossNamespaceError);
      }),
      { numRuns: 1000 },
    );
  });

  it('families are accepted exactly when no stem starts another', () => {
    const stem = fc.string({ minLength: 1, maxLength: 3, unit: fc.constantFrom('a', 'b', '-') });
    fc.assert(
      fc.property(fc.uniqueArray(stem, { maxLength: 4 }), (stems) => {
        const overlapping = stems.some((x) => stems.some((y) => x !== y && y.startsWith(x)));
        const define = (): unknown => defineNamespaces({ families: stems.map((s) => `${s}*`) });
        if (overlapping) expect(define).toThrow(/overlap/);
        else expect(define).not.toThrow();
      }),
    );
  });
});
