import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { moveNamespace } from '../../src/layout/index.js';
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

async function run(args: string[], terminal?: { columns: number }): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    cwd: process.cwd(),
    env: {},
    ...(terminal ? { stderrIsTTY: true, stderrColumns: () => terminal.columns } : {}),
  };
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
    expect(moved.stderr).toMatch(/^move celery: 50 keys in [\d.]+s, [\d,]+ keys\/s\n$/);
    expect((await target.keys('*')).length).toBe(50);
    expect(await target.ttl('celery:t:7')).toBeGreaterThan(3500);

    const again = await run([...flags, '--format', 'json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ scanned: 50, copied: 0, skipped: 50 });
  });

  it('exits 2 on missing flags and invalid URLs', async () => {
    expect(await run(['move', '--namespace', 'celery', '--from', shared.url])).toMatchObject({ code: 2, stderr: expect.stringContaining('--to is required') });
    expect(await run(['move', '--namespace', 'celery', '--from', shared.url, '--to', 'celery-redis'])).toMatchObject({ code: 2, stderr: expect.stringContaining('`to`') });
  });

  it('tells its progress as plain lines without a terminal, and as a live bar with an estimated total on one', async () => {
    const source = new Redis(shared.url);
    clients.push(source);
    await source.flushdb();
    const batch = source.pipeline();
    for (let i = 0; i < 20_000; i++) batch.set(i % 10 === 0 ? `journal:e:${i}` : `other:${i}`, 'x');
    await batch.exec();
    const flags = ['move', '--namespace', 'journal', '--from', shared.url, '--to', celeryRedis.url, '--count', '500', '--dry-run'];

    const logged = await run(flags);
    expect(logged.stderr).not.toContain('\r');
    expect(logged.stderr).toMatch(/^(move journal: [\d,]+\/~[\d,]+ keys \([\d.]+%\), [\d,]+ keys\/s, ETA \S+\n)*move journal: 2,000 keys in [\d.]+s, [\d,]+ keys\/s\n$/);

    const drawn = await run(flags, { columns: 120 });
    const frames = drawn.stderr.split('\r').slice(1);
    expect(frames.length).toBeGreaterThanOrEqual(2);
    expect(frames[0]).toMatch(/^move journal \[[#.]+\] [\d,]+\/~[\d,]+ keys {2}[\d.]+%/);
    expect(frames.at(-1)).toMatch(/^move journal: 2,000 keys in [\d.]+s, [\d,]+ keys\/s *\n$/);
    expect(drawn.stderr.split('\n')).toHaveLength(2);
  });

  it("reports the share of the source walked, read from SCAN's cursor: rising to 1, a fair estimate of the namespace's size", async () => {
    const walked: number[] = [];
    const scanned: number[] = [];
    await moveNamespace({
      namespace: 'journal',
      from: shared.url,
      to: celeryRedis.url,
      dryRun: true,
      count: 500,
      onProgress: (progress, position) => {
        walked.push(position.walked ?? Number.NaN);
        scanned.push(progress.scanned);
      },
    });
    expect(walked.length).toBeGreaterThan(10);
    expect(walked.every((share, i) => share > 0 && share <= 1 && share >= (walked[i - 1] ?? 0))).toBe(true);
    expect(walked.at(-1)).toBe(1);
    // Halfway through, scanned / walked estimates the 2,000 keys of the namespace.
    const half = walked.findIndex((share) => share >= 0.5);
    expect((scanned[half] as number) / (walked[half] as number)).toBeGreaterThan(1_600);
    expect((scanned[half] as number) / (walked[half] as number)).toBeLessThan(2_400);
  });
});
