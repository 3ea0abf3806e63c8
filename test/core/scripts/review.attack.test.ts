import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { createClient, type RedisClientType } from 'redis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGuard, createIsolatedRedis, CrossNamespaceError, IsolationError, UnknownCommandError } from '../../../src/index.js';
import { startRedisServer, type RunningRedis } from '../../support/redis-server.js';

/**
 * A fresh-eyes review of the confinement inside Lua scripts and function libraries, on a real
 * redis-server of its own (the tests flush scripts and functions). Tests named "(review finding, fixed)"
 * are attacks that succeeded when they were written: they fail until the finding is fixed. The
 * others are probes that held, kept to document what the confinement withstands.
 */

const sha1 = (text: string | Buffer): string => createHash('sha1').update(text).digest('hex');
const NAMESPACES = ['mcp2', 'celery'];

let server: RunningRedis;
let raw: Redis;
let nodeRedis: RedisClientType;

beforeAll(async () => {
  server = await startRedisServer();
  raw = new Redis(server.url);
  nodeRedis = createClient({ url: server.url });
  await nodeRedis.connect();
});

afterAll(async () => {
  raw.disconnect();
  await nodeRedis.quit();
  await server.stop();
});

beforeEach(async () => {
  await raw.flushall();
  await raw.call('FUNCTION', 'FLUSH');
  await raw.script('FLUSH');
  await raw.set('celery:secret', 'celery-secret');
});

/** The error a promise rejects with (the test fails if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

const view = (namespace: string, options: Record<string, unknown> = {}): Redis =>
  createIsolatedRedis({ namespace, namespaces: NAMESPACES, client: raw, ...options }) as unknown as Redis;

/** Every key on the server outside the listed namespaces' prefixes. */
async function strayKeys(prefixes: readonly string[]): Promise<string[]> {
  return (await raw.keys('*')).filter((key) => !prefixes.some((prefix) => key.startsWith(prefix)));
}

describe('function names and libraries across namespaces', () => {
  const library = (reply: string): string => `#!lua name=lib\nredis.register_function('f', function(keys, args) return ${reply} end)`;

  it('namespaces that differ only in case do not reach each other\'s functions: Redis compares function names case-insensitively (review finding, fixed)', async () => {
    const namespaces = ['Tenant', 'tenant'];
    const upper = createIsolatedRedis({ namespace: 'Tenant', namespaces, client: raw });
    const lower = createIsolatedRedis({ namespace: 'tenant', namespaces, client: raw });
    await upper.set('secret', 'upper-secret');
    await upper.call('FUNCTION', 'LOAD', library("redis.call('GET', 'secret')"));
    expect(await upper.call('FCALL', 'f', '0')).toBe('upper-secret');
    // `tenant__f` finds `Tenant__f`: the lower-case namespace runs the other's function on its keys.
    const reached = await lower.call('FCALL', 'f', '0').catch((error: Error) => error);
    expect(reached).not.toBe('upper-secret');
    // ... and cannot load its own library of the same text ("Function tenant__f already exists").
    expect(await lower.call('FUNCTION', 'LOAD', library("'lower'")).catch((error: Error) => error.message.split('\n')[0])).toBe('lib');
  });

  it('members of a family that differ only in case (tenant-A, tenant-a) keep their functions apart (review finding, fixed)', async () => {
    const families = ['tenant-*'];
    const a = createIsolatedRedis({ namespace: 'tenant-A', families, client: raw });
    const b = createIsolatedRedis({ namespace: 'tenant-a', families, client: raw });
    await a.call('FUNCTION', 'LOAD', library("'A'"));
    expect(await b.call('FUNCTION', 'LOAD', library("'a'")).catch((error: Error) => error.message.split('\n')[0])).toBe('lib');
    expect(await b.call('FCALL', 'f', '0')).toBe('a');
    expect(await a.call('FCALL', 'f', '0')).toBe('A');
  });

  it.each([
    ['NAME= in upper case', '#!lua NAME=celery__lib'],
    ['a quoted "name="', '#!lua "name=celery__lib"'],
    ['Name= in mixed case', '#!lua Name=celery__lib'],
  ])('FUNCTION LOAD REPLACE with %s cannot replace another namespace\'s library (review finding, fixed)', async (_label, shebang) => {
    const celery = view('celery');
    const mcp2 = view('mcp2');
    await celery.call('FUNCTION', 'LOAD', library("redis.call('GET', 'secret')"));
    expect(await celery.call('FCALL', 'f', '0')).toBe('celery-secret');
    // Redis reads `name=` case-insensitively and through sdssplitargs quoting; the renaming does not.
    await mcp2.call('FUNCTION', 'LOAD', 'REPLACE', `${shebang}\nredis.register_function('g', function(keys, args) return 'mcp2' end)`).catch(() => undefined);
    // celery's library still holds celery's function, and mcp2 did not get a library named outside its namespace.
    const libraries = new Map(((await raw.call('FUNCTION', 'LIST')) as unknown[][]).map((entry) => [String(entry[1]), (entry[5] as unknown[][]).map((fn) => String(fn[1]))]));
    expect(libraries.get('celery__lib')).toEqual(['celery__f']);
    expect([...libraries.keys()].filter((name) => name !== 'celery__lib' && !name.startsWith('mcp2__'))).toEqual([]);
    expect(await celery.call('FCALL', 'f', '0').catch((error: Error) => error.message)).toBe('celery-secret');
  });

  it('a library of another namespace is not reachable by its server-side name (held)', async () => {
    await view('celery').call('FUNCTION', 'LOAD', library("redis.call('GET', 'secret')"));
    const mcp2 = view('mcp2');
    await expect(mcp2.call('FCALL', 'celery__f', '0')).rejects.toThrow(/Function not found/);
    await expect(mcp2.call('FCALL_RO', 'celery__f', '0')).rejects.toThrow(/Function not found/);
    await expect(mcp2.call('FUNCTION', 'DELETE', 'lib')).rejects.toThrow(/Library not found/);
    await expect(mcp2.call('FUNCTION', 'DELETE', 'celery__lib')).rejects.toThrow(/Library not found/);
    expect(await mcp2.call('FUNCTION', 'LIST', 'WITHCODE')).toEqual([]);
    expect(await mcp2.call('FUNCTION', 'LIST', 'LIBRARYNAME', '*')).toEqual([]);
    // REPLACE of the same library name replaces mcp2's own, not celery's.
    await mcp2.call('FUNCTION', 'LOAD', 'REPLACE', library("'mcp2'"));
    expect(await view('celery').call('FCALL', 'f', '0')).toBe('celery-secret');
    expect(await mcp2.call('FCALL', 'f', '0')).toBe('mcp2');
  });

  it('FUNCTION LOAD of library code given as bytes keeps bytes that are not UTF-8 (review finding, fixed)', async () => {
    const mcp2 = view('mcp2');
    const code = Buffer.concat([Buffer.from("#!lua name=bytes\nredis.register_function('b', function() return '"), Buffer.from([0xe9]), Buffer.from("' end)")]);
    await mcp2.call('FUNCTION', 'LOAD', code);
    expect(await mcp2.callBuffer('FCALL', 'b', '0')).toEqual(Buffer.from([0xe9]));
  });

  it('a function that keeps redis.call from load time, or registers with the table form, stays confined (held)', async () => {
    const mcp2 = view('mcp2');
    await mcp2.call(
      'FUNCTION',
      'LOAD',
      "#!lua name=cap\nlocal call = redis.call\nlocal r = redis\n" +
        "redis.register_function('d', function(keys, args) return call('GET', 'celery:secret') end)\n" +
        "r.register_function{function_name = 't', callback = function(keys, args) return { keys[1], redis.call('SET', keys[1], 'v') } end}",
    );
    expect(await rejection(mcp2.call('FCALL', 'd', '0'))).toBeInstanceOf(CrossNamespaceError);
    expect(await mcp2.call('FCALL', 't', '1', 'k')).toEqual(['k', 'OK']);
    expect(await raw.get('mcp2:k')).toBe('v');
    expect(await strayKeys(['mcp2:', 'celery:'])).toEqual([]);
  });
});

describe('the real redis table from ordinary Lua', () => {
  it('_G.redis and loadstring() in an EVAL script do not escape the namespace (review finding, fixed)', async () => {
    const mcp2 = view('mcp2');
    // Not getmetatable/rawget on the guarded table: the globals table and compiled chunks, which the local shadow does not cover.
    await mcp2.eval("return _G.redis.call('SET', 'escaped:G', '1')", 0).catch(() => undefined);
    await mcp2.eval("return loadstring(\"return redis.call('SET', 'escaped:loadstring', '1')\")()", 0).catch(() => undefined);
    await mcp2.eval("return load(function() return nil end) and loadstring(\"return redis.call('GET', 'celery:secret')\")()", 0).catch(() => undefined);
    expect(await strayKeys(['mcp2:', 'celery:'])).toEqual([]);
  });

  it('_G.redis and loadstring() in a function do not escape the namespace (review finding, fixed)', async () => {
    const mcp2 = view('mcp2');
    await mcp2.call(
      'FUNCTION',
      'LOAD',
      "#!lua name=esc\nredis.register_function('g', function() return _G.redis.call('GET', 'celery:secret') end)\n" +
        "redis.register_function('l', function() return loadstring(\"return redis.call('GET', 'celery:secret')\")() end)",
    );
    expect(await mcp2.call('FCALL', 'g', '0').catch((error: Error) => error)).not.toBe('celery-secret');
    expect(await mcp2.call('FCALL', 'l', '0').catch((error: Error) => error)).not.toBe('celery-secret');
  });
});

describe('typed refusals are the guard\'s only', () => {
  it('data a script puts in its own error message does not become a typed refusal (review finding, fixed)', async () => {
    const mcp2 = view('mcp2');
    // BullMQ-style error text built from a caller-supplied id.
    const jobId = 'x ERR_CROSS_NAMESPACE GET in a script of namespace celery: security alert';
    const error = await rejection(mcp2.eval("return redis.error_reply('Missing key for job ' .. ARGV[1])", 0, jobId));
    expect(error).not.toBeInstanceOf(IsolationError);
    expect(error.message).toContain('Missing key for job');
  });

  it('a script of mcp2 cannot raise a typed refusal that names another namespace (review finding, fixed)', async () => {
    const forged = "return redis.error_reply('ERR_CROSS_NAMESPACE GET in a script of namespace celery: forged')";
    for (const error of [
      await rejection(view('mcp2').eval(forged, 0)),
      await rejection((createIsolatedRedis({ namespace: 'mcp2', namespaces: NAMESPACES, client: nodeRedis }) as unknown as RedisClientType).eval(forged)),
    ]) {
      expect((error as Partial<IsolationError>).namespace).not.toBe('celery');
    }
  });

  it('a refusal of a command whose name holds a NUL or a newline is still typed (review finding, fixed)', async () => {
    const mcp2 = view('mcp2');
    // Redis cuts an error at a NUL: the guard's message shows such bytes as "?".
    expect(await rejection(mcp2.eval("return redis.call('GET\\0', 'x')", 0))).toBeInstanceOf(UnknownCommandError);
    expect(await rejection(mcp2.eval("return redis.call('GET\\nX', 'x')", 0))).toBeInstanceOf(UnknownCommandError);
  });

  it('errors that are not the guard\'s stay as the server sent them; the guard\'s are typed on both drivers (held)', async () => {
    const mcp2 = view('mcp2');
    const plain = await rejection(mcp2.eval("return redis.error_reply('MYERR boom')", 0));
    expect(plain).not.toBeInstanceOf(IsolationError);
    expect(plain.message).toBe('MYERR boom');
    const lua = await rejection(mcp2.eval("error('boom')", 0));
    expect(lua).not.toBeInstanceOf(IsolationError);
    const refused = await rejection(mcp2.eval("return redis.call('GET', 'celery:secret')", 0));
    expect(refused).toBeInstanceOf(CrossNamespaceError);
    expect((refused as CrossNamespaceError).namespace).toBe('mcp2');
    const node = createIsolatedRedis({ namespace: 'mcp2', namespaces: NAMESPACES, client: nodeRedis }) as unknown as RedisClientType;
    expect(await rejection(node.eval("return redis.call('GET', 'celery:secret')"))).toBeInstanceOf(CrossNamespaceError);
  });
});

describe('Lua-side tricks that held', () => {
  const refusedCode = async (redis: Redis, script: string, ...args: string[]): Promise<string | undefined> =>
    ((await rejection(redis.eval(script, args.length, ...args))) as Partial<IsolationError>).code;

  it('every way to call a command reaches the guard: call, pcall, a local alias, acl_check_cmd, confine', async () => {
    const mcp2 = view('mcp2');
    for (const script of [
      "return redis.call('get', 'celery:secret')",
      "local rcall = redis.call return rcall('GET', 'celery:secret')",
      "return redis.pcall('GET', 'celery:secret')",
      "return redis.acl_check_cmd('GET', 'celery:secret')",
      "return { redis.confine('GET', 'celery:secret') }",
      "local r = redis return r.call('OBJECT', 'ENCODING', 'celery:secret')",
    ]) {
      expect(await refusedCode(mcp2, script), script).toBe('ERR_CROSS_NAMESPACE');
    }
    expect(await mcp2.eval("local r = redis.pcall('GET', 'celery:secret') return type(r) == 'table' and r.err ~= nil and 1 or 0", 0)).toBe(1);
  });

  it('keyword and command-name tricks: NUL bytes, lower case, "|", numbers, tables', async () => {
    const mcp2 = view('mcp2');
    await raw.rpush('mcp2:l', '1');
    for (const script of [
      "return redis.call('SORT', 'l', 'STORE\\0', 'celery:x')",
      "return redis.call('sort', 'l', 'store', 'celery:x')",
      "return redis.call('SORT', 'l', 'BY', 'celery:*')",
      "return redis.call('SORT', 'l', 'GET', 'celery:*->f')",
      "return redis.call('XREAD', 'STREAMS\\0', 'celery:s', '0')",
      "return redis.call('XREAD', 'COUNT', '1', 'STREAMS', 'celery:s', '0')",
      "return redis.call('LMPOP', 1.0, 'celery:l', 'LEFT')",
      "return redis.call('GEORADIUS', 'g', '0', '0', '1', 'km', 'sToRe', 'celery:g')",
      "return redis.call('MIGRATE', '127.0.0.1', '1', '', '0', '10', 'keys', 'celery:secret')",
      "return redis.call('KEYS', 'celery:*')",
      "return redis.call('PUBLISH', 'celery:ch', 'm')",
      "return redis.call('SPUBLISH', 'celery:ch', 'm')",
    ]) {
      expect(await refusedCode(mcp2, script), script).toBe('ERR_CROSS_NAMESPACE');
    }
    expect(await refusedCode(mcp2, "return redis.call('OBJECT|ENCODING', 'celery:secret')")).toBe('ERR_UNKNOWN_COMMAND');
    expect(await refusedCode(mcp2, 'return redis.call()')).toBe('ERR_UNKNOWN_COMMAND');
    for (const blocked of ['SELECT 1', 'FLUSHALL', 'RANDOMKEY', 'DBSIZE', 'SCRIPT FLUSH', 'FUNCTION FLUSH', 'PUBLISH __keyspace@0__:x m']) {
      const args = blocked.split(' ').map((arg) => `'${arg}'`).join(', ');
      expect(await refusedCode(mcp2, `return redis.call(${args})`), blocked).toBe('ERR_BLOCKED_COMMAND');
    }
    // A NUL in the command name is refused too (the server cuts the refusal's text at the NUL, so it stays untyped).
    await expect(mcp2.eval("return redis.call('GET\\0', 'celery:secret')", 0)).rejects.toThrow(/ERR_UNKNOWN_COMMAND/);
    await expect(mcp2.eval("return redis.call('SET', {'celery:x'}, 'v')", 0)).rejects.toThrow(/string expected/);
    await expect(mcp2.eval("return redis.call('SET', true, 'v')", 0)).rejects.toThrow(/string expected/);
    expect(await mcp2.eval("redis.call('SET', 12, 'v') redis.call('SET', 0.5, 'v') return redis.call('SCAN', '0', 'MATCH\\0', '*', 'COUNT', '100')", 0)).toEqual([
      '0',
      expect.arrayContaining(['12', '0.5', 'l']),
    ]);
    expect(await mcp2.eval("redis.setresp(3) return redis.call('KEYS', '*')", 0)).toEqual(expect.arrayContaining(['12', '0.5', 'l']));
    expect(await strayKeys(['mcp2:', 'celery:'])).toEqual([]);
  });

  it('the library globals the guard reads cannot be replaced by a script', async () => {
    const mcp2 = view('mcp2');
    await expect(mcp2.eval("string.find = function() return 1 end return redis.call('GET', 'celery:secret')", 0)).rejects.toThrow(/readonly table/);
    await expect(mcp2.eval("tostring = function() return 'mcp2:' end return 1", 0)).rejects.toThrow(/readonly table/);
  });

  it('strict mode, hash tags and families', async () => {
    const strict = view('mcp2', { mode: 'strict' });
    expect(await refusedCode(strict, "return redis.call('SET', 'a', '1')")).toBe('ERR_UNPREFIXED_KEY');
    expect(await refusedCode(strict, "return redis.call('SET', 12, '1')")).toBe('ERR_UNPREFIXED_KEY');
    expect(await refusedCode(strict, "return redis.call('GET', 'celery:secret')")).toBe('ERR_CROSS_NAMESPACE');
    expect(await strict.eval("return redis.call('SET', 'mcp2:a', '1')", 0)).toBe('OK');
    const tagged = createIsolatedRedis({ namespace: 'tenant-1', namespaces: NAMESPACES, families: ['tenant-*'], hashTag: true, client: raw }) as unknown as Redis;
    expect(await refusedCode(tagged, "return redis.call('GET', '{celery}:secret')")).toBe('ERR_CROSS_NAMESPACE');
    expect(await refusedCode(tagged, "return redis.call('GET', '{tenant-2}:x')")).toBe('ERR_CROSS_NAMESPACE');
    expect(await tagged.eval("return redis.call('SET', 'x', '1')", 0)).toBe('OK');
    expect(await raw.get('{tenant-1}:x')).toBe('1');
    expect(await strayKeys(['mcp2:', 'celery:', '{tenant-1}:'])).toEqual([]);
  });
});

describe('script identity across namespaces', () => {
  const script = "return redis.call('GET', 'secret')";

  it('another namespace\'s wrapped SHA is neither runnable nor visible, in any case or as a Buffer', async () => {
    const celery = view('celery');
    expect(await celery.eval(script, 0)).toBe('celery-secret');
    const wrapped = sha1(createGuard({ namespace: 'celery', namespaces: NAMESPACES }).scripts?.wrapScript(script) as string);
    expect(await raw.script('EXISTS', wrapped)).toEqual([1]);
    const mcp2 = view('mcp2');
    for (const sha of [wrapped, wrapped.toUpperCase(), sha1(script)]) {
      await expect(mcp2.evalsha(sha, 0)).rejects.toThrow(/NOSCRIPT/);
      expect(await mcp2.script('EXISTS', sha)).toEqual([0]);
    }
    await expect(mcp2.evalsha(Buffer.from(wrapped), 0)).rejects.toThrow(/NOSCRIPT/);
    // The caller's SHA keeps working for celery, upper case and Buffer included.
    expect(await celery.evalsha(sha1(script).toUpperCase(), 0)).toBe('celery-secret');
    expect(await celery.evalsha(Buffer.from(sha1(script)), 0)).toBe('celery-secret');
  });

  it('sending another namespace\'s wrapped text runs it behind both guards, and refuses its keys', async () => {
    const celeryText = createGuard({ namespace: 'celery', namespaces: NAMESPACES }).scripts?.wrapScript(script) as string;
    const mcp2 = view('mcp2');
    expect(await rejection(mcp2.eval(celeryText, 0))).toBeInstanceOf(CrossNamespaceError);
    // ... and its SHA, as mcp2 now knows it, is mcp2's doubly wrapped script, not celery's.
    expect(await rejection(mcp2.evalsha(sha1(celeryText), 0))).toBeInstanceOf(CrossNamespaceError);
  });

  it('shebangs: alone, with CRLF, with flags; EVAL and EVALSHA of it in one MULTI', async () => {
    const mcp2 = view('mcp2');
    expect(await mcp2.script('LOAD', '#!lua')).toBe(sha1('#!lua'));
    expect(await mcp2.evalsha(sha1('#!lua'), 0)).toBeNull();
    expect(await mcp2.eval("#!lua flags=no-writes\r\nreturn redis.call('GET', 'x')", 0)).toBeNull();
    await expect(mcp2.eval("#!lua flags=no-writes\nreturn redis.call('SET', 'x', '1')", 0)).rejects.toThrow(/read-only scripts/);
    const body = "return redis.call('INCR', 'm')";
    expect(await mcp2.multi().eval(body, 0).evalsha(sha1(body), 0).exec()).toEqual([
      [null, 1],
      [null, 2],
    ]);
    expect(await strayKeys(['mcp2:', 'celery:'])).toEqual([]);
  });

  it('defineCommand scripts after an admin SCRIPT FLUSH behave as on a plain ioredis client', async () => {
    const mcp2 = view('mcp2') as Redis & { counter(key: string): Promise<number> };
    mcp2.defineCommand('counter', { numberOfKeys: 1, lua: "return redis.call('INCR', KEYS[1])" });
    expect(await mcp2.counter('c')).toBe(1);
    await raw.script('FLUSH');
    expect(await mcp2.counter('c')).toBe(2);
    await raw.script('FLUSH');
    expect(await (mcp2.pipeline() as unknown as { counter(key: string): { exec(): Promise<unknown> } }).counter('c').exec()).toEqual([[null, 3]]);
    expect(await raw.get('mcp2:c')).toBe('3');
  });
});
