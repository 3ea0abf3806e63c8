import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockedCommandError, CrossNamespaceError, UnknownScriptError, createIsolatedRedis } from '../../../src/index.js';
import { NODE_REDIS_VARIANTS } from '../../support/node-redis-versions.js';
import { startRedisServer, type RunningRedis } from '../../support/redis-server.js';

/**
 * Scripts and functions through node-redis views (issue 13): the `scripts` option's scripts,
 * their EVALSHA -> EVAL fallback, EVAL/SCRIPT LOAD/EVALSHA, function libraries. A server of this
 * file's own: SCRIPT FLUSH must not reach other files.
 */
const namespaces = ['journal', 'celery'];
const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex');

let server: RunningRedis;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(() => server.stop());

type Fn = (...args: unknown[]) => Promise<unknown>;
type Loose = Record<string, Fn> & { isolation: unknown };

describe.each(NODE_REDIS_VARIANTS.map((variant, i) => ({ ...variant, db: i })))('$label', ({ createClient, options, db, major }) => {
  let raw: Loose & { connect(): Promise<unknown>; destroy(): void };
  let defineScript: (script: Record<string, unknown>) => unknown;
  const lua = `local id = redis.call('INCR', KEYS[1]) redis.call('HSET', ARGV[1] .. id, 'name', ARGV[2]) return {id, KEYS[1]} -- ${db}`;

  beforeAll(async () => {
    ({ defineScript } = (await import(major === 5 ? 'redis5' : 'redis')) as unknown as { defineScript: typeof defineScript });
    const addJob = defineScript({
      NUMBER_OF_KEYS: 1,
      SCRIPT: lua,
      parseCommand: (parser: { pushKey(k: string): void; push(...v: string[]): void }, key: string, prefix: string, name: string) => {
        parser.pushKey(key);
        parser.push(prefix, name);
      },
      transformReply: (reply: unknown) => reply,
    });
    raw = createClient({ url: `${server.url}/${db}`, ...options, scripts: { addJob: addJob as never } }) as unknown as typeof raw;
    await raw.connect();
    await raw.sendCommand!(['FLUSHDB']);
  });
  afterAll(() => raw.destroy());

  it('keeps keys a `scripts` script builds from ARGV in the namespace, alone, after SCRIPT FLUSH and in MULTI', async () => {
    const view = createIsolatedRedis({ namespace: 'journal', namespaces, client: raw as never }) as unknown as Loose & { multi(): Loose & { exec(): Promise<unknown> } };
    expect(await view.addJob!('q:id', 'q:job:', 'a')).toEqual([1, 'q:id']);
    await raw.sendCommand!(['SCRIPT', 'FLUSH']);
    expect(await view.addJob!('q:id', 'q:job:', 'b')).toEqual([2, 'q:id']);
    const multi = view.multi() as unknown as { addJob(...a: string[]): typeof multi; exec(): Promise<unknown> };
    expect(await multi.addJob('q:id', 'q:job:', 'c').addJob('q:id', 'q:job:', 'd').exec()).toEqual([[3, 'q:id'], [4, 'q:id']]);
    const keys = (await raw.sendCommand!(['KEYS', '*'])) as string[];
    expect(keys.sort()).toEqual(['journal:q:id', 'journal:q:job:1', 'journal:q:job:2', 'journal:q:job:3', 'journal:q:job:4']);
  });

  it('refuses another namespace\'s key and blocked commands inside scripts with typed errors; SHAs stay the caller\'s', async () => {
    const journal = createIsolatedRedis({ namespace: 'journal', namespaces, client: raw as never }) as unknown as Loose;
    const celery = createIsolatedRedis({ namespace: 'celery', namespaces, client: raw as never }) as unknown as Loose;
    const steal = `return redis.call('GET', 'celery:secret') -- ${db}`;
    const error = await journal.sendCommand!(['EVAL', steal, '0']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrossNamespaceError);
    expect(error).toMatchObject({ script: sha1(steal), namespace: 'journal' });
    await expect(journal.eval!("return redis.call('FLUSHDB')", { keys: [] })).rejects.toBeInstanceOf(BlockedCommandError);
    const text = `return redis.call('SET', ARGV[1], 'v') -- ${db}`;
    expect(await journal.scriptLoad!(text)).toBe(sha1(text));
    expect(await journal.evalSha!(sha1(text), { arguments: ['loaded'] })).toBe('OK');
    await expect(celery.evalSha!(sha1(text), { arguments: ['x'] })).rejects.toBeInstanceOf(UnknownScriptError);
    expect(await raw.sendCommand!(['GET', 'journal:loaded'])).toBe('v');
  });

  it('lets two namespaces load the same library and call it, each on its own keys', async () => {
    const journal = createIsolatedRedis({ namespace: 'journal', namespaces, client: raw as never }) as unknown as Loose;
    const celery = createIsolatedRedis({ namespace: 'celery', namespaces, client: raw as never }) as unknown as Loose;
    const library = `lib_${db}_${Date.now()}`;
    const code = `#!lua name=${library}\nredis.register_function('${library}_bump', function(keys) return redis.call('INCR', keys[1]) end)`;
    expect(await journal.functionLoad!(code)).toBe(library);
    expect(await celery.functionLoad!(code)).toBe(library);
    expect(await journal.fCall!(`${library}_bump`, { keys: ['n'] })).toBe(1);
    expect(await journal.fCall!(`${library}_bump`, { keys: ['n'] })).toBe(2);
    expect(await celery.fCall!(`${library}_bump`, { keys: ['n'] })).toBe(1);
    expect(await raw.sendCommand!(['MGET', 'journal:n', 'celery:n'])).toEqual(['2', '1']);
    await journal.functionDelete!(library);
    await celery.functionDelete!(library);
  });
});
