import { describe, expect, it, vi } from 'vitest';
import { Instrumentation } from '../../src/instrument/instrumentation.js';

const logger = () => ({ warn: vi.fn(), error: vi.fn(), info: vi.fn() });

describe('the logger option', () => {
  it('logs timeouts at warn with the namespace', async () => {
    const log = logger();
    const instr = new Instrumentation('mcp2', { logger: log });
    await instr.command('GET', ['k'], 1, () => Promise.reject(new Error('Command timed out'))).catch(() => undefined);
    expect(log.warn).toHaveBeenCalledWith(expect.objectContaining({ namespace: 'mcp2', command: 'get', kind: 'command' }), 'redis command timed out: get');
  });

  it('logs failed blocking commands at error, and pressure changes at their level', async () => {
    const log = logger();
    const instr = new Instrumentation('mcp2', { logger: log });
    await instr.command('blpop', ['q', '5'], 1, () => Promise.reject(new Error('ERR connection lost'))).catch(() => undefined);
    expect(log.error).toHaveBeenCalledWith(expect.objectContaining({ namespace: 'mcp2', command: 'blpop', error: 'ERR connection lost' }), 'redis blocking command failed: blpop');
    instr.pressure({ namespace: 'mcp2', level: 'warn', signal: 'memory', figures: { ratio: 0.72 } });
    expect(log.warn).toHaveBeenCalledWith(expect.objectContaining({ namespace: 'mcp2', level: 'warn', ratio: 0.72 }), 'redis pressure: memory warn');
  });

  it('never lets a throwing logger break a command', async () => {
    const broken = { warn: () => { throw new Error('broken logger'); }, error: () => { throw new Error('broken logger'); } };
    const instr = new Instrumentation('mcp2', { logger: broken, commandTimeoutMs: 1000 });
    await expect(instr.command('get', ['k'], 1, () => Promise.reject(new Error('Command timed out')))).rejects.toThrow('Command timed out');
    await expect(instr.command('get', ['k'], 1, () => Promise.resolve('v'))).resolves.toBe('v');
  });
});
