import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { CliError } from '../../../src/cli/errors.js';
import { runLintCommand } from '../../../src/cli/lint/command.js';
import { findConfig, resolveConfig, type ResolvedConfig } from '../../../src/cli/lint/config.js';
import { lintPaths } from '../../../src/cli/lint/run-lint.js';
import { loadCompilerApi } from '../../../src/cli/lint/typescript.js';

/** A library that receives its clients from outside (interfaces, aliases, generics, factories, callbacks). */
const root = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/lint/typed');
const require = createRequire(import.meta.url);

let config: ResolvedConfig;
beforeAll(async () => {
  const found = await findConfig(root);
  if (!found) throw new Error('the typed fixture has a configuration file');
  config = resolveConfig(found.config, dirname(found.file));
});

const shown = (findings: readonly { line: number; column: number; rule: string }[]) => findings.map((f) => `${f.line}:${f.column} ${f.rule}`);

describe('type-aware lint (--project)', () => {
  it('sees nothing in such a library from the syntax alone', () => {
    expect(lintPaths(['src'], config, root).findings).toEqual([]);
  });

  it("recognises its clients with the project's type checker, and nothing else", () => {
    const { findings } = lintPaths(['src'], config, root, { project: 'tsconfig.json' });
    expect(shown(findings)).toEqual([
      // `const client = await queue.client` (Promise<Redis | Cluster>, the library's own alias)
      '9:20 unprefixed-key',
      // `(await queue.client).multi()...`: the chain of a client the checker found
      '10:61 cross-namespace-key',
      // `this.connection` of type `C extends Redis`
      '17:32 unprefixed-key',
      // `deps.redis`, a member of the library's interface
      '22:25 cross-namespace-key',
      // `connect().hget(...)`, a value returned by a function
      '29:24 unprefixed-key',
      // a node-redis client handed to a callback, typed `ReturnType<typeof createClient>`
      '34:23 unprefixed-key',
    ]);
    // Map#get and an object of the library's own with a get method are not clients.
    expect(findings.filter((f) => f.line === 39)).toEqual([]);
  }, 180_000);
});

describe('type-aware lint without a TypeScript compiler API', () => {
  const projectWith = (typescript: string | undefined) => {
    const dir = mkdtempSync(join(tmpdir(), 'isolated-redis-typed-'));
    writeFileSync(join(dir, 'tsconfig.json'), '{ "include": ["*.ts"] }');
    writeFileSync(join(dir, 'a.ts'), "import Redis from 'ioredis';\nnew Redis().get('a');\n");
    if (typescript !== undefined) {
      mkdirSync(join(dir, 'node_modules'));
      symlinkSync(dirname(require.resolve(`${typescript}/package.json`)), join(dir, 'node_modules/typescript'), 'dir');
    }
    return dir;
  };

  it("says that TypeScript 7 has none when the project's typescript is 7.x, and exits 2", async () => {
    const dir = projectWith('typescript7');
    expect(() => loadCompilerApi([dir])).toThrow(/typescript 7\.\d+\.\d+ does not have .*TypeScript 7 is the native compiler/);
    const io = { stdout: () => {}, stderr: () => {}, cwd: dir, env: {} };
    const run = runLintCommand(['--namespace', 'mcp2', '--project', 'tsconfig.json'], io);
    await expect(run).rejects.toBeInstanceOf(CliError);
    await expect(run).rejects.toMatchObject({ code: 'ERR_CLI_DEPENDENCY' });
  });

  it('says how to install it when no typescript is installed', () => {
    const dir = projectWith(undefined);
    expect(() => loadCompilerApi([dir], { includePackage: false })).toThrow(/needs the typescript package .* Without --project, lint needs no TypeScript at all/);
  });

  it("uses the project's own TypeScript first (5.x here)", () => {
    const dir = projectWith('typescript');
    expect(loadCompilerApi([dir]).version).toMatch(/^5\./);
  });
});
