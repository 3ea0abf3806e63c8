import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findConfig, resolveConfig } from '../../../src/cli/lint/config.js';
import { lintPaths } from '../../../src/cli/lint/run-lint.js';

const project = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/lint/project');

/** [file, line, column, rule] of every finding the fixture project holds, in report order. */
const EXPECTED: readonly (readonly [string, number, number, string])[] = [
  ['services/celery/worker.cjs', 4, 15, 'raw-client'],
  ['services/celery/worker.cjs', 8, 19, 'cross-namespace-key'],
  ['services/celery/worker.cjs', 10, 23, 'unprefixed-key'],
  ['services/mcp2/ioredis-jobs.ts', 5, 15, 'raw-client'],
  ['services/mcp2/ioredis-jobs.ts', 11, 19, 'unprefixed-key'],
  ['services/mcp2/ioredis-jobs.ts', 12, 20, 'cross-namespace-key'],
  ['services/mcp2/ioredis-jobs.ts', 14, 21, 'unprefixed-key'],
  ['services/mcp2/ioredis-jobs.ts', 15, 22, 'dynamic-key'],
  ['services/mcp2/ioredis-jobs.ts', 18, 26, 'blocked-command'],
  ['services/mcp2/ioredis-jobs.ts', 25, 11, 'unprefixed-key'],
  ['services/mcp2/ioredis-jobs.ts', 28, 51, 'cross-namespace-key'],
  ['services/mcp2/ioredis-jobs.ts', 30, 28, 'unprefixed-key'],
  ['services/mcp2/ioredis-jobs.ts', 31, 19, 'dynamic-key'],
  ['services/mcp2/ioredis-jobs.ts', 35, 19, 'unprefixed-key'],
  ['services/mcp2/ioredis-jobs.ts', 36, 20, 'blocked-command'],
  ['services/mcp2/isolated.ts', 11, 18, 'double-prefix'],
  ['services/mcp2/isolated.ts', 12, 18, 'cross-namespace-key'],
  ['services/mcp2/isolated.ts', 14, 14, 'blocked-command'],
  ['services/mcp2/isolated.ts', 15, 22, 'cross-namespace-key'],
  ['services/mcp2/isolated.ts', 16, 20, 'unprefixed-key'],
  ['services/mcp2/isolated.ts', 18, 30, 'double-prefix'],
  ['services/mcp2/node-redis-jobs.ts', 4, 22, 'raw-client'],
  ['services/mcp2/node-redis-jobs.ts', 5, 17, 'raw-client'],
  ['services/mcp2/node-redis-jobs.ts', 9, 21, 'unprefixed-key'],
  ['services/mcp2/node-redis-jobs.ts', 10, 69, 'unprefixed-key'],
  ['services/mcp2/node-redis-jobs.ts', 11, 67, 'cross-namespace-key'],
  ['services/mcp2/node-redis-jobs.ts', 12, 21, 'dynamic-key'],
  ['services/mcp2/node-redis-jobs.ts', 13, 36, 'unprefixed-key'],
  ['services/mcp2/node-redis-jobs.ts', 14, 61, 'unprefixed-key'],
  ['services/mcp2/node-redis-jobs.ts', 15, 16, 'blocked-command'],
  ['services/mcp2/node-redis-jobs.ts', 17, 56, 'unprefixed-key'],
  ['services/mcp2/node-redis-jobs.ts', 18, 16, 'blocked-command'],
  ['services/mcp2/node-redis-jobs.ts', 19, 21, 'unprefixed-key'],
];

async function lintProject(paths: readonly string[] = ['.']) {
  const found = await findConfig(project);
  if (!found) throw new Error('the fixture project has a configuration file');
  return lintPaths(paths, resolveConfig(found.config, dirname(found.file)), project);
}

describe('lint of the fixture project (ioredis, node-redis, isolated clients, CJS, suppressions)', () => {
  it('reports exactly the known violations, at their line and column', async () => {
    const result = await lintProject();
    expect(result.findings.map((f) => [f.file, f.line, f.column, f.rule])).toEqual(EXPECTED);
  });

  it('reads every source file but the ignored generated one, declaration files and node_modules', async () => {
    expect((await lintProject()).files).toBe(7);
  });

  it('resolves constants imported through re-exports and `as const` objects: those keys are not reported', async () => {
    const lines = (await lintProject(['services/mcp2/ioredis-jobs.ts'])).findings.map((f) => f.line);
    // 9: `${PREFIX}payload:${id}` (PREFIX re-exported under another name), 10: PAYLOADS + id, 13: KEYS.queue
    expect(lines).not.toContain(9);
    expect(lines).not.toContain(10);
    expect(lines).not.toContain(13);
  });

  it('leaves Map#get and other non-client calls alone', async () => {
    const result = await lintProject(['services/journal/clean.mjs', 'services/mcp2/ioredis-jobs.ts']);
    expect(result.findings.filter((f) => f.line === 16 || f.line === 17)).toEqual([]);
    expect(result.findings.filter((f) => f.file.endsWith('clean.mjs'))).toEqual([]);
  });

  it('honours a suppression for the named rule only', async () => {
    const findings = (await lintProject(['services/mcp2/ioredis-jobs.ts'])).findings;
    expect(findings.filter((f) => f.line === 33)).toEqual([]);
    expect(findings.filter((f) => f.line === 35).map((f) => f.rule)).toEqual(['unprefixed-key']);
  });

  it('gives errors and warnings the severities of their rules, with messages naming the key', async () => {
    const findings = (await lintProject(['services/mcp2/isolated.ts'])).findings;
    expect(findings[0]).toEqual({
      file: 'services/mcp2/isolated.ts',
      line: 11,
      column: 18,
      endLine: 11,
      endColumn: 34,
      rule: 'double-prefix',
      severity: 'error',
      message: 'GET: the key \'mcp2:payload:1\' already starts with "mcp2:", which this isolated client adds itself',
    });
    const severities = new Set((await lintProject()).findings.map((f) => `${f.rule}:${f.severity}`));
    expect([...severities].sort()).toEqual([
      'blocked-command:error',
      'cross-namespace-key:error',
      'double-prefix:error',
      'dynamic-key:warning',
      'raw-client:warning',
      'unprefixed-key:error',
    ]);
  });
});
