import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { freePort } from '../support/redis-server.js';
import { startFaultyEndpoint, type FaultyEndpoint } from '../support/tcp-faults.js';

// An empty directory: no configuration file found from it.
const cwd = mkdtempSync(join(tmpdir(), 'isolated-redis-fail-fast-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

async function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), cwd, env: {} };
  return { code: await main(args, io), stdout, stderr };
}

/** Each command that reaches a server, with the flags that make it try `url` (in the role of `flag`). */
const COMMANDS = [
  { name: 'keyspace --url', flag: '--url', args: (url: string) => ['keyspace', '--url', url, '--namespace', 'mcp2'] },
  { name: 'acl --url', flag: '--url', args: (url: string) => ['acl', '--namespace', 'mcp2', '--nopass', '--url', url] },
  { name: 'move --from', flag: '--from', args: (url: string) => ['move', '--namespace', 'celery', '--from', url, '--to', `${inject('redisUrl')}/9`] },
  { name: 'move --to', flag: '--to', args: (url: string) => ['move', '--namespace', 'celery', '--from', `${inject('redisUrl')}/8`, '--to', url] },
] as const;

/** One line on stderr naming the URL with its password masked, nothing on stdout, exit 2. */
function expectOneLineFailure(run: { code: number; stdout: string; stderr: string }, shown: string): void {
  expect(run.code, run.stderr).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr).toContain(shown);
  expect(run.stderr).not.toContain('s3cret');
  expect(run.stderr.trimEnd().split('\n'), run.stderr).toHaveLength(1);
}

describe.each(COMMANDS)('$name fails fast when it cannot connect', ({ flag, args }) => {
  let closing: FaultyEndpoint;
  let silent: FaultyEndpoint;
  beforeAll(async () => {
    [closing, silent] = await Promise.all([startFaultyEndpoint('close'), startFaultyEndpoint('silent')]);
  });
  afterAll(async () => {
    await Promise.all([closing?.stop(), silent?.stop()]);
  });

  it('exits 2 with one line when nothing listens, password masked, after one attempt', async () => {
    const port = await freePort();
    const run = await cli(args(`redis://:s3cret@127.0.0.1:${port}`));
    expectOneLineFailure(run, `redis://:***@127.0.0.1:${port}`);
    expect(run.stderr).toContain(`connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  it('makes one connection attempt by default, and as many as --connect-attempts says', async () => {
    const url = `redis://svc:s3cret@127.0.0.1:${closing.port}`;
    let before = closing.connections;
    expectOneLineFailure(await cli(args(url)), `redis://svc:***@127.0.0.1:${closing.port}`);
    expect(closing.connections - before).toBe(1);
    before = closing.connections;
    const run = await cli([...args(url), '--connect-attempts', '3', '--connect-timeout', '2000']);
    expectOneLineFailure(run, `redis://svc:***@127.0.0.1:${closing.port} after 3 attempts`);
    expect(closing.connections - before).toBe(3);
  });

  it('gives up on a server that accepts the connection and never answers', async () => {
    const before = silent.connections;
    const run = await cli([...args(`redis://127.0.0.1:${silent.port}`), '--connect-timeout', '100']);
    expectOneLineFailure(run, `redis://127.0.0.1:${silent.port}`);
    expect(run.stderr).toMatch(/: no answer within \d+ ms\n$/);
    expect(silent.connections - before).toBe(1);
  });

  it('refuses a malformed URL before any connection attempt, naming the flag, never as a socket path', async () => {
    const before = closing.connections;
    const cases: Array<[string, string]> = [
      ['redis//bad', 'is not a valid URL'],
      ['http://x', 'must start with redis://, rediss:// or unix://'],
      ['redis://h:notaport', 'is not a valid URL'],
      ['redis://', 'names no host'],
      ['/tmp/redis.sock', 'is a path: write a Unix socket as unix:///tmp/redis.sock'],
      [`redis://:s3cret@127.0.0.1:${closing.port}/zero`, 'not a database number'],
      [`redis://127.0.0.1:${closing.port}?password=s3cret&tls=yes`, 'has query parameter "tls"'],
      [`redis//:s3cret@127.0.0.1:${closing.port}`, 'is not a valid URL'],
    ];
    for (const [url, problem] of cases) {
      const run = await cli(args(url));
      expect(run.code, url).toBe(2);
      // The flag, or the option of the library it became (`from`).
      expect(run.stderr, url).toMatch(new RegExp(`${flag} "|\`${flag.slice(2)}\``));
      expect(run.stderr, url).toContain(problem);
      expect(run.stderr, url).not.toContain('s3cret');
    }
    expect(closing.connections).toBe(before);
  });

  it('refuses --connect-attempts and --connect-timeout values that are not positive whole numbers', async () => {
    const before = closing.connections;
    for (const [option, value] of [['--connect-attempts', '0'], ['--connect-attempts', 'many'], ['--connect-attempts', '1.5'], ['--connect-timeout', '-5'], ['--connect-timeout', '1e3']]) {
      const run = await cli([...args(`redis://127.0.0.1:${closing.port}`), `${option}=${value}`]);
      expect(run).toMatchObject({ code: 2, stderr: expect.stringContaining(`${option} takes a positive whole number; got "${value}"`) });
    }
    expect(closing.connections).toBe(before);
  });
});

describe('keyspace --cluster fails fast too', () => {
  it('makes the attempts --connect-attempts says through the node the URL names, then exits 2', async () => {
    const closing = await startFaultyEndpoint('close');
    try {
      const run = await cli(['keyspace', '--cluster', '--url', `redis://:s3cret@127.0.0.1:${closing.port}`, '--namespace', 'mcp2', '--connect-attempts', '2']);
      expectOneLineFailure(run, `redis://:***@127.0.0.1:${closing.port} after 2 attempts: None of startup nodes is available`);
      expect(closing.connections).toBe(2);
    } finally {
      await closing.stop();
    }
  });
});

describe('the CLI process ends when it cannot connect', () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const bin = join(here, '../../src/cli/bin.ts');

  /** Runs the CLI entry as a child process; only vitest's test timeout bounds it. */
  async function spawnCli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', import.meta.resolve('tsx'), bin, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  it.each(COMMANDS)('$name towards a closed port: exit code 2, one line, no retry loop keeping it alive', async ({ args }) => {
    const port = await freePort();
    const run = await spawnCli([...args(`redis://:s3cret@127.0.0.1:${port}`), '--connect-attempts', '2']);
    expectOneLineFailure(run, `redis://:***@127.0.0.1:${port} after 2 attempts`);
    expect(run.stderr).not.toContain('Unhandled error event');
  });
});
