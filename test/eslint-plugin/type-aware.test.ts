import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Linter } from 'eslint10';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../../src/eslint-plugin/index.js';

/** The library of test/fixtures/lint/typed, which receives its clients from outside. */
const root = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/lint/typed');
const file = join(root, 'src/queue.ts');

function lint(settings: Record<string, unknown>) {
  const linter = new Linter({ cwd: root });
  const config = [
    { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser as never, parserOptions: { project: join(root, 'tsconfig.json'), tsconfigRootDir: root } } },
    { ...plugin.configs.recommended, settings: { 'isolated-redis': settings } },
  ] as never;
  return linter.verify(readFileSync(file, 'utf8'), config, { filename: file }).map((m) => `${m.line}:${m.column} ${m.ruleId}`);
}

describe("the plugin with typescript-eslint's type information", () => {
  it('is type-aware like lint --project, and can be told not to be', () => {
    const settings = { namespace: 'mcp2', namespaces: ['mcp2', 'celery'] };
    expect(lint(settings)).toEqual([
      '9:20 isolated-redis/unprefixed-key',
      '10:61 isolated-redis/cross-namespace-key',
      '17:32 isolated-redis/unprefixed-key',
      '22:25 isolated-redis/cross-namespace-key',
      '29:24 isolated-redis/unprefixed-key',
      '34:23 isolated-redis/unprefixed-key',
    ]);
    expect(lint({ ...settings, typeAware: false })).toEqual([]);
  }, 180_000);
});
