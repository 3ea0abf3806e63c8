import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Linter as Linter9 } from 'eslint';
import { Linter as Linter10 } from 'eslint10';
import tseslint from 'typescript-eslint';
import { afterEach, describe, expect, it } from 'vitest';
import { findConfig, resolveConfig } from '../../src/cli/lint/config.js';
import { lintPaths } from '../../src/cli/lint/run-lint.js';
import plugin from '../../src/eslint-plugin/index.js';

/**
 * The toolchains users install today: ESLint 9 and 10 (`eslint10` is an npm alias of eslint@10),
 * and as the project's `typescript` 5.9, the native 7.x (`typescript7`, whose package has no
 * compiler API) or none at all.
 */
const project = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/lint/project');
const require = createRequire(import.meta.url);
const linters = [
  ['ESLint 9', Linter9, require('eslint/package.json').version as string],
  ['ESLint 10', Linter10, require('eslint10/package.json').version as string],
] as const;

type Resolve = (request: string, ...rest: unknown[]) => string;
const loader = Module as unknown as { _resolveFilename: Resolve };
const original = loader._resolveFilename;
afterEach(() => {
  loader._resolveFilename = original;
});

/** Makes `require('typescript')` load `replacement` (or fail, for none), and counts the requests for it. */
function installedTypeScript(replacement: 'typescript7' | undefined): { requests: number } {
  const seen = { requests: 0 };
  loader._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]) {
    if (request !== 'typescript') return original.call(this, request, ...rest);
    seen.requests++;
    if (replacement === undefined) throw Object.assign(new Error("Cannot find module 'typescript'"), { code: 'MODULE_NOT_FOUND' });
    return original.call(this, replacement, ...rest);
  };
  return seen;
}

async function cliFindings(file: string) {
  const found = await findConfig(project);
  if (!found) throw new Error('the fixture project has a configuration file');
  return lintPaths([file], resolveConfig(found.config, project), project).findings.map((f) => `${f.line}:${f.column} isolated-redis/${f.rule}`);
}

const pluginConfig = { ...plugin.configs.recommended } as never;

/** Either major's Linter, called the same way. */
function verify(Linter: typeof Linter9 | typeof Linter10, code: string, config: unknown[], filename: string): { line: number; column: number; ruleId: string | null }[] {
  const linter = new Linter({ cwd: project }) as unknown as Linter9;
  return linter.verify(code, config as never, { filename });
}

describe.each(linters)('the plugin on %s (%s)', (_name, Linter) => {
  it('reports what the CLI reports on a TypeScript file (typescript-eslint parser)', async () => {
    const file = join(project, 'services/mcp2/node-redis-jobs.ts');
    const messages = verify(Linter, readFileSync(file, 'utf8'), [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, pluginConfig], file);
    expect(messages.map((m) => `${m.line}:${m.column} ${m.ruleId}`)).toEqual(await cliFindings('services/mcp2/node-redis-jobs.ts'));
    expect(messages).toHaveLength(12);
  });

  it.each([['typescript 7.x', 'typescript7'], ['no typescript', undefined]] as const)(
    'works on a CommonJS file (default parser) with %s installed, and never loads it',
    async (_label, replacement) => {
      const file = join(project, 'services/celery/worker.cjs');
      const expected = await cliFindings('services/celery/worker.cjs');
      const typescript = installedTypeScript(replacement);
      const messages = verify(Linter, readFileSync(file, 'utf8'), [{ files: ['**/*.cjs'] }, pluginConfig], file);
      expect(messages.map((m) => `${m.line}:${m.column} ${m.ruleId}`)).toEqual(expected);
      expect(expected).toHaveLength(3);
      expect(typescript.requests).toBe(0);
    },
  );
});

describe('lint with the typescript users install today', () => {
  it.each([['typescript 7.x', 'typescript7'], ['no typescript', undefined]] as const)(
    'gives the same findings with %s as with 5.9, without loading it',
    async (_label, replacement) => {
      const expected = await cliFindings('.');
      const typescript = installedTypeScript(replacement);
      expect(await cliFindings('.')).toEqual(expected);
      expect(expected.length).toBeGreaterThan(30);
      expect(typescript.requests).toBe(0);
      // The interception is real: a require of `typescript` now meets the replacement, and is counted
      // (from a directory of its own: Node caches what a directory's requires resolved to).
      const control = createRequire(join(project, `control-${replacement ?? 'none'}`, 'index.js'));
      if (replacement) expect((control('typescript') as { version: string }).version).toMatch(/^7\./);
      else expect(() => control('typescript')).toThrow(/Cannot find module 'typescript'/);
      expect(typescript.requests).toBe(1);
    },
  );

  it('really has TypeScript 7 without a compiler API under the alias (the case above is the real package)', () => {
    const ts7 = require('typescript7') as { version: string; createProgram?: unknown };
    expect(ts7.version).toMatch(/^7\./);
    expect(ts7.createProgram).toBeUndefined();
  });
});
