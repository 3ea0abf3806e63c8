import { BUILTIN_COMMANDS, shaped, type CommandLookup, type CommandSpec } from './command-table.js';
import { IsolationConfigError } from './errors.js';
import type { Locator, ReplyShape } from './types.js';

/**
 * A rule for a command the built-in table lacks (module commands such as RedisJSON's `JSON.SET`),
 * or `{ blocked }` to refuse a built-in one. Key positions are 0-based indexes into the arguments
 * after the command name; a negative `lastKey` counts from the end (`-1` is the last argument).
 *
 * @example
 * ```ts
 * const commands: Record<string, CommandRule> = {
 *   'json.set': { firstKey: 0 },                    // JSON.SET key path value
 *   'json.mget': { firstKey: 0, lastKey: -2 },      // JSON.MGET key [key ...] path
 *   'ft.search': { keys: 'none' },                  // index names are not keys
 *   'graph.query': { locate: (args, sink) => sink.at(0, 'key') },
 *   keys: { blocked: 'use SCAN' },                  // tighten a built-in
 * };
 * ```
 */
export type CommandRule =
  | { readonly keys: 'none' }
  | { readonly firstKey: number; readonly lastKey?: number; readonly keyStep?: number; readonly reply?: ReplyShape }
  | { readonly locate: Locator; readonly reply?: ReplyShape }
  | { readonly blocked: string };

function toSpec(name: string, rule: CommandRule): CommandSpec {
  if ('blocked' in rule) return shaped({ kind: 'blocked', name, reason: rule.blocked });
  if ('keys' in rule) {
    if (rule.keys !== 'none') throw new IsolationConfigError(`command ${JSON.stringify(name)}: keys must be 'none'`);
    return shaped({ kind: 'keyless', name });
  }
  if ('locate' in rule) {
    if (typeof rule.locate !== 'function') throw new IsolationConfigError(`command ${JSON.stringify(name)}: locate must be a function`);
    return shaped({ kind: 'custom', name, locate: rule.locate, reply: rule.reply });
  }
  const { firstKey, lastKey = firstKey, keyStep = 1 } = rule;
  const valid =
    Number.isInteger(firstKey) && firstKey >= 0 && Number.isInteger(lastKey) && Number.isInteger(keyStep) && keyStep > 0 && (lastKey < 0 || lastKey >= firstKey);
  if (!valid) throw new IsolationConfigError(`command ${JSON.stringify(name)}: firstKey/lastKey/keyStep do not describe a key range`);
  return shaped({ kind: 'range', name, first: firstKey, stop: lastKey + 1, step: keyStep, reply: rule.reply });
}

/**
 * The built-in table with the user's rules added. A built-in command may only be tightened
 * (blocked): loosening one would let a user switch isolation off by accident.
 */
export function buildCommandTable(rules: Readonly<Record<string, CommandRule>> | undefined): CommandLookup {
  if (!rules || Object.keys(rules).length === 0) return BUILTIN_COMMANDS;
  const table = BUILTIN_COMMANDS.clone();
  for (const [rawName, rule] of Object.entries(rules)) {
    const name = rawName.toLowerCase();
    const [container, sub, deeper] = name.split('|');
    if (container === undefined || container === '' || deeper !== undefined) {
      throw new IsolationConfigError(`command ${JSON.stringify(rawName)}: use a command name or "container|subcommand"`);
    }
    const existing = sub === undefined ? table.get(container) : subcommandOf(table, container, sub);
    if (existing && existing.kind !== 'unknown' && !('blocked' in rule)) {
      throw new IsolationConfigError(`command ${JSON.stringify(rawName)} is built in; it can only be blocked, not redefined`);
    }
    const spec = toSpec(name, rule);
    if (sub === undefined) table.set(container, spec);
    else setSubcommand(table, container, sub, spec);
  }
  return table;
}

function subcommandOf(table: CommandLookup, container: string, sub: string): CommandSpec | undefined {
  const parent = table.get(container);
  if (parent?.kind !== 'container') {
    throw new IsolationConfigError(`command ${JSON.stringify(container)} has no subcommands`);
  }
  return parent.subcommands.get(sub);
}

function setSubcommand(table: CommandLookup, container: string, sub: string, spec: CommandSpec): void {
  const parent = table.get(container);
  if (parent?.kind !== 'container') throw new IsolationConfigError(`command ${JSON.stringify(container)} has no subcommands`);
  const subcommands = parent.subcommands.clone();
  subcommands.set(sub, spec);
  table.set(container, shaped({ kind: 'container', name: parent.name, subcommands }));
}
