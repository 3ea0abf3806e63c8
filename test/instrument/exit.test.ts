import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('timers', () => {
  it('never keep a process with idle isolated clients alive (they are unref()ed)', () => {
    const fixture = fileURLToPath(new URL('./fixtures/idle-clients.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--import', 'tsx', fixture], { encoding: 'utf8', timeout: 15_000 });
    expect(run.signal).toBeNull();
    expect(run.stdout).toContain('created');
    expect(run.status).toBe(0);
  });
});
