import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aclRules, runAclCommand } from '../../src/cli/acl.js';
import type { CliIo } from '../../src/cli/io.js';
import { startRedisServer, type RunningRedis } from '../support/redis-server.js';

async function acl(args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  let out = '';
  const io: CliIo = { stdout: (text) => (out += text), stderr: (text) => (out += text), cwd: process.cwd(), env };
  return { code: await runAclCommand(args, io), out };
}

describe('isolated-redis acl', () => {
  it('confines keys and channels to the prefix and denies what the guard blocks, but not the connection handshake', () => {
    const rules = aclRules({ namespace: 'mcp2' });
    expect(rules.slice(0, 9)).toEqual(['on', 'nopass', 'resetkeys', '~mcp2:*', 'resetchannels', '&mcp2:*', '+@all', '-@admin', '-@dangerous']);
    expect(rules).toEqual(expect.arrayContaining(['-flushdb', '-flushall', '-randomkey', '-dbsize', '-config|set', '-script|flush']));
    for (const handshake of ['-hello', '-auth', '-select']) expect(rules).not.toContain(handshake);
  });

  it('escapes glob characters of the prefix, and follows the hash-tag rule', () => {
    expect(aclRules({ namespace: 'tenant[1]' })).toContain('~tenant\\[1\\]:*');
    expect(aclRules({ namespace: 'mcp2', hashTag: true })).toContain('~{mcp2}:*');
  });

  it('stores the password as its SHA-256, never in clear', async () => {
    const { code, out } = await acl(['--namespace', 'mcp2', '--password-env', 'PW', '--format', 'aclfile'], { PW: 'secret' });
    expect(code).toBe(0);
    expect(out).toMatch(/^user mcp2 on #2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b resetkeys ~mcp2:\* /);
    expect(out).not.toContain('secret');
  });

  describe('applied to a real server', () => {
    let server: RunningRedis;
    let admin: Redis;
    let user: Redis;

    beforeAll(async () => {
      server = await startRedisServer();
      admin = new Redis(server.url);
      const { out } = await acl(['--namespace', 'mcp2', '--user', 'svc', '--password-env', 'PW', '--url', server.url], { PW: 'pw-1' });
      const [command, subcommand, ...rules] = out.trim().split(' ');
      expect(await admin.call(command as string, subcommand as string, ...rules)).toBe('OK');
      // -@dangerous denies INFO, which ioredis's ready check would send.
      user = new Redis(server.url, { username: 'svc', password: 'pw-1', maxRetriesPerRequest: 0, enableReadyCheck: false });
    });
    afterAll(async () => {
      user?.disconnect();
      admin?.disconnect();
      await server?.stop();
    });

    it('lets the user read and write mcp2: keys', async () => {
      expect(await user.set('mcp2:payload:1', 'v')).toBe('OK');
      expect(await user.get('mcp2:payload:1')).toBe('v');
      expect(await user.hset('mcp2:h', 'f', '1')).toBe(1);
    });

    it('refuses celery: keys with NOPERM', async () => {
      await expect(user.get('celery:task')).rejects.toThrow(/NOPERM/);
      await expect(user.set('celery:task', 'x')).rejects.toThrow(/NOPERM/);
      await expect(user.rename('mcp2:payload:1', 'celery:stolen')).rejects.toThrow(/NOPERM/);
    });

    it('lets the user publish and subscribe on mcp2: channels only', async () => {
      expect(await user.publish('mcp2:events', 'hi')).toBe(0);
      await expect(user.publish('celery:events', 'hi')).rejects.toThrow(/NOPERM/);
      const subscriber = user.duplicate();
      try {
        expect(await subscriber.subscribe('mcp2:events')).toBe(1);
        await expect(subscriber.subscribe('celery:events')).rejects.toThrow(/NOPERM/);
      } finally {
        subscriber.disconnect();
      }
    });

    it('refuses the keyspace-wide commands the guard blocks', async () => {
      await expect(user.flushdb()).rejects.toThrow(/NOPERM/);
      await expect(user.randomkey()).rejects.toThrow(/NOPERM/);
      await expect(user.dbsize()).rejects.toThrow(/NOPERM/);
      await expect(user.keys('*')).rejects.toThrow(/NOPERM/);
    });
  });
});
