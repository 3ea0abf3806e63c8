import { describe, expect, it, vi } from 'vitest';
import type { PressureEvent, PressureSampleEvent } from '../../../src/index.js';
import { Instrumentation } from '../../../src/instrument/instrumentation.js';
import { nextLevel } from '../../../src/instrument/pressure/levels.js';
import { NotConnectedError } from '../../../src/instrument/pressure/info-source.js';
import { PressureMonitor } from '../../../src/instrument/pressure/monitor.js';

const thresholds = { warnRatio: 0.7, criticalRatio: 0.8, hysteresis: 0.05 };

describe('nextLevel', () => {
  it('enters a level at its threshold and leaves it only below the hysteresis band', () => {
    expect(nextLevel('ok', 0.69, thresholds)).toBe('ok');
    expect(nextLevel('ok', 0.7, thresholds)).toBe('warn');
    expect(nextLevel('warn', 0.67, thresholds)).toBe('warn');
    expect(nextLevel('warn', 0.64, thresholds)).toBe('ok');
    expect(nextLevel('warn', 0.8, thresholds)).toBe('critical');
    expect(nextLevel('critical', 0.77, thresholds)).toBe('critical');
    expect(nextLevel('critical', 0.74, thresholds)).toBe('warn');
    expect(nextLevel('critical', 0.1, thresholds)).toBe('ok');
    // A limit removed (maxmemory 0): the level goes back to ok instead of staying critical for ever.
    expect(nextLevel('critical', undefined, thresholds)).toBe('ok');
  });
});

/** An INFO reply with the fields the monitor reads. */
const info = (fields: Record<string, number>): string =>
  ['# Memory', ...Object.entries(fields).map(([name, value]) => `${name}:${value}`), ''].join('\r\n');

function monitorOver(replies: string[], options: ConstructorParameters<typeof PressureMonitor>[2] = {}) {
  const reports: PressureEvent[] = [];
  const samples: PressureSampleEvent[] = [];
  const instr = new Instrumentation('mcp2', { hooks: { onPressure: (e) => reports.push(e), onPressureSample: (e) => samples.push(e) } });
  let next = 0;
  const monitor = new PressureMonitor(instr, async () => replies[Math.min(next++, replies.length - 1)] as string, options);
  return { monitor, instr, reports, samples };
}

describe('PressureMonitor', () => {
  const base = { used_memory: 100, maxmemory: 1000, evicted_keys: 0, connected_clients: 10, maxclients: 100, rejected_connections: 0, blocked_clients: 0 };

  it('reports level changes once (no flapping), critical at every sample, and the raw figures', async () => {
    const ratios = [0.1, 0.72, 0.68, 0.72, 0.85, 0.9, 0.5];
    const { monitor, reports } = monitorOver(ratios.map((r, i) => info({ ...base, used_memory: r * 1000, total_commands_processed: i * 100 })));
    for (let i = 0; i < ratios.length; i++) await monitor.sample();
    expect(reports.map((r) => `${r.signal}:${r.previousLevel}->${r.level}`)).toEqual([
      'memory:ok->warn',
      'memory:warn->critical',
      'memory:critical->critical',
      'memory:critical->ok',
    ]);
    expect(reports[1]?.figures).toMatchObject({ usedMemory: 850, maxMemory: 1000, ratio: 0.85, connectedClients: 10, clientsRatio: 0.1 });
    expect(reports[1]?.figures.opsPerSec).toBeGreaterThan(0);
  });

  it('adds recommendation: split once warn has lasted splitAfterMs', async () => {
    const { monitor, reports } = monitorOver([info({ ...base, used_memory: 750 })], { splitAfterMs: 1 });
    await monitor.sample();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await monitor.sample();
    await monitor.sample();
    expect(reports.map((r) => r.recommendation)).toEqual([undefined, 'split']);
    expect(reports[1]?.reason).toMatch(/70%/);
  });

  it('reports evictions, client saturation and rejected connections by their deltas', async () => {
    const { monitor, reports } = monitorOver([
      info(base),
      info({ ...base, evicted_keys: 7, connected_clients: 95, rejected_connections: 2 }),
      info({ ...base, evicted_keys: 7, connected_clients: 96, rejected_connections: 2 }),
    ]);
    await monitor.sample();
    await monitor.sample();
    await monitor.sample();
    expect(reports.map((r) => r.signal)).toEqual(['evictions', 'clients', 'rejected-connections']);
    expect(reports[0]?.figures).toMatchObject({ evictedKeys: 7, evictedKeysDelta: 7 });
  });

  it('reports ok once, and stops repeating critical, when the memory limit is removed', async () => {
    const { monitor, reports } = monitorOver([info({ ...base, used_memory: 900 }), info({ ...base, used_memory: 900, maxmemory: 0 })]);
    for (let i = 0; i < 4; i++) await monitor.sample();
    expect(reports.filter((r) => r.signal === 'memory').map((r) => r.level)).toEqual(['critical', 'ok']);
  });

  it('leaves the ratio unknown with maxmemory 0, unless systemMemoryFallback', async () => {
    const unlimited = info({ ...base, maxmemory: 0, total_system_memory: 400 });
    const plain = monitorOver([unlimited]);
    await plain.monitor.sample();
    expect(plain.samples[0]?.figures.ratio).toBeUndefined();
    const fallback = monitorOver([unlimited], { systemMemoryFallback: true });
    await fallback.monitor.sample();
    expect(fallback.samples[0]?.figures).toMatchObject({ ratio: 0.25, maxMemory: 400 });
  });

  it("reports a spike of the p99 of this client's own commands against its baseline", async () => {
    const { monitor, instr, reports } = monitorOver([info(base)], { latencySpikeMinMs: 5 });
    const latency = instr.keepLatency();
    for (let i = 0; i < 100; i++) latency.add(1);
    await monitor.sample();
    for (let i = 0; i < 100; i++) latency.add(50);
    await monitor.sample();
    expect(reports.map((r) => r.signal)).toEqual(['latency']);
    expect(reports[0]?.figures).toMatchObject({ p99Ms: 50, p99BaselineMs: 1 });
  });

  it('reports an INFO it cannot read at once, once per failure, to the hook and the logger; and when it reads again', async () => {
    const reports: PressureEvent[] = [];
    const samples: PressureSampleEvent[] = [];
    const logger = { warn: vi.fn(), error: vi.fn(), info: vi.fn() };
    const instr = new Instrumentation('mcp2', { logger, hooks: { onPressure: (e) => reports.push(e), onPressureSample: (e) => samples.push(e) } });
    const noperm = new Error("NOPERM this user has no permissions to run the 'info' command");
    const outcomes: Array<Error | string> = [new NotConnectedError(), noperm, noperm, 'ERR unknown', info(base), new NotConnectedError()];
    const monitor = new PressureMonitor(instr, async () => {
      const next = outcomes.shift();
      if (next instanceof Error) throw next;
      return next as string;
    }, {});
    for (let i = 0; i < 6; i++) await monitor.sample();
    expect(reports.map((r) => [r.signal, r.level, r.error?.message])).toEqual([
      ['monitor', 'warn', noperm.message],
      ['monitor', 'warn', expect.stringMatching(/INFO answered without used_memory/)],
      ['monitor', 'ok', undefined],
    ]);
    expect(reports[0]?.reason).toMatch(/cannot read INFO .*alarms are off.*\+info.*pressure\.client/);
    expect(reports[2]?.reason).toBe('the pressure monitor reads INFO again');
    expect(samples).toHaveLength(1);
    expect(logger.warn).toHaveBeenCalledWith(expect.objectContaining({ namespace: 'mcp2', signal: 'monitor', error: noperm.message }), 'redis pressure: monitor warn');
  });

  it('takes its first sample when started, not one interval later', async () => {
    const { monitor, samples } = monitorOver([info(base)], { intervalMs: 3_600_000 });
    monitor.start();
    try {
      await vi.waitFor(() => expect(samples).toHaveLength(1));
    } finally {
      monitor.stop();
    }
  });
});
