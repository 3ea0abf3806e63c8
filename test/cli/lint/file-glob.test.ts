import { describe, expect, it } from 'vitest';
import { fileGlob } from '../../../src/cli/lint/file-glob.js';

describe('fileGlob', () => {
  it.each([
    ['services/mcp2/**', 'services/mcp2/a.ts', true],
    ['services/mcp2/**', 'services/mcp2/deep/er/a.ts', true],
    ['services/mcp2/**', 'services/mcp20/a.ts', false],
    ['services/mcp2', 'services/mcp2/a.ts', true],
    ['services/mcp2/', 'services/mcp2/x/a.ts', true],
    ['services/mcp2', 'services/mcp2x/a.ts', false],
    ['*.ts', 'a.ts', true],
    ['*.ts', 'dir/a.ts', false],
    ['**/*.ts', 'a.ts', true],
    ['**/*.ts', 'x/y/a.ts', true],
    ['**/*.{ts,mjs}', 'x/a.mjs', true],
    ['**/*.{ts,mjs}', 'x/a.js', false],
    ['src/?.ts', 'src/a.ts', true],
    ['src/?.ts', 'src/ab.ts', false],
    ['src/[ab].ts', 'src/b.ts', true],
    ['src/[!ab].ts', 'src/b.ts', false],
    ['./src/*.ts', 'src/a.ts', true],
    ['a+b(1).ts', 'a+b(1).ts', true],
    ['**/generated/**', 'services/mcp2/generated/x.ts', true],
  ])('%s matches %s: %s', (glob, path, expected) => {
    expect(fileGlob(glob).test(path)).toBe(expected);
  });
});
