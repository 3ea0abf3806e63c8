import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const fixtures = join(here, '../fixtures/lint');
const bin = join(root, 'src/cli/bin.ts');

/** Runs the CLI entry as a child process, as `npx isolated-redis ...` would. */
async function cli(args: readonly string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', bin, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
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
      { file: 'broken.ts', line: 2, column: 25, endLine: 2, endColumn: 25, rule: 'parse-error', severity: 'error', message: "')' expected." },
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
