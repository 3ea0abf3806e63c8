import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { BUILTIN_COMMANDS, type CommandSpec } from '../../src/core/command-table.js';
import { CUSTOM_RULES, RANGE_REPLIES } from '../../src/core/locators.js';
import { BLOCKED_COMMANDS, CONNECTION_SCOPED_COMMANDS, KEYLESS_COMMANDS } from '../../src/core/policy.js';
import { describeCommand } from '../../src/index.js';

const require = createRequire(import.meta.url);
const commands = require('@ioredis/commands') as { list: string[] };

function leaves(): Exclude<CommandSpec, { kind: 'container' }>[] {
  const out: Exclude<CommandSpec, { kind: 'container' }>[] = [];
  const visit = (spec: CommandSpec | undefined): void => {
    if (!spec) return;
    if (spec.kind === 'container') spec.subcommands.names().forEach((name) => visit(spec.subcommands.get(name)));
    else out.push(spec);
  };
  BUILTIN_COMMANDS.names().forEach((name) => visit(BUILTIN_COMMANDS.get(name)));
  return out;
}

describe('the command table', () => {
  it('holds every command of @ioredis/commands', () => {
    expect(BUILTIN_COMMANDS.names().sort()).toEqual([...commands.list].sort());
  });

  it('names only commands the table has in its policy and rules (no dead entries)', () => {
    const known = new Set(leaves().map((spec) => spec.name));
    const listed = [...Object.keys(BLOCKED_COMMANDS), ...KEYLESS_COMMANDS, ...Object.keys(CUSTOM_RULES), ...Object.keys(RANGE_REPLIES)];
    expect(listed.filter((name) => !known.has(name))).toEqual([]);
  });

  it('lists as connection-scoped only commands it blocks', () => {
    expect([...CONNECTION_SCOPED_COMMANDS].filter((name) => BLOCKED_COMMANDS[name] === undefined)).toEqual([]);
  });

  it('leaves unclassified only commands whose semantics are not known to be confinable', () => {
    // A new keyless or movable-keys command lands here, refused, until someone classifies it.
    const unknown = leaves().filter((spec) => spec.kind === 'unknown').map((spec) => spec.name).sort();
    expect(unknown).toEqual(['bless|scan', 'himport|discard', 'himport|discardall', 'himport|prepare']);
  });

  it('gives every movable-keys command a rule of its own', () => {
    const table = require('@ioredis/commands/built/commands.json') as Record<string, { flags: string[] }>;
    const movable = Object.entries(table).filter(([, entry]) => entry.flags.includes('movablekeys')).map(([name]) => name);
    expect(movable.length).toBeGreaterThan(20);
    for (const name of movable) expect(BUILTIN_COMMANDS.get(name)?.kind, name).toBe('custom');
  });

  it('describes command lines with positions counted from the command name', () => {
    expect(describeCommand(['ZUNIONSTORE', 'dst', '2', 'a', 'b']).keys).toEqual([1, 3, 4]);
    expect(describeCommand(['XREAD', 'STREAMS', 's1', 's2', '0', '0']).keys).toEqual([2, 3]);
    expect(describeCommand(['SORT', 'l', 'BY', 'w_*', 'GET', '#', 'STORE', 'd'])).toMatchObject({ keys: [1, 7], sortPatterns: [3, 5] });
    expect(describeCommand(['PSUBSCRIBE', 'a*', 'b*']).channelPatterns).toEqual([1, 2]);
    expect(describeCommand(['SPUBLISH', 'ch', 'm'])).toMatchObject({ keys: [], channels: [1] });
    expect(describeCommand(['KEYS', '*'])).toMatchObject({ keyPatterns: [1], reply: 'key-list' });
    expect(describeCommand(['SCAN', '0']).appended).toEqual([['MATCH', 'key-pattern']]);
    expect(describeCommand(['FLUSHDB'])).toMatchObject({ status: 'blocked', command: 'flushdb' });
    expect(describeCommand(['JSON.GET', 'k'])).toMatchObject({ status: 'unknown' });
    expect(describeCommand(['EVAL', 's', '9'])).toMatchObject({ status: 'malformed' });
    expect(describeCommand(['JSON.GET', 'k'], { commands: { 'json.get': { firstKey: 0 } } }).keys).toEqual([1]);
    expect(describeCommand([])).toMatchObject({ status: 'unknown' });
    expect(describeCommand(['UNSUBSCRIBE'])).toMatchObject({ status: 'blocked' });
    expect(describeCommand(['UNSUBSCRIBE', 'a'])).toMatchObject({ status: 'allowed', channels: [1] });
  });
});
