import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsumer, type Consumer } from './support/consumer.js';
import { asModule, docExamples, entryExports, type DocExample } from './support/doc-examples.js';
import { disposePacked, packOnce } from './support/packed.js';

/**
 * The `@example` blocks of the API reference (the TSDoc of the published declarations, which TypeDoc
 * renders), compiled against the packed package: each a module of its own, with the imports of the
 * names it uses and, for fragments, the variables of fixtures/doc-context.d.ts.
 */

/**
 * Examples that do not compile yet, by the declaration they document, and why. Each must still fail:
 * fix the example, then remove it from here.
 */
const KNOWN_BROKEN: Readonly<Record<string, string>> = {};

const symbolOf = (example: DocExample): string => example.name.replace(/^\d+-|\.ts$/g, '');

afterAll(disposePacked);

describe('API reference examples (TSDoc @example)', () => {
  let examples: DocExample[];
  let consumer: Consumer;

  beforeAll(async () => {
    const pkg = await packOnce();
    const dist = join(pkg.root, 'dist');
    examples = await docExamples(dist);
    const exports = await entryExports(dist);
    const files: Record<string, string> = { 'doc-context.d.ts': await readFile(join(import.meta.dirname, 'fixtures', 'doc-context.d.ts'), 'utf8') };
    for (const example of examples) files[`examples/${example.name}`] = asModule(example.code, exports);
    const packages = ['ioredis', 'redis', 'ioredis-mock', '@types/ioredis-mock', 'prom-client', 'eslint', 'vitest', '@types/node'];
    consumer = await createConsumer('doc-examples', pkg, packages, files);
  }, 180_000);

  afterAll(async () => {
    await consumer?.dispose();
  });

  it('finds the examples of every entry point', () => {
    const symbols = examples.map(symbolOf);
    expect(examples.length).toBeGreaterThanOrEqual(90);
    expect(symbols).toEqual(expect.arrayContaining(['createIsolatedRedis', 'createMockRedis', 'createPrometheusHooks', 'IsolatedRedisPlugin']));
  });

  it('compile with TypeScript 7 (nodenext, strict), but the known broken ones, which still fail', async () => {
    const output = await consumer.check('7', 'nodenext', ['doc-context.d.ts', ...examples.map((example) => `examples/${example.name}`)]);
    const failing = new Set([...output.matchAll(/^examples\/(\d+-\w+)\.ts\(/gm)].map((match) => (match[1] ?? '').replace(/^\d+-/, '')));
    const unexpected = output.split('\n').filter((line) => {
      const symbol = /^examples\/\d+-(\w+)\.ts/.exec(line)?.[1];
      return symbol !== undefined && !(symbol in KNOWN_BROKEN);
    });
    expect(unexpected).toEqual([]);
    expect(output.split('\n').filter((line) => /error TS/.test(line) && !/^examples\//.test(line))).toEqual([]);
    for (const symbol of Object.keys(KNOWN_BROKEN)) expect(failing.has(symbol), `${symbol} compiles now: remove it from KNOWN_BROKEN`).toBe(true);
    console.log(`${examples.length - failing.size} of ${examples.length} examples compile; known broken: ${[...failing].join(', ') || 'none'}`);
  }, 240_000);
});
