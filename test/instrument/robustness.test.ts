import { once } from 'node:events';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, expect, it, vi } from 'vitest';
import * as redis6 from 'redis';
import * as redis5 from 'redis5';
import { COMMAND_CHANNEL, type TimeoutEvent } from '../../src/index.js';
import { nativeTimeoutKind } from '../../src/instrument/driver-errors.js';
import { Instrumentation } from '../../src/instrument/instrumentation.js';

/** Runs one command that settles with `outcome` through the instrumentation. */
const observe = (instr: Instrumentation, outcome: () => Promise<unknown>): Promise<unknown> =>
  instr.commandLine(['GET', 'mcp2:k'], 1, outcome).catch((error: unknown) => error);

describe('instrumentation robustness', () => {
  it("recognises node-redis's own timeout errors by their classes (their name is 'Error')", () => {
    for (const driver of [redis5, redis6] as const) {
      expect(new driver.TimeoutError().name).toBe('Error');
      expect(nativeTimeoutKind(new driver.TimeoutError())).toBe('command');
      expect(nativeTimeoutKind(new driver.SocketTimeoutError(100))).toBe('socket');
      expect(nativeTimeoutKind(new driver.ConnectionTimeoutError())).toBe('connect');
    }
    expect(nativeTimeoutKind(new Error('Command timed out'))).toBe('command');
    expect(nativeTimeoutKind(new Error('ERR something else'))).toBeUndefined();
  });

  it('reports a driver timeout through onTimeout', async () => {
    const timeouts: TimeoutEvent[] = [];
    const instr = new Instrumentation('mcp2', { hooks: { onTimeout: (e) => timeouts.push(e) } });
    await observe(instr, () => Promise.reject(new redis6.SocketTimeoutError(100)));
    expect(timeouts.map((t) => [t.command, t.kind])).toEqual([['get', 'socket']]);
  });

  it('calls a once() listener once and then stops observing, also through events.once()', async () => {
    const instr = new Instrumentation('mcp2', {});
    const seen: unknown[] = [];
    instr.events.once('command', (e) => seen.push(e));
    for (let i = 0; i < 3; i++) await observe(instr, () => Promise.resolve('v'));
    expect(seen).toHaveLength(1);
    const next = once(instr.events, 'command');
    await observe(instr, () => Promise.resolve('v'));
    await next;
    expect(instr.events.listenerCount('command')).toBe(0);
    expect(instr.observing()).toBe(false);
  });

  it('keeps a rejecting async hook or listener from becoming an unhandled rejection', async () => {
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const instr = new Instrumentation('mcp2', { hooks: { onCommand: async () => Promise.reject(new Error('metrics backend down')) } });
      instr.events.on('command', async () => Promise.reject(new Error('listener down')));
      expect(await observe(instr, () => Promise.resolve('v'))).toBe('v');
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('traces for a subscriber of asyncEnd alone', async () => {
    const ends: unknown[] = [];
    const onEnd = (context: unknown): void => void ends.push((context as { command: string }).command);
    subscribe(`tracing:${COMMAND_CHANNEL}:asyncEnd`, onEnd);
    try {
      const instr = new Instrumentation('mcp2', {});
      expect(instr.observing()).toBe(true);
      await observe(instr, () => Promise.resolve('v'));
      expect(ends).toEqual(['get']);
    } finally {
      unsubscribe(`tracing:${COMMAND_CHANNEL}:asyncEnd`, onEnd);
    }
  });
});
