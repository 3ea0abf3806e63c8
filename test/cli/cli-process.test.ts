import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startRedisServer, type RunningRedis } from '../support/redis-server.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const fixtures = join(here, '../fixtures/lint');
const bin = join(root, 'src/cli/bin.ts');

/** Runs the CLI entry as a child process, as `npx isolated-redis ...` would. */
async function cli(args: readonly string[], cwd: string, timeout = 0): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', bin, ...args], { cwd, timeout, env: { ...process.env, NO_COLOR: '1' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('the isolated-redis CLI as a process', () => {
  it('lint exits 1 when errors are found, printing them in the stylish format', async () => {
    const run = await cli(['lint'], join(fixtures, 'project'));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('services/mcp2/isolated.ts\n  11:18  error    GET: the key');
    expect(run.stdout).toContain('✖ 33 problems (26 errors, 7 warnings)');
  });

  it('lint exits 0 on a clean file, and prints nothing', async () => {
    const run = await cli(['lint', 'services/journal/clean.mjs'], join(fixtures, 'project'));
    expect(run).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('lint exits 0 when only warnings are found', async () => {
    const run = await cli(['lint', '--namespace', 'mcp2', '--format', 'json'], join(fixtures, 'warnings-only'));
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ files: 1, errorCount: 0, warningCount: 2 });
  });

  it('lint exits 2 for a file it cannot parse, naming the place', async () => {
    const run = await cli(['lint', '--namespace', 'mcp2', '--format', 'json'], join(fixtures, 'broken'));
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout).findings).toEqual([
      { file: 'broken.ts', line: 2, column: 25, endLine: 2, endColumn: 25, rule: 'parse-error', severity: 'error', message: 'Unexpected token' },
    ]);
  });

  it('exits 2 with a message for usage errors', async () => {
    expect(await cli(['lint', '--format', 'xml', '--namespace', 'mcp2'], fixtures)).toMatchObject({ code: 2, stderr: expect.stringContaining('--format must be one of stylish, json, sarif') });
    expect(await cli(['lint', '--bogus'], fixtures)).toMatchObject({ code: 2, stderr: expect.stringContaining("Unknown option '--bogus'") });
    expect(await cli(['lint', 'broken'], fixtures)).toMatchObject({ code: 2, stderr: expect.stringContaining('no namespace is known') });
    expect(await cli(['frobnicate'], fixtures)).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command "frobnicate"') });
    expect(await cli(['acl'], fixtures)).toMatchObject({ code: 2, stderr: expect.stringContaining('--namespace is required') });
  });
});

describe('the isolated-redis CLI as a process: help, version, connection failures', () => {
  let server: RunningRedis;

  beforeAll(async () => {
    server = await startRedisServer(['--requirepass', 'right-password']);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('prints a command\'s usage with --help and the version with --version, exit 0', async () => {
    const help = await cli(['keyspace', '--help'], fixtures);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: isolated-redis keyspace --url URL \[options\]\n/);
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(await cli(['--version'], fixtures)).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('keyspace exits 2 with one line, password masked, on a wrong password or an unreachable server: the process ends, no retry loop', async () => {
    const wrong = await cli(['keyspace', '--url', `redis://:wrong-password@127.0.0.1:${server.port}`, '--namespace', 'mcp2'], fixtures, 15_000);
    expect(wrong).toEqual({
      code: 2,
      stdout: '',
      stderr: `isolated-redis keyspace: cannot connect to redis://:***@127.0.0.1:${server.port}: WRONGPASS invalid username-password pair or user is disabled.\n`,
    });
    const port = await freePort();
    const unreachable = await cli(['keyspace', '--url', `redis://:secret@127.0.0.1:${port}`, '--namespace', 'mcp2'], fixtures, 15_000);
    expect(unreachable).toEqual({ code: 2, stdout: '', stderr: `isolated-redis keyspace: cannot connect to redis://:***@127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}\n` });
  });
});

