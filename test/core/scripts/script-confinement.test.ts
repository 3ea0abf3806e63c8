import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createGuard, UnknownScriptError, type RedisArg } from '../../../src/index.js';
import { functionNamePrefix } from '../../../src/core/scripts/function-names.js';
import { ownFunctionList } from '../../../src/core/scripts/function-list-reply.js';
import { scriptRefusal } from '../../../src/core/scripts/script-refusal.js';
import { CrossNamespaceError, BlockedCommandError } from '../../../src/index.js';

const sha1 = (text: string | Buffer): string => createHash('sha1').update(text).digest('hex');
const namespaces = ['mcp2', 'celery'];
const guard = createGuard({ namespace: 'mcp2', namespaces });
const scripts = guard.scripts!;

describe('wrapping a script', () => {
  it('keeps a shebang on the first line and every line of the script where it was', () => {
    const script = "#!lua flags=no-writes\nlocal a = 1\nreturn redis.call('GET', KEYS[1])";
    const wrapped = scripts.wrapScript(script);
    const lines = wrapped.split('\n');
    expect(lines[0]).toBe('#!lua flags=no-writes');
    expect(lines.length).toBe(script.split('\n').length);
    expect(lines[1]?.endsWith('local a = 1')).toBe(true);
    expect(lines[2]).toBe("return redis.call('GET', KEYS[1])");
    const plain = scripts.wrapScript('return 1');
    expect(plain.split('\n')).toHaveLength(1);
    expect(plain.endsWith('return 1')).toBe(true);
  });

  it('remembers the SHA of the wrapped text under the SHA of the caller\'s text, whatever the form it came in', () => {
    const text = `return ${Math.random()}`;
    const wrapped = scripts.wrapScript(text);
    expect(scripts.wrappedSha(sha1(text))).toBe(sha1(wrapped));
    expect(scripts.wrappedSha(sha1(text).toUpperCase())).toBe(sha1(wrapped));
    expect(scripts.originalSha(sha1(wrapped))).toBe(sha1(text));
    const bytes = scripts.wrapScript(Buffer.from(text));
    expect(Buffer.isBuffer(bytes)).toBe(true);
    expect(bytes.toString()).toBe(wrapped);
  });

  it('sends EVAL with the wrapped text and EVALSHA with its SHA; an unknown SHA is refused as NOSCRIPT before anything is sent', () => {
    const text = `return redis.call('GET', KEYS[1]) -- ${Math.random()}`;
    const unknown = sha1(text);
    expect(() => guard.rewrite('evalsha', [unknown, '1', 'k'])).toThrow(UnknownScriptError);
    try {
      guard.rewrite('evalsha', [unknown, '0']);
    } catch (error) {
      // The drivers' EVALSHA -> EVAL fallbacks look for this word.
      expect((error as Error).message.startsWith('NOSCRIPT')).toBe(true);
      expect(error).toMatchObject({ code: 'ERR_UNKNOWN_SCRIPT', command: 'evalsha', namespace: 'mcp2' });
    }
    const [sent, , key] = guard.rewrite('eval', [text, '1', 'k']) as RedisArg[];
    expect(sent).toBe(scripts.wrapScript(text));
    expect(key).toBe('mcp2:k');
    expect(guard.rewrite('evalsha', [unknown, '1', 'k'])).toEqual([sha1(sent as string), '1', 'mcp2:k']);
    // SCRIPT EXISTS asks for the wrapped script; an unknown SHA as one no script has.
    expect(guard.rewrite('script', ['EXISTS', unknown, 'f'.repeat(40)])).toEqual(['EXISTS', sha1(sent as string), '0'.repeat(40)]);
  });

  it('answers SCRIPT LOAD with the SHA of the caller\'s text', () => {
    const text = `return ${Math.random()}`;
    const [, sent] = guard.rewrite('script', ['LOAD', text]) as string[];
    expect(guard.unprefixReply('script', ['LOAD', text], sha1(sent as string))).toBe(sha1(text));
    const strict = createGuard({ namespace: 'mcp2', namespaces, mode: 'strict' });
    const [, strictSent] = strict.rewrite('script', ['LOAD', text]) as string[];
    expect(strictSent).not.toBe(sent); // strict mode's guard is another prelude
    expect(strict.unprefixReply('script', ['LOAD', text], sha1(strictSent as string))).toBe(sha1(text));
  });

  it('keeps the SHAs of one namespace and mode to itself', () => {
    const text = `return ${Math.random()}`;
    guard.rewrite('eval', [text, '0']);
    const celery = createGuard({ namespace: 'celery', namespaces });
    expect(() => celery.rewrite('evalsha', [sha1(text), '0'])).toThrow(UnknownScriptError);
    expect(() => celery.rewrite('evalsha', [sha1(scripts.wrapScript(text)), '0'])).toThrow(UnknownScriptError);
    // Views of the same namespace over one set share them.
    const set = guard.namespaces;
    const again = createGuard({ namespace: 'mcp2', namespaces: set });
    const other = createGuard({ namespace: 'mcp2', namespaces: set });
    again.rewrite('eval', [text, '0']);
    expect(other.rewrite('evalsha', [sha1(text), '0'])[0]).toBe(sha1(again.scripts!.wrapScript(text)));
  });

  it("with scripts: 'trust', sends scripts and SHAs as they are", () => {
    const trusting = createGuard({ namespace: 'mcp2', namespaces, scripts: 'trust' });
    expect(trusting.scripts).toBeUndefined();
    expect(trusting.rewrite('eval', ['return 1', '1', 'k'])).toEqual(['return 1', '1', 'mcp2:k']);
    expect(trusting.rewrite('evalsha', ['abc', '0'])).toEqual(['abc', '0']);
  });
});

describe('function libraries', () => {
  const code = "#!lua name=lib\nredis.register_function('f', function(keys) return redis.call('GET', keys[1]) end)";

  it('renames the library and its functions into the namespace, and gives back the code as loaded', () => {
    const [, sent] = guard.rewrite('function', ['LOAD', code]) as string[];
    expect(sent?.split('\n')[0]).toBe('#!lua name=mcp2__lib');
    expect(sent?.split('\n')).toHaveLength(2);
    expect(scripts.unwrapLibrary(sent as string)).toBe(code);
    expect(guard.rewrite('function', ['LOAD', 'REPLACE', code])[2]).toBe(sent);
    expect(guard.rewrite('fcall', ['f', '1', 'k'])).toEqual(['mcp2__f', '1', 'mcp2:k']);
    expect(guard.rewrite('function', ['DELETE', 'lib'])).toEqual(['DELETE', 'mcp2__lib']);
    expect(guard.rewrite('function', ['LIST', 'LIBRARYNAME', 'li*'])).toEqual(['LIST', 'LIBRARYNAME', 'mcp2__li*']);
    expect(guard.unprefixReply('function', ['LOAD', code], 'mcp2__lib')).toBe('lib');
  });

  it('encodes namespaces so that no namespace\'s function names start with another\'s', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 6 }), (a, b, rest) => {
        const [pa, pb] = [functionNamePrefix(a), functionNamePrefix(b)];
        expect(/^[A-Za-z0-9_]+$/.test(pa)).toBe(true);
        if (a !== b) expect((pb + rest).startsWith(pa)).toBe(false);
      }),
      { numRuns: 2000, seed: 13 },
    );
    expect(functionNamePrefix('tenant-42')).toBe('tenant_2D42__');
    expect(functionNamePrefix('a_b')).toBe('a_5Fb__');
  });

  it('lists only the namespace\'s own libraries, RESP2 arrays, RESP3 maps and Buffers alike', () => {
    const names = { unprefix: (name: string) => (name.startsWith('mcp2__') ? name.slice(6) : undefined), unwrapLibrary: (c: string) => `unwrapped ${c}` };
    const resp2 = [
      ['library_name', 'mcp2__lib', 'engine', 'LUA', 'functions', [['name', 'mcp2__f', 'description', null, 'flags', []]], 'library_code', 'code'],
      ['library_name', 'celery__lib', 'engine', 'LUA', 'functions', [['name', 'celery__f', 'description', null, 'flags', []]]],
      ['library_name', 'raw', 'engine', 'LUA', 'functions', []],
    ];
    expect(ownFunctionList(resp2, names)).toEqual([
      ['library_name', 'lib', 'engine', 'LUA', 'functions', [['name', 'f', 'description', null, 'flags', []]], 'library_code', 'unwrapped code'],
    ]);
    const resp3 = [
      new Map<unknown, unknown>([['library_name', Buffer.from('mcp2__lib')], ['functions', [new Map([['name', Buffer.from('mcp2__f')]])]]]),
      { library_name: 'celery__lib', functions: [] },
    ];
    const own = ownFunctionList(resp3, names) as Array<Map<unknown, unknown>>;
    expect(own).toHaveLength(1);
    expect(own[0]?.get('library_name')).toEqual(Buffer.from('lib'));
    expect((own[0]?.get('functions') as Array<Map<unknown, unknown>>)[0]?.get('name')).toEqual(Buffer.from('f'));
  });
});

describe('refusals of the Lua guard', () => {
  it('become the typed errors of the client-side guard, with the script named; other errors stay as they are', () => {
    const text = `return ${Math.random()}`;
    const wrapped = scripts.wrapScript(text);
    const reply = new Error(`ERR_CROSS_NAMESPACE GET in a script of namespace mcp2: a name of namespace celery is refused script: ${sha1(wrapped)}, on @user_script:1.`);
    const refusal = scriptRefusal(reply, 'mcp2', (sha) => scripts.originalName(sha));
    expect(refusal).toBeInstanceOf(CrossNamespaceError);
    expect(refusal).toMatchObject({ code: 'ERR_CROSS_NAMESPACE', command: 'get', namespace: 'mcp2', script: sha1(text) });
    const fromFunction = scriptRefusal(new Error('ERR_BLOCKED_COMMAND FLUSHDB in a script of namespace mcp2: it is refused script: mcp2__f, on @user_function:2.'), 'mcp2', (name) => scripts.originalName(name));
    expect(fromFunction).toBeInstanceOf(BlockedCommandError);
    expect(fromFunction).toMatchObject({ script: 'f' });
    const other = new Error('WRONGTYPE Operation against a key holding the wrong kind of value');
    expect(scriptRefusal(other, 'mcp2', () => undefined)).toBe(other);
    const forged = new Error('ERR_CROSS_NAMESPACE GET in a script of namespace celery: made up');
    expect(scriptRefusal(forged, 'mcp2', () => undefined)).toBe(forged);
  });
});
