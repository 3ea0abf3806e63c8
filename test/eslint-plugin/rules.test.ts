import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Linter, RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { findConfig, resolveConfig } from '../../src/cli/lint/config.js';
import { lintPaths } from '../../src/cli/lint/run-lint.js';
import plugin from '../../src/eslint-plugin/index.js';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const project = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/lint/project');
const settings = { 'isolated-redis': { namespace: 'mcp2', namespaces: ['mcp2', 'celery', 'journal'] } };
const tester = new RuleTester({ languageOptions: { parser: tseslint.parser }, settings });
const rule = (id: keyof typeof plugin.rules) => plugin.rules[id];

const IOREDIS = "import Redis from 'ioredis';\nimport { createIsolatedRedis } from 'isolated-redis';\n";
const SHARED = `${IOREDIS}const shared = new Redis();\nconst mcp2 = createIsolatedRedis({ namespace: 'mcp2', client: shared });\n`;

tester.run('unprefixed-key', rule('unprefixed-key'), {
  valid: [
    { code: `${SHARED}const PREFIX = 'mcp2:';\nshared.get(\`\${PREFIX}payload:1\`);` },
    { code: `${SHARED}const map = new Map();\nmap.get('payload');` },
    { code: `${SHARED}// isolated-redis-disable-next-line unprefixed-key\nshared.get('legacy');` },
  ],
  invalid: [
    {
      code: `${SHARED}shared.get('payload:' + 1);`,
      errors: [{ message: 'GET: the key \'payload:\' + 1 carries no namespace prefix (expected "mcp2:")', line: 5, column: 12, endColumn: 26 }],
    },
  ],
});

tester.run('cross-namespace-key', rule('cross-namespace-key'), {
  valid: [{ code: `${SHARED}mcp2.get('payload:1');` }],
  invalid: [
    {
      // The constant is imported from the fixture project's shared/keys.ts.
      code: `${SHARED}import { CELERY_PREFIX } from '../../shared/keys.js';\nmcp2.hgetall(\`\${CELERY_PREFIX}task\`);`,
      filename: join(project, 'services/mcp2/inline.ts'),
      errors: [{ message: 'HGETALL: the key `${CELERY_PREFIX}task` belongs to namespace "celery", not to "mcp2", this isolated client\'s namespace', line: 6, column: 14 }],
    },
  ],
});

tester.run('double-prefix', rule('double-prefix'), {
  valid: [{ code: `${SHARED}shared.get('mcp2:payload:1');` }],
  invalid: [
    {
      code: `${SHARED}mcp2.set('mcp2:payload:1', 'v');`,
      errors: [{ message: 'SET: the key \'mcp2:payload:1\' already starts with "mcp2:", which this isolated client adds itself', line: 5, column: 10 }],
    },
  ],
});

tester.run('dynamic-key', rule('dynamic-key'), {
  valid: [{ code: `${SHARED}export const f = (id: string) => mcp2.get(id);` }],
  invalid: [
    {
      code: `${SHARED}export const f = (id: string) => shared.get(id);`,
      errors: [{ message: 'GET: the key id has a namespace prefix that cannot be resolved statically', line: 5, column: 45 }],
    },
  ],
});

tester.run('blocked-command', rule('blocked-command'), {
  valid: [{ code: `${SHARED}mcp2.scan(0);` }],
  invalid: [
    {
      code: `${SHARED}mcp2.flushdb();\nshared.keys('*');\nshared.scan(0);`,
      errors: [
        { message: "FLUSHDB is refused by isolated-redis: it deletes every namespace's keys; delete your own with SCAN + UNLINK", line: 5, column: 6 },
        { message: "KEYS: the key-pattern '*' matches every namespace's keys", line: 6, column: 13 },
        { message: 'SCAN without MATCH reads every namespace\'s keys; give it MATCH "<prefix>*"', line: 7, column: 8 },
      ],
    },
  ],
});

tester.run('raw-client', rule('raw-client'), {
  valid: [{ code: `${SHARED}`, name: 'a raw client passed to createIsolatedRedis' }],
  invalid: [
    {
      code: `${IOREDIS}const redis = new Redis();\nexport default redis;`,
      errors: [{ message: 'new Redis() makes a client outside any namespace; wrap it with createIsolatedRedis', line: 3, column: 15 }],
    },
  ],
});

describe('the plugin and the CLI', () => {
  it('report the same findings on the same file: one analysis', async () => {
    const file = join(project, 'services/mcp2/node-redis-jobs.ts');
    const linter = new Linter({ configType: 'flat', cwd: project });
    const messages = linter.verify(
      readFileSync(file, 'utf8'),
      [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser }, ...plugin.configs.recommended }],
      { filename: file },
    );
    const found = await findConfig(project);
    const cli = lintPaths([file], resolveConfig(found?.config ?? {}, project), project).findings;
    expect(messages.map((m) => [m.line, m.column, m.ruleId, m.severity]).sort()).toEqual(
      cli.map((f) => [f.line, f.column, `isolated-redis/${f.rule}`, f.severity === 'error' ? 2 : 1]).sort(),
    );
    expect(messages).toHaveLength(12);
  });
});

describe('the plugin without settings', () => {
  it('reads the configuration file found from the working directory up', () => {
    const file = join(project, 'services/celery/worker.cjs');
    const linter = new Linter({ configType: 'flat', cwd: project });
    const messages = linter.verify(readFileSync(file, 'utf8'), [{ files: ['**/*.cjs'], ...plugin.configs.recommended }], { filename: file });
    expect(messages.map((m) => `${m.line}:${m.column} ${m.ruleId}`)).toEqual([
      '4:15 isolated-redis/raw-client',
      '8:19 isolated-redis/cross-namespace-key',
      '10:23 isolated-redis/unprefixed-key',
    ]);
  });

  it('fails loudly, saying where to configure it, when there is no configuration', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'isolated-redis-eslint-'));
    const linter = new Linter({ configType: 'flat', cwd });
    const lint = () => linter.verify("import Redis from 'ioredis';\n", [plugin.configs.recommended], { filename: join(cwd, 'a.js') });
    expect(lint).toThrow(/isolated-redis\/eslint-plugin: no configuration: set settings\['isolated-redis'\]/);
  });
});
