import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/**
 * Runs `script` in a Node process where ioredis-mock cannot be resolved, as for a production
 * install that never added it (a preload makes its resolution fail like a missing package).
 */
async function withoutIoredisMock(script: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'isolated-redis-no-mock-'));
  const preload = join(dir, 'hide-ioredis-mock.cjs');
  await writeFile(
    preload,
    `const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'ioredis-mock' || request.startsWith('ioredis-mock/')) {
    const error = new Error("Cannot find module '" + request + "'");
    error.code = 'MODULE_NOT_FOUND';
    throw error;
  }
  return resolve.call(this, request, ...rest);
};`,
  );
  const { stdout } = await run(process.execPath, ['--require', preload, '--import', 'tsx', '--input-type=module', '-e', script], { timeout: 30_000 });
  return stdout;
}

describe('ioredis-mock is an optional peer of isolated-redis/testing only', () => {
  it('the main entry works without it', async () => {
    const out = await withoutIoredisMock(`
      const { createGuard } = await import('./src/index.ts');
      console.log(createGuard({ namespace: 'mcp2' }).rewrite('get', ['k'])[0]);
    `);
    expect(out.trim()).toBe('mcp2:k');
  });

  it('the testing entry imports without it, and says what to install when used', async () => {
    const out = await withoutIoredisMock(`
      const { createMockRedis } = await import('./src/testing/index.ts');
      try { createMockRedis({ namespace: 'mcp2' }); } catch (error) { console.log(error.code + ' ' + error.message); }
    `);
    expect(out).toContain('ERR_INVALID_OPTIONS');
    expect(out).toContain('npm install --save-dev ioredis-mock');
  });
});
