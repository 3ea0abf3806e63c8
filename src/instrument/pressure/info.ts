import type { PressureFigures } from '../events.js';

/** The fields of an INFO reply (`name:value` lines; section headers and blank lines skipped). */
export function parseInfo(text: string): ReadonlyMap<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0 || line.startsWith('#')) continue;
    fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return fields;
}

/** One INFO sample, with the time it was taken. */
export interface InfoSample {
  readonly at: number;
  readonly usedMemory: number | undefined;
  readonly maxMemory: number | undefined;
  readonly systemMemory: number | undefined;
  readonly evictedKeys: number | undefined;
  readonly connectedClients: number | undefined;
  readonly maxClients: number | undefined;
  readonly rejectedConnections: number | undefined;
  readonly blockedClients: number | undefined;
  readonly commandsProcessed: number | undefined;
}

const numberOf = (fields: ReadonlyMap<string, string>, name: string): number | undefined => {
  const value = fields.get(name);
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
};

/** Reads the figures the monitor uses from `INFO memory stats clients`. */
export function readSample(fields: ReadonlyMap<string, string>, at: number): InfoSample {
  return {
    at,
    usedMemory: numberOf(fields, 'used_memory'),
    maxMemory: numberOf(fields, 'maxmemory'),
    systemMemory: numberOf(fields, 'total_system_memory'),
    evictedKeys: numberOf(fields, 'evicted_keys'),
    connectedClients: numberOf(fields, 'connected_clients'),
    maxClients: numberOf(fields, 'maxclients'),
    rejectedConnections: numberOf(fields, 'rejected_connections'),
    blockedClients: numberOf(fields, 'blocked_clients'),
    commandsProcessed: numberOf(fields, 'total_commands_processed'),
  };
}

const delta = (now: number | undefined, before: number | undefined): number | undefined =>
  now === undefined || before === undefined ? undefined : Math.max(0, now - before);

/**
 * The figures of a sample against the previous one: ratios (the memory ratio stays undefined
 * with `maxmemory 0`, unless `systemMemoryFallback` takes `total_system_memory`), deltas of the
 * counters, and ops/sec from `total_commands_processed`.
 */
export function figuresOf(sample: InfoSample, previous: InfoSample | undefined, systemMemoryFallback: boolean): PressureFigures {
  const limit = sample.maxMemory ? sample.maxMemory : systemMemoryFallback && sample.systemMemory ? sample.systemMemory : undefined;
  const ops = delta(sample.commandsProcessed, previous?.commandsProcessed);
  const seconds = previous ? (sample.at - previous.at) / 1000 : 0;
  return {
    usedMemory: sample.usedMemory,
    maxMemory: limit ?? sample.maxMemory,
    ratio: limit && sample.usedMemory !== undefined ? sample.usedMemory / limit : undefined,
    evictedKeys: sample.evictedKeys,
    evictedKeysDelta: delta(sample.evictedKeys, previous?.evictedKeys) ?? 0,
    connectedClients: sample.connectedClients,
    maxClients: sample.maxClients,
    clientsRatio: sample.connectedClients !== undefined && sample.maxClients ? sample.connectedClients / sample.maxClients : undefined,
    rejectedConnectionsDelta: delta(sample.rejectedConnections, previous?.rejectedConnections) ?? 0,
    blockedClients: sample.blockedClients,
    opsPerSec: ops !== undefined && seconds > 0 ? ops / seconds : undefined,
  };
}
