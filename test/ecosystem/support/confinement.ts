import { Redis } from 'ioredis';
import { expect } from 'vitest';
import { startMonitor, type MonitoredCommand } from './monitor.js';

/**
 * The checks every ecosystem test ends with: what the server holds (raw `KEYS *` on every node)
 * and what it was asked (a MONITOR of the run, keys from the server's own `COMMAND GETKEYS`)
 * names no key, channel or pattern outside the namespaces the test allows.
 */

/** A key, channel or pattern outside every allowed prefix, and the command that named it. */
export interface OutsideName {
  readonly kind: 'key' | 'channel' | 'pattern';
  readonly name: string;
  /** `lua` when a script issued the command. */
  readonly source: string;
  readonly command: string;
}

const CHANNEL_COMMANDS = new Set(['publish', 'spublish', 'subscribe', 'ssubscribe', 'psubscribe']);

const printable = (arg: Buffer): string => {
  const text = arg.toString('latin1');
  return /^[\x20-\x7e]*$/.test(text) ? text.slice(0, 60) : `<${arg.length} bytes>`;
};
/** A short, readable form of a command line. */
export const commandLabel = (args: readonly Buffer[]): string => args.map(printable).join(' ');

const inside = (name: string, prefixes: readonly string[]): boolean => prefixes.some((prefix) => name.startsWith(prefix));

/** The channels and patterns a command line names outside its keys: PUBLISH and SUBSCRIBE channels, KEYS and SCAN MATCH patterns. */
function channelsAndPatterns(args: readonly Buffer[]): Array<{ kind: 'channel' | 'pattern'; name: string }> {
  const name = args[0]?.toString().toLowerCase() ?? '';
  if (name === 'publish' || name === 'spublish') return args[1] ? [{ kind: 'channel', name: args[1].toString() }] : [];
  if (CHANNEL_COMMANDS.has(name)) return args.slice(1).map((arg) => ({ kind: 'channel', name: arg.toString() }));
  if (name === 'keys') return args[1] ? [{ kind: 'pattern', name: args[1].toString() }] : [];
  if (name === 'scan') {
    const match = args.findIndex((arg, i) => i > 1 && arg.toString().toUpperCase() === 'MATCH');
    // SCAN without MATCH walks the whole keyspace.
    return [{ kind: 'pattern', name: match > 0 ? String(args[match + 1]) : '*' }];
  }
  return [];
}

/**
 * Every key (by `COMMAND GETKEYS`, asked of `admin`), channel and pattern of the monitored
 * commands that starts with none of `prefixes`, once per name and source. `unchecked` lists command lines the server
 * could not name the keys of (other than "no key arguments"): a test expects it empty, so that
 * nothing escapes the check unseen.
 */
export async function namesOutside(
  commands: readonly MonitoredCommand[],
  prefixes: readonly string[],
  admin: Redis,
): Promise<{ outside: OutsideName[]; unchecked: string[]; checked: number }> {
  const outside = new Map<string, OutsideName>();
  const note = (found: OutsideName): void => {
    const id = `${found.kind} ${found.name} ${found.source}`;
    if (!outside.has(id)) outside.set(id, found);
  };
  const unchecked: string[] = [];
  const keysOf = new Map<string, Promise<Buffer[] | Error>>();
  for (const { args } of commands) {
    const id = args.map((arg) => arg.toString('hex')).join(' ');
    if (args.length < 2 || keysOf.has(id)) continue;
    keysOf.set(id, (admin.callBuffer('COMMAND', 'GETKEYS', ...args) as Promise<Buffer[]>).catch((error: Error) => error));
  }
  for (const { args, source } of commands) {
    const command = commandLabel(args);
    for (const { kind, name } of channelsAndPatterns(args)) {
      if (!inside(name, prefixes)) note({ kind, name, source, command });
    }
    if (args.length < 2) continue;
    const keys = await keysOf.get(args.map((arg) => arg.toString('hex')).join(' '));
    if (keys instanceof Error) {
      if (!/no key arguments/.test(keys.message)) unchecked.push(`${command}: ${keys.message}`);
      continue;
    }
    for (const key of keys ?? []) {
      const name = key.toString('latin1');
      if (!inside(name, prefixes)) note({ kind: 'key', name, source, command });
    }
  }
  return { outside: [...outside.values()], unchecked: [...new Set(unchecked)], checked: commands.length };
}

/** Raw `KEYS *` on each node: the keys that start with none of `prefixes`. */
export async function storedKeysOutside(ports: readonly number[], prefixes: readonly string[]): Promise<string[]> {
  const outside: string[] = [];
  for (const port of ports) {
    const node = new Redis({ host: '127.0.0.1', port, lazyConnect: true });
    try {
      await node.connect();
      outside.push(...(await node.keys('*')).filter((key) => !inside(key, prefixes)));
    } finally {
      node.disconnect();
    }
  }
  return outside.sort();
}

/** Raw `FLUSHALL` on each node. */
export async function flushNodes(ports: readonly number[]): Promise<void> {
  for (const port of ports) {
    const node = new Redis({ host: '127.0.0.1', port, lazyConnect: true });
    try {
      await node.connect();
      await node.flushall();
    } finally {
      node.disconnect();
    }
  }
}

/** What {@link runConfined} saw of a run, and what the scenario returned. */
export interface ConfinedRun<T> {
  readonly result: T;
  readonly commands: readonly MonitoredCommand[];
  readonly outside: readonly OutsideName[];
  readonly unchecked: readonly string[];
  readonly storedOutside: readonly string[];
}

/**
 * Runs `scenario` under a MONITOR of every node, then reports the keys, channels and patterns
 * outside `prefixes` that the run named (MONITOR) or left (raw `KEYS *`). The MONITOR stops
 * even when the scenario throws.
 */
export async function runConfined<T>(ports: readonly number[], prefixes: readonly string[], scenario: () => Promise<T>): Promise<ConfinedRun<T>> {
  const monitor = await startMonitor(ports);
  let commands: MonitoredCommand[] = [];
  let result: T;
  try {
    result = await scenario();
  } finally {
    commands = await monitor.stop();
  }
  const admin = new Redis({ host: '127.0.0.1', port: ports[0] as number, lazyConnect: true });
  try {
    await admin.connect();
    const { outside, unchecked } = await namesOutside(commands, prefixes, admin);
    return { result, commands, outside, unchecked, storedOutside: await storedKeysOutside(ports, prefixes) };
  } finally {
    admin.disconnect();
  }
}

/**
 * Soft-asserts that a run stayed inside its prefixes (so that a failing test reports every
 * escape at once, beside the scenario's own findings); with `scripted`, also that MONITOR showed
 * commands issued inside Lua, so the check covered them.
 */
export function expectConfined(run: ConfinedRun<unknown>, { scripted = false } = {}): void {
  expect.soft(run.storedOutside, 'keys stored outside the namespace (raw KEYS * on every node)').toEqual([]);
  expect.soft(run.outside, 'keys, channels and patterns outside the namespace in the MONITOR of the run').toEqual([]);
  expect.soft(run.unchecked, 'monitored commands whose keys COMMAND GETKEYS could not name').toEqual([]);
  expect.soft(run.commands.length, 'commands seen by MONITOR').toBeGreaterThan(0);
  if (scripted) expect.soft(run.commands.some((command) => command.source === 'lua'), 'MONITOR showed commands issued inside scripts').toBe(true);
}

/**
 * Polls `done` every 25 ms until it holds; gives up when `progress` (a count of events) has not
 * moved for `stallMs`, or after `maxMs` in all. Resolves whether `done` held: the caller asserts
 * the state it waited for, so a failure shows what was reached.
 */
export async function waitUntil(done: () => boolean, progress: () => number, { stallMs = 3_000, maxMs = 15_000 } = {}): Promise<boolean> {
  const start = Date.now();
  let last = progress();
  let lastMoved = start;
  while (!done()) {
    const now = Date.now();
    const current = progress();
    if (current !== last) {
      last = current;
      lastMoved = now;
    }
    if (now - lastMoved > stallMs || now - start > maxMs) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}
