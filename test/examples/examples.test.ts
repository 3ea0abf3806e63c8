import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';

const run = promisify(execFile);

/** Runs an example the way a reader would, and returns what it printed. */
async function example(file: string, env: Record<string, string | undefined> = {}, args: string[] = []): Promise<string> {
  const inherited = { ...process.env };
  delete inherited.REDIS_URL;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', file, ...args], {
    env: { ...inherited, ...env },
    timeout: 30_000,
  });
  return stdout;
}

describe('examples', () => {
  it('demo without REDIS_URL runs on the mock: two services, refusals with their codes, a confined SCAN', async () => {
    const out = await example('examples/demo.ts');
    expect(out).toContain('No REDIS_URL: running on an in-memory ioredis-mock');
    expect(out).toContain('sends   SET demo-mcp2:payload:1');
    expect(out).toContain('sends   SCAN 0 MATCH demo-mcp2:*\n            replies ["0",["payload:1"]]');
    expect(out).toContain('replies ["queue"]');
    expect(out).toMatch(/GET demo-celery:queue\n\s+refused ERR_CROSS_NAMESPACE/);
    expect(out).toMatch(/DEL demo-celery:queue\n\s+refused ERR_CROSS_NAMESPACE/);
    expect(out).toContain('refused ERR_DOUBLE_PREFIX');
    expect(out).toContain('refused ERR_BLOCKED_COMMAND');
    expect(out).toContain('refused ERR_UNKNOWN_COMMAND');
    expect(out).toContain('refused ERR_MOCK_UNSUPPORTED: BLPOP cannot run on ioredis-mock');
    expect(out).toContain('Stored in the shared Redis: ["demo-celery:queue","demo-mcp2:payload:1"]');
  });

  it('demo with REDIS_URL runs the same script on the server and un-prefixes the replies', async () => {
    const out = await example('examples/demo.ts', { REDIS_URL: `${inject('redisUrl')}/5` });
    expect(out).toContain('Running against');
    expect(out).toContain('replies ["0",["payload:1"]]');
    expect(out).toContain('replies ["queue"]');
    expect(out).toContain('replies ["queue","task-1"]');
    expect(out).toMatch(/GET demo-celery:queue\n\s+refused ERR_CROSS_NAMESPACE/);
    expect(out).toContain('Stored in the shared Redis: ["demo-mcp2:payload:1"]');
    // Instrumentation on the server: a write paused by CLIENT PAUSE times out, and the pressure monitor samples.
    expect(out).toMatch(/onTimeout {2}demo-mcp2 SET command timeout after \d+ ms: CommandTimeoutError/);
    expect(out).toMatch(/onPressure sample: level ok, used_memory \d+ B/);
  });

  it('the unit-test example passes under its own vitest config, and the README shows it as it is', async () => {
    const { stdout } = await run(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--config', 'examples/unit-test/vitest.config.ts'], {
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 60_000,
    });
    expect(stdout).toMatch(/Tests\s+4 passed \(4\)/);
    const readme = await readFile('README.md', 'utf8');
    for (const file of ['examples/unit-test/payload-store.ts', 'examples/unit-test/payload-store.test.ts']) {
      expect(readme, `README shows ${file}`).toContain(`\`\`\`ts\n${await readFile(file, 'utf8')}\`\`\``);
    }
  });

  it('describe-command prints where the keys are', async () => {
    const out = await example('examples/describe-command.ts', {}, ['SORT', 'l', 'BY', 'w_*', 'STORE', 'd']);
    expect(out).toContain('keys: l, d');
    expect(out).toContain('sort patterns: w_*');
  });
});
