import { describe, expect, it, vi } from 'vitest';
import { Instrumentation } from '../../src/instrument/instrumentation.js';

describe('isolation.events', () => {
  it('turns observation on with the first listener and off after the last, removeAllListeners() included', () => {
    const instr = new Instrumentation('mcp2', {});
    expect(instr.observing()).toBe(false);
    const listener = vi.fn();
    instr.events.on('command', listener);
    expect(instr.observing()).toBe(true);
    instr.events.off('command', listener);
    expect(instr.observing()).toBe(false);
    instr.events.on('timeout', listener);
    instr.events.removeAllListeners();
    expect(instr.observing()).toBe(false);
    instr.events.once('rejected', listener);
    expect(instr.observing()).toBe(true);
  });
});
