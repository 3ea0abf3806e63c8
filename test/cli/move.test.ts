import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { startRedisServer, type RunningRedis } from '../support/redis-server.js';

let shared: RunningRedis;
let celeryRedis: RunningRedis;
const clients: Redis[] = [];

beforeAll(async () => {
  [shared, celeryRedis] = await Promise.all([startRedisServer(), startRedisServer()]);
});
afterAll(async () => {
  clients.forEach((client) => client.disconnect());
  await Promise.all([shared.stop(), celeryRedis.stop()]);
});

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), cwd: process.cwd(), env: {} };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

describe('isolated-redis move', () => {
  it('dry-runs, copies with progress, then resumes as a no-op', async () => {
    const source = new Redis(shared.url);
    const target = new Redis(celeryRedis.url);
    clients.push(source, target);
    for (let i = 0; i < 50; i++) await source.set(`celery:t:${i}`, String(i), 'EX', 3600);
    await source.set('mcp2:other', 'x');
    const flags = ['move', '--namespace', 'celery', '--from', shared.url, '--to', celeryRedis.url, '--count', '20'];

    const dry = await run([...flags, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('celery (celery:*) ');
    expect(dry.stdout).toContain('would copy 50 keys');
    expect(await target.dbsize()).toBe(0);

    const moved = await run(flags);
    expect(moved.code).toBe(0);
    expect(moved.stdout).toContain('copied 50 keys; 50 scanned, 50 copied, 0 already there');
    expect(moved.stdout).toContain("Next: point celery's URL at");
    expect(moved.stderr).toContain('50 scanned, 50 copied');
    expect((await target.keys('*')).length).toBe(50);
    expect(await target.ttl('celery:t:7')).toBeGreaterThan(3500);

    const again = await run([...flags, '--format', 'json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ scanned: 50, copied: 0, skipped: 50 });
  });

  it('exits 2 on missing flags and invalid URLs', async () => {
    expect(await run(['move', '--namespace', 'celery', '--from', shared.url])).toMatchObject({ code: 2, stderr: expect.stringContaining('--to is required') });
    expect(await run(['move', '--namespace', 'celery', '--from', shared.url, '--to', 'celery-redis'])).toMatchObject({ code: 2, stderr: expect.stringContaining('`to`') });
  });
});
