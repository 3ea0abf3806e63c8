import RedisMock from 'ioredis-mock';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BlockedCommandError, CrossNamespaceError, MockUnsupportedCommandError, UnknownScriptError, createIsolatedRedis } from '../../../src/index.js';
import type { Redis } from 'ioredis';

/**
 * The mock runs scripts in its own Lua (fengari) behind the same prelude as a server: keys a
 * script builds stay in the namespace, refusals are the same typed errors. What it cannot run:
 * SCRIPT, FUNCTION and FCALL (the mock lacks them), so no SHA of a script is ever known to a
 * view over it (EVALSHA answers NOSCRIPT; defineCommand scripts run as EVAL).
 */
const namespaces = ['mcp2', 'celery'];

describe('scripts over ioredis-mock', () => {
  const pair = (): { raw: Redis; mcp2: Redis } => {
    const raw = new RedisMock({ host: `scripts-${randomUUID()}` });
    return { raw, mcp2: createIsolatedRedis({ namespace: 'mcp2', namespaces, client: raw }) as unknown as Redis };
  };

  it('keeps the keys a defineCommand script builds in the namespace, and shows the script its caller\'s names', async () => {
    const { raw, mcp2 } = pair();
    // (The mock's Lua 5.3 makes INCR's reply a float, `1.0` when concatenated: the id comes in ARGV.)
    mcp2.defineCommand('addJob', { numberOfKeys: 1, lua: "local id = redis.call('INCR', KEYS[1]) redis.call('SET', ARGV[1] .. ARGV[2], 'job') return {id, KEYS[1], redis.call('KEYS', 'job:*')}" });
    const add = (mcp2 as unknown as { addJob(key: string, prefix: string, id: string): Promise<unknown> }).addJob.bind(mcp2);
    expect(await add('q:id', 'job:', '1')).toEqual([1, 'q:id', ['job:1']]);
    expect((await raw.keys('*')).sort()).toEqual(['mcp2:job:1', 'mcp2:q:id']);
  });

  it('refuses another namespace\'s key and blocked commands inside the script with the typed errors', async () => {
    const { raw, mcp2 } = pair();
    await expect(mcp2.eval("return redis.call('SET', 'celery:x', 'v')", 0)).rejects.toBeInstanceOf(CrossNamespaceError);
    await expect(mcp2.eval("return redis.call('FLUSHDB')", 0)).rejects.toBeInstanceOf(BlockedCommandError);
    expect(await raw.keys('*')).toEqual([]);
  });

  it('says what it cannot run: EVALSHA of a script the view never sent, SCRIPT, FUNCTION, FCALL', async () => {
    const { mcp2 } = pair();
    await expect(mcp2.evalsha('0'.repeat(40), 0)).rejects.toBeInstanceOf(UnknownScriptError);
    await expect(mcp2.script('LOAD', 'return 1')).rejects.toBeInstanceOf(MockUnsupportedCommandError);
    await expect(mcp2.fcall('f', 0)).rejects.toBeInstanceOf(MockUnsupportedCommandError);
  });
});
