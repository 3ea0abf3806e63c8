import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { KEYSPACE_OPTIONS } from '../../src/cli/keyspace/command.js';
import { main } from '../../src/cli/main.js';
import { MOVE_OPTIONS } from '../../src/cli/move.js';
import { COMMAND_USAGE, commandHelp, overviewHelp, type CommandName } from '../../src/cli/usage.js';
import { packageVersion } from '../../src/cli/version.js';

// An empty directory: no configuration, nothing to lint.
const empty = mkdtempSync(join(tmpdir(), 'isolated-redis-usage-'));
afterAll(() => rmSync(empty, { recursive: true, force: true }));

async function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), cwd: empty, env: {} };
  return { code: await main(args, io), stdout, stderr };
}

const names = Object.keys(COMMAND_USAGE) as CommandName[];
/** `--url URL` as `{ name: 'url', value: true }`. */
const documented = (name: CommandName) =>
  COMMAND_USAGE[name].options.map(([flag]) => {
    const [option = '', value] = flag.split(' ');
    return { option, name: option.replace(/^--/, ''), value: value !== undefined };
  });

describe('isolated-redis --help and --version', () => {
  it.each(names)('%s --help and -h print its usage on stdout and exit 0', async (name) => {
    for (const flag of ['--help', '-h']) {
      expect(await cli([name, flag])).toEqual({ code: 0, stdout: commandHelp(name), stderr: '' });
    }
    // Whatever else is on the line, even what would be a usage error.
    expect(await cli([name, '--bogus', '--help'])).toEqual({ code: 0, stdout: commandHelp(name), stderr: '' });
    expect(await cli(['help', name])).toEqual({ code: 0, stdout: commandHelp(name), stderr: '' });
  });

  it.each(names)('%s --help lists every option with its value, and the exit codes', (name) => {
    const help = commandHelp(name);
    expect(help.startsWith(`Usage: isolated-redis ${name} `)).toBe(true);
    for (const [flag] of COMMAND_USAGE[name].options) expect(help).toMatch(new RegExp(`^  ${flag.replace(/[|]/g, '\\|')}  `, 'm'));
    expect(help).toMatch(/^ {2}-h, --help +print this help$/m);
    expect(help).toMatch(/^Exit codes: 0 /m);
  });

  it('--help, -h and help print every command with its options on stdout; no command prints it on stderr, exit 2', async () => {
    for (const args of [['--help'], ['-h'], ['help']]) expect(await cli(args)).toEqual({ code: 0, stdout: overviewHelp(), stderr: '' });
    expect(await cli([])).toEqual({ code: 2, stdout: '', stderr: overviewHelp() });
    const overview = overviewHelp();
    for (const name of names) {
      expect(overview).toContain(`  ${COMMAND_USAGE[name].synopsis}\n`);
      const lines = overview.split('\n').map((line) => line.trim());
      for (const [flag, description] of COMMAND_USAGE[name].options) expect(lines.some((line) => line.startsWith(`${flag} `) && line.endsWith(`  ${description}`)), flag).toBe(true);
    }
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v', 'version']) expect(await cli([flag])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect(packageVersion(tmpdir())).toBe('unknown');
  });

  it('lists the options the usage text omitted before: acl --url and --nopass, keyspace --cluster and --namespace', () => {
    expect(commandHelp('acl')).toMatch(/^ {2}--url URL +keep only the commands this server knows/m);
    expect(commandHelp('acl')).toMatch(/^ {2}--nopass +no password/m);
    expect(commandHelp('keyspace')).toMatch(/^ {2}--cluster +the URL names a Redis Cluster node/m);
    expect(commandHelp('keyspace')).toMatch(/^ {2}--namespace NS +a known namespace or family \(tenant-\*\); repeat it or give a comma list/m);
    expect(commandHelp('keyspace')).toMatch(/^ {2}--fail-on-stray +exit 1 when keys in no known namespace exist/m);
  });
});

describe('isolated-redis options: usage and parsers agree', () => {
  it.each(names)('%s accepts every option its usage lists', async (name) => {
    for (const { option, value } of documented(name)) {
      const run = await cli([name, option, ...(value ? ['x'] : [])]);
      expect(run.stderr, `${name} ${option}`).not.toMatch(/Unknown option/);
    }
  });

  it('keyspace and move list every option they accept', () => {
    expect(documented('keyspace').map((option) => option.name).sort()).toEqual(Object.keys(KEYSPACE_OPTIONS).sort());
    expect(documented('move').map((option) => option.name).sort()).toEqual(Object.keys(MOVE_OPTIONS).sort());
    for (const name of ['keyspace', 'move'] as const) {
      const parsed = name === 'keyspace' ? KEYSPACE_OPTIONS : MOVE_OPTIONS;
      for (const { name: option, value } of documented(name)) expect(parsed[option as keyof typeof parsed].type, option).toBe(value ? 'string' : 'boolean');
    }
  });

  it('exits 2 on an unknown option, naming it and where the usage is', async () => {
    for (const name of names) {
      const run = await cli([name, '--bogus']);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`isolated-redis ${name}: Unknown option '--bogus'`);
      expect(run.stderr).toContain(`Run "isolated-redis ${name} --help" for its options.`);
    }
    expect(await cli(['--bogus'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^isolated-redis: unknown option "--bogus"\n/) });
    expect(await cli(['help', 'frobnicate'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^isolated-redis help: unknown command "frobnicate"\n/) });
  });

  it('reads --help after -- as an argument, not as a request for help', async () => {
    const run = await cli(['lint', '--namespace', 'mcp2', '--', '--help']);
    expect(run.stdout).not.toContain('Usage:');
    expect(run.code).toBe(2);
  });
});
