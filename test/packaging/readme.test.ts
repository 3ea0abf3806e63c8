import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockFiles, codeBlocks, exampleFiles, type BlockFile } from '../../scripts/readme-blocks.js';
import { createConsumer, type Compiler, type Consumer } from './support/consumer.js';
import { disposePacked, packOnce, repoRoot } from './support/packed.js';

/**
 * Every TypeScript (and JavaScript) block of the README, compiled as written, each as a module of
 * its own, in a project that installed the packed package with every peer the blocks use.
 */
afterAll(disposePacked);

describe('README code blocks', () => {
  let files: BlockFile[];
  let consumer: Consumer;

  beforeAll(async () => {
    files = blockFiles(codeBlocks(await readFile(join(repoRoot, 'README.md'), 'utf8')), await exampleFiles(join(repoRoot, 'examples')));
    const packages = ['ioredis', 'redis', 'ioredis-mock', '@types/ioredis-mock', 'prom-client', 'eslint', 'vitest', '@types/node'];
    consumer = await createConsumer('readme', await packOnce(), packages, Object.fromEntries(files.map((file) => [file.name, file.text])));
  }, 180_000);

  afterAll(async () => {
    await consumer?.dispose();
  });

  it('has blocks to check, the examples among them under their own names', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
    expect(files.map((file) => file.name)).toEqual(expect.arrayContaining(['payload-store.ts', 'payload-store.test.ts', 'eslint.config.js']));
  });

  it.each<Compiler>(['5.9', '7'])('compile with TypeScript %s (nodenext, strict, JavaScript checked too)', async (compiler) => {
    const output = await consumer.check(compiler, 'nodenext', files.map((file) => file.name), { allowJs: true, checkJs: true });
    // Name each failing block by its README line.
    const byLine = output.replace(/^([\w.-]+)\((\d+),(\d+)\)/gm, (match, name: string, line: string) => {
      const file = files.find((candidate) => candidate.name === name);
      return file ? `${match} [README.md:${file.line + Number(line)}]` : match;
    });
    expect(byLine).toBe('');
  }, 240_000);
});
