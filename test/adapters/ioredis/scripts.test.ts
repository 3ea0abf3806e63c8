import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BlockedCommandError,
  CrossNamespaceError,
  UnknownScriptError,
  UnprefixedKeyError,
  createIsolatedRedis,
  type Isolated,
} from '../../../src/index.js';
import { IOREDIS_VERSIONS } from '../../support/ioredis-versions.js';
import { startRedisServer, type RunningRedis } from '../../support/redis-server.js';

/**
 * Scripts and functions through ioredis views: keys a script builds itself stay in the
 * namespace (issue 13). A server of this file's own: SCRIPT FLUSH must not reach other files.
 */
const namespaces = ['mcp2', 'celery'];
const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex');

let server: RunningRedis;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(() => server.stop());

describe.each(IOREDIS_VERSIONS)('$name', ({ Redis }) => {
  type Client = InstanceType<typeof Redis>;
  let raw: Client;
  let mcp2: Isolated<Client>;
  let celery: Isolated<Client>;
  let strict: Isolated<Client>;

  beforeAll(async () => {
    raw = new Redis(server.url, { lazyConnect: true });
    await raw.connect();
    await raw.flushall();
    mcp2 = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: raw });
    celery = createIsolatedRedis({ namespace: 'celery', namespaces, client: raw });
    strict = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: raw, mode: 'strict' });
  });
  afterAll(() => raw.disconnect());

  it('keeps keys a defineCommand script builds from ARGV in the namespace, alone, in pipelines, in MULTI and after SCRIPT FLUSH', async () => {
    // BullMQ's shape: the job key is ARGV[1] .. id; KEYS[1] is a counter the caller names.
    const lua = `-- ${Math.random()}\nlocal id = redis.call('INCR', KEYS[1]) redis.call('HSET', ARGV[1] .. id, 'name', ARGV[2]) return {id, KEYS[1]}`;
    mcp2.defineCommand('addJob', { numberOfKeys: 1, lua });
    const add = (mcp2 as unknown as { addJob(key: string, prefix: string, name: string): Promise<[number, string]> }).addJob.bind(mcp2);
    expect(await add('q:id', 'q:job:', 'a')).toEqual([1, 'q:id']); // the script sees the name its caller gave
    await raw.script('FLUSH');
    expect(await add('q:id', 'q:job:', 'b')).toEqual([2, 'q:id']);
    const pipeline = mcp2.pipeline() as unknown as { addJob(...args: string[]): unknown; exec(): Promise<unknown> };
    pipeline.addJob('q:id', 'q:job:', 'c');
    expect(await pipeline.exec()).toEqual([[null, [3, 'q:id']]]);
    const multi = mcp2.multi() as unknown as { addJob(...args: string[]): unknown; exec(): Promise<unknown> };
    multi.addJob('q:id', 'q:job:', 'd');
    expect(await multi.exec()).toEqual([[null, [4, 'q:id']]]);
    expect((await raw.keys('*')).sort()).toEqual(['mcp2:q:id', 'mcp2:q:job:1', 'mcp2:q:job:2', 'mcp2:q:job:3', 'mcp2:q:job:4']);
    expect('addJob' in raw).toBe(false);
  });

  it('refuses, inside the script, another namespace\'s key and a blocked command with the typed errors, naming the caller\'s script', async () => {
    const steal = `return redis.call('GET', 'celery:secret') -- ${Math.random()}`;
    const error = await mcp2.eval(steal, 0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrossNamespaceError);
    expect(error).toMatchObject({ code: 'ERR_CROSS_NAMESPACE', command: 'get', namespace: 'mcp2', script: sha1(steal) });
    await expect(mcp2.eval("return redis.call('FLUSHDB')", 0)).rejects.toBeInstanceOf(BlockedCommandError);
    // redis.pcall hands the refusal to the script as an error reply, as it does the server's own.
    expect(await mcp2.eval("local r = redis.pcall('FLUSHALL') return type(r) == 'table' and r.err ~= nil and 'refused' or 'sent'", 0)).toBe('refused');
    await expect(strict.eval("return redis.call('SET', 'plain', 'v')", 0)).rejects.toBeInstanceOf(UnprefixedKeyError);
    expect(await strict.eval("return redis.call('SET', 'mcp2:plain', 'v')", 0)).toBe('OK');
    expect(await raw.exists('plain', 'celery:secret')).toBe(0);
  });

  it('gives replies that name keys back without the prefix inside the script, as a direct command would', async () => {
    await mcp2.set('r:1', 'x');
    await celery.set('r:1', 'y');
    expect(await mcp2.eval("return redis.call('KEYS', 'r:*')", 0)).toEqual(['r:1']);
    expect(await mcp2.eval("local r = redis.call('SCAN', '0', 'MATCH', 'r:*', 'COUNT', 1000) return r[2]", 0)).toEqual(['r:1']);
    await mcp2.rpush('l', 'a');
    expect(await mcp2.eval("return redis.call('LMPOP', 1, 'l', 'LEFT')", 0)).toEqual(['l', ['a']]);
  });

  it('answers SCRIPT LOAD and EVALSHA with the SHA of the caller\'s text; an unknown SHA is NOSCRIPT', async () => {
    const text = `return redis.call('SET', ARGV[1], 'v') -- ${Math.random()}`;
    expect(await mcp2.script('LOAD', text)).toBe(sha1(text));
    expect(await mcp2.evalsha(sha1(text), 0, 'loaded')).toBe('OK');
    expect(await mcp2.script('EXISTS', sha1(text), sha1('never sent'))).toEqual([1, 0]);
    // The server has the wrapped script, not one under the caller's SHA, which another namespace cannot run.
    expect(await raw.script('EXISTS', sha1(text))).toEqual([0]);
    await expect(celery.evalsha(sha1(text), 0, 'x')).rejects.toBeInstanceOf(UnknownScriptError);
    expect(await raw.get('mcp2:loaded')).toBe('v');
    // A shebang stays first: flags still work.
    expect(await mcp2.eval_ro(`#!lua flags=no-writes\nreturn redis.call('GET', KEYS[1])`, 1, 'loaded')).toBe('v');
  });

  it('lets two namespaces load the same library and call it, each on its own keys', async () => {
    const library = `lib_${Date.now()}`;
    const code = `#!lua name=${library}\nredis.register_function('bump', function(keys, args) redis.call('SET', 'last', args[1]) return redis.call('INCR', keys[1]) end)\nredis.register_function{function_name = 'peek', callback = function(keys) return {redis.call('GET', keys[1]), keys[1]} end, flags = {'no-writes'}}`;
    expect(await mcp2.function('LOAD', code)).toBe(library);
    expect(await celery.function('LOAD', code)).toBe(library);
    expect(await mcp2.function('LOAD', 'REPLACE', code)).toBe(library); // its own library only
    expect(await mcp2.fcall('bump', 1, 'n', 'a')).toBe(1);
    expect(await mcp2.fcall('bump', 1, 'n', 'b')).toBe(2);
    expect(await celery.fcall('bump', 1, 'n', 'c')).toBe(1);
    expect(await mcp2.fcall_ro('peek', 1, 'n')).toEqual(['2', 'n']);
    expect((await raw.keys('*last')).sort()).toEqual(['celery:last', 'mcp2:last']);
    const listed = (await mcp2.function('LIST', 'WITHCODE')) as unknown[][];
    expect(listed).toHaveLength(1);
    expect(listed[0]?.slice(0, 2)).toEqual(['library_name', library]);
    expect(listed[0]?.[listed[0].length - 1]).toBe(code);
    expect(await mcp2.function('DELETE', library)).toBe('OK');
    await expect(mcp2.fcall('bump', 1, 'n', 'x')).rejects.toThrow(/Function not found/);
    expect(await celery.fcall('bump', 1, 'n', 'd')).toBe(2);
    await celery.function('DELETE', library);
  });

  it("with scripts: 'trust', sends scripts as they are: keys they build reach the server unprefixed", async () => {
    const trusting = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: raw, scripts: 'trust' });
    expect(await trusting.eval("return redis.call('SET', ARGV[1], 'v')", 0, 'trusted')).toBe('OK');
    expect(await raw.get('trusted')).toBe('v');
    await raw.del('trusted');
  });
});
