import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { moveNamespace } from '../../src/layout/index.js';
import { startRedisServer, type RunningRedis } from '../support/redis-server.js';
import { useMoveServers } from '../layout/move-content.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
let shared: RunningRedis;
let celeryRedis: RunningRedis;
let source: Redis;
let target: Redis;

useMoveServers((servers) => ({ shared, celeryRedis, source, target } = servers));

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
  beforeEach(async () => {
    await Promise.all([source.flushall(), target.flushall()]);
  });

  it('dry-runs, copies and verifies with progress, then resumes as a no-op', async () => {
    for (let i = 0; i < 50; i++) await source.set(`celery:t:${i}`, String(i), 'EX', 3600);
    await source.set('mcp2:other', 'x');
    const flags = ['move', '--namespace', 'celery', '--from', shared.url, '--to', celeryRedis.url, '--count', '20'];

    const dry = await run([...flags, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^celery \(celery:\*\) redis:\/\/127\.0\.0\.1:\d+ -> redis:\/\/127\.0\.0\.1:\d+: would copy 50 keys \(0\.0 MB\)\npreflight: 50 keys, .*: fits\n$/);
    expect(await target.dbsize()).toBe(0);

    const moved = await run(flags);
    expect(moved.code).toBe(0);
    expect(moved.stdout).toContain(': copied 50 keys; 50 scanned, 50 written (0 in chunks), 50 copied and verified, 0 already there, 0 gone meanwhile\n');
    expect(moved.stdout).toContain('verified: 50 of 50 keys equal (0 by content digest); 0 missing, 0 of another type, 0 with another expiry, 0 with other content, 0 extra on the target');
    expect(moved.stdout).toContain("Next: stop celery's writers and run again with --sync");
    expect(moved.stderr).toMatch(/^measure celery: 50 keys in [\d.]+s, [\d,]+ keys\/s\nmove celery: 50 keys in [\d.]+s, [\d,]+ keys\/s\nverify celery: 50 keys in [\d.]+s, [\d,]+ keys\/s\n$/);
    expect((await target.keys('*')).length).toBe(50);
    expect(await target.ttl('celery:t:7')).toBeGreaterThan(3500);

    const again = await run([...flags, '--format', 'json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ scanned: 50, copied: 0, written: 0, skipped: 50, verification: { equal: 50 } });
  });

  it('exits 1 when the target differs, and --sync then --verify settle it', async () => {
    await source.mset('celery:balance', '42', 'celery:kept', 'x');
    await target.mset('celery:balance', '100', 'celery:deleted-on-source', 'y', 'mcp2:keep', 'z');
    const flags = ['move', '--namespace', 'celery', '--from', shared.url, '--to', celeryRedis.url];
    const copy = await run(flags);
    expect(copy.code).toBe(1);
    expect(copy.stdout).toContain('differences: celery:balance (content), celery:deleted-on-source (extra)\n');
    expect(copy.stdout).toContain('Not done: the target differs from the source for celery:*. Stop the writers and run with --sync');
    expect((await run([...flags, '--verify'])).code).toBe(1);
    const sync = await run([...flags, '--sync']);
    expect(sync.code).toBe(0);
    expect(sync.stdout).toContain('synced 1 keys; 2 scanned, 1 written (0 in chunks), 1 copied and verified, 1 unchanged, 0 expiry fixed, 1 deleted');
    const verify = await run([...flags, '--verify']);
    expect(verify).toMatchObject({ code: 0, stdout: expect.stringContaining(': verify\nverified: 2 of 2 keys equal') });
    expect(await target.get('mcp2:keep')).toBe('z');
  });

  it('exits 2 on missing or contradictory flags and invalid URLs, before connecting', async () => {
    const base = ['move', '--namespace', 'celery', '--from', shared.url];
    expect(await run(base)).toMatchObject({ code: 2, stderr: expect.stringContaining('--to is required') });
    expect(await run([...base, '--to', 'celery-redis'])).toMatchObject({ code: 2, stderr: expect.stringContaining('celery-redis') });
    expect(await run([...base, '--to', celeryRedis.url, '--sync', '--verify'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--sync and --verify exclude each other') });
    expect(await run([...base, '--to', celeryRedis.url, '--sync', '--replace'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--replace goes with a plain copy only') });
    expect(await run([...base, '--to', celeryRedis.url, '--batch-bytes', 'lots'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--batch-bytes takes a size') });
  });

  it('never prints a password: userinfo and ?password= masked in text and JSON; a refused AUTH as one line', async () => {
    const locked = await startRedisServer(['--requirepass', 'pw-for-the-source-31']);
    try {
      const locker = new Redis({ port: locked.port, password: 'pw-for-the-source-31' });
      await locker.set('celery:x', 'y');
      locker.disconnect();
      const from = `redis://127.0.0.1:${locked.port}?password=pw-for-the-source-31`;
      for (const format of ['text', 'json']) {
        const moved = await run(['move', '--namespace', 'celery', '--from', from, '--to', celeryRedis.url, '--format', format]);
        expect(moved.code).toBe(0);
        expect(moved.stdout).toContain(`redis://127.0.0.1:${locked.port}?password=***`);
        expect(moved.stdout + moved.stderr).not.toContain('pw-for-the-source-31');
      }
      for (const wrong of [`redis://default:not-the-pw-77@127.0.0.1:${locked.port}`, `redis://127.0.0.1:${locked.port}?password=not-the-pw-77`]) {
        const refused = await run(['move', '--namespace', 'celery', '--from', wrong, '--to', celeryRedis.url, '--format', 'json']);
        expect(refused.code).toBe(2);
        expect(refused.stderr).toMatch(/^isolated-redis move: cannot connect to the source redis:\/\/\S*\*\*\*\S*: WRONGPASS invalid username-password pair or user is disabled\.\n$/);
        expect(JSON.parse(refused.stdout)).toMatchObject({ namespace: 'celery', error: { code: 'ERR_MOVE_CONNECTION' } });
        expect(refused.stdout + refused.stderr).not.toMatch(/not-the-pw-77|args|\[/);
      }
    } finally {
      await locked.stop();
    }
  });

  it('reports a failed RESTORE as one line and the JSON report, without key or value bytes', async () => {
    for (let i = 0; i < 10; i++) await source.set(`celery:k:${i}`, `VALUE-BYTES-${i}-${'\u0001'.repeat(5)}`);
    await target.call('ACL', 'SETUSER', 'mover', 'on', '>mover-pw-55', '~*', '&*', '+@all', '-restore');
    const moved = await run(['move', '--namespace', 'celery', '--from', shared.url, '--to', `redis://mover:mover-pw-55@127.0.0.1:${celeryRedis.port}`, '--format', 'json']);
    expect(moved.code).toBe(2);
    // After the progress of the measure: one line, the key named, the server's answer.
    expect(moved.stderr).toMatch(/^measure celery: .*\nisolated-redis move: RESTORE of celery:k:\d on the target: NOPERM this user has no permissions to run the 'restore' command\n$/);
    const report = JSON.parse(moved.stdout);
    expect(report).toMatchObject({ namespace: 'celery', scanned: 10, written: 0, copied: 0, error: { code: 'ERR_MOVE_FAILED' } });
    expect(moved.stdout + moved.stderr).not.toMatch(/VALUE-BYTES|mover-pw-55|\\u0001|<Buffer/);
    await target.call('ACL', 'DELUSER', 'mover');
  });

  it('tells its progress as plain lines without a terminal, and as a live bar with a total on one', async () => {
    const batch = source.pipeline();
    for (let i = 0; i < 20_000; i++) batch.set(i % 10 === 0 ? `journal:e:${i}` : `other:${i}`, 'x');
    await batch.exec();
    const flags = ['move', '--namespace', 'journal', '--from', shared.url, '--to', celeryRedis.url, '--count', '500'];

    const logged = await run([...flags, '--dry-run']);
    expect(logged.stderr).not.toContain('\r');
    expect(logged.stderr).toMatch(/^(measure journal: [\d,]+\/~[\d,]+ keys \([\d.]+%\), [\d,]+ keys\/s, ETA \S+\n)*measure journal: 2,000 keys in [\d.]+s, [\d,]+ keys\/s\n$/);

    const drawn = await run(flags, { columns: 120 });
    expect(drawn.code).toBe(0);
    const frames = drawn.stderr.split('\r').slice(1);
    expect(frames.some((frame) => /^move journal \[[#.]+\] [\d,]+\/2,000 keys {2}[\d.]+%/.test(frame))).toBe(true);
    expect(frames.filter((frame) => frame.endsWith('\n')).map((frame) => frame.split(':')[0])).toEqual(['measure journal', 'move journal', 'verify journal']);
  });

  it("reports the share of the source walked, read from SCAN's cursor: rising to 1, a fair estimate of the namespace's size", async () => {
    const batch = source.pipeline();
    for (let i = 0; i < 20_000; i++) batch.set(i % 10 === 0 ? `journal:e:${i}` : `other:${i}`, 'x');
    await batch.exec();
    const walked: number[] = [];
    const scanned: number[] = [];
    await moveNamespace({
      namespace: 'journal',
      from: shared.url,
      to: celeryRedis.url,
      dryRun: true,
      count: 500,
      onProgress: (_progress, position) => {
        walked.push(position.walked ?? Number.NaN);
        scanned.push(position.done);
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

  it('--live follows the source until SIGINT, then switches over: caught up, the changed keys verified, exit 0', async () => {
    for (let i = 0; i < 100; i++) await source.set(`celery:t:${i}`, String(i));
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/bin.ts'), 'move', '--namespace', 'celery', '--from', shared.url, '--to', celeryRedis.url, '--live'], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const following = new Promise<void>((resolve) =>
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('following changes')) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await Promise.race([following, exited]);
    expect(stderr).toContain("live celery: initial sync done (100 keys verified); following changes. Pause celery's writers, then press Ctrl-C");
    // Writes after the initial sync: they reach the target by the notifications alone.
    await source.set('celery:later', 'after the copy');
    await source.del('celery:t:1');
    await source.incr('celery:t:2');
    await new Promise((resolve) => setTimeout(resolve, 200));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).toContain('live celery: switching over\n');
    expect(stdout).toMatch(/switch-over: caught up in [\d.]+ ms, 3 changed keys checked in [\d.]+ ms: window [\d.]+ ms\n/);
    expect(stdout).toContain("Now: point celery's URL at");
    expect(await target.get('celery:later')).toBe('after the copy');
    expect(await target.exists('celery:t:1')).toBe(0);
    expect(await target.get('celery:t:2')).toBe('3');
    expect(await source.config('GET', 'notify-keyspace-events')).toEqual(['notify-keyspace-events', '']);
  });
});
