import { createRequire } from 'node:module';
import { CUSTOM_RULES, RANGE_REPLIES } from './locators.js';
import { BLOCKED_COMMANDS, KEYLESS_COMMANDS } from './policy.js';
import type { Locator, ReplyShape } from './types.js';

/** One entry of `@ioredis/commands`' table, as generated from Redis's own COMMAND output. */
interface TableEntry {
  readonly arity: number;
  readonly flags: readonly string[];
  readonly keyStart: number;
  readonly keyStop: number;
  readonly step: number;
  readonly subcommands?: Readonly<Record<string, TableEntry>>;
}

/**
 * The rule for one command (or subcommand), resolved once at load time.
 *
 * - `range`: keys at `first`, `first + step`, ... up to `stop` (exclusive; when `stop <= 0`
 *   it counts back from the end of the arguments, `0` meaning "to the end").
 * - `custom`: a locator finds the keys, patterns and channels.
 * - `keyless`: no key, allowed as is.
 * - `blocked`: refused, with `reason`.
 * - `unknown`: refused; the command is not classified (a keyless or movable-keys command this
 *   library has no rule for).
 * - `container`: the rule depends on the subcommand, the first argument.
 */
export type CommandSpec =
  | { readonly kind: 'range'; readonly name: string; readonly first: number; readonly stop: number; readonly step: number; readonly reply: ReplyShape | undefined }
  | { readonly kind: 'custom'; readonly name: string; readonly locate: Locator; readonly reply: ReplyShape | undefined }
  | { readonly kind: 'keyless'; readonly name: string }
  | { readonly kind: 'blocked'; readonly name: string; readonly reason: string }
  | { readonly kind: 'unknown'; readonly name: string; readonly reason: string }
  | { readonly kind: 'container'; readonly name: string; readonly subcommands: CommandLookup };

/**
 * Every spec object gets every field, in one order, so that V8 gives them all one shape: the
 * guard reads `kind`, `first`, `stop`... of whichever command comes, and a single shape keeps
 * those reads monomorphic (measured: a polymorphic call site ran GET twice as slow).
 */
export function shaped<S extends CommandSpec>(spec: S): S {
  const all = spec as Partial<Record<string, unknown>>;
  return {
    kind: spec.kind,
    name: spec.name,
    first: all.first ?? 0,
    stop: all.stop ?? 0,
    step: all.step ?? 0,
    reply: all.reply,
    locate: all.locate,
    reason: all.reason ?? '',
    subcommands: all.subcommands,
  } as unknown as S;
}

/**
 * A name -> spec map that answers lower- and upper-case names without allocating, and other
 * casings through one `toLowerCase`.
 */
export class CommandLookup {
  private readonly byName = new Map<string, CommandSpec>();

  set(name: string, spec: CommandSpec): void {
    const lower = name.toLowerCase();
    this.byName.set(lower, spec);
    this.byName.set(lower.toUpperCase(), spec);
  }

  get(name: string): CommandSpec | undefined {
    return this.byName.get(name) ?? this.byName.get(name.toLowerCase());
  }

  /** Lower-case names, each once. */
  names(): string[] {
    return [...this.byName.keys()].filter((name) => name === name.toLowerCase());
  }

  clone(): CommandLookup {
    const copy = new CommandLookup();
    for (const [name, spec] of this.byName) copy.byName.set(name, spec);
    return copy;
  }
}

function compile(name: string, entry: TableEntry): CommandSpec {
  if (entry.subcommands) {
    const subcommands = new CommandLookup();
    for (const [sub, subEntry] of Object.entries(entry.subcommands)) {
      subcommands.set(sub, compile(`${name}|${sub}`, subEntry));
    }
    return shaped({ kind: 'container', name, subcommands });
  }
  const blocked = BLOCKED_COMMANDS[name];
  if (blocked !== undefined) return shaped({ kind: 'blocked', name, reason: blocked });
  const custom = CUSTOM_RULES[name];
  if (custom) return shaped({ kind: 'custom', name, locate: custom.locate, reply: custom.reply });
  if (entry.flags.includes('movablekeys')) {
    return shaped({ kind: 'unknown', name, reason: 'its keys move with its arguments and isolated-redis has no rule for it yet' });
  }
  if (entry.step > 0) {
    // The table counts positions from the command name (1 = first argument); ours from the first argument.
    const stop = entry.keyStop > 0 ? entry.keyStop : entry.keyStop + 1;
    return shaped({ kind: 'range', name, first: entry.keyStart - 1, stop, step: entry.step, reply: RANGE_REPLIES[name] });
  }
  if (KEYLESS_COMMANDS.has(name) || name.endsWith('|help')) return shaped({ kind: 'keyless', name });
  return shaped({ kind: 'unknown', name, reason: 'it names no key and isolated-redis has not classified it as safe' });
}

function loadTable(): Readonly<Record<string, TableEntry>> {
  // The package exposes only getKeyIndexes(); the positions it is computed from live in this file.
  const require = createRequire(import.meta.url);
  return require('@ioredis/commands/built/commands.json') as Readonly<Record<string, TableEntry>>;
}

/** Every command of `@ioredis/commands`, compiled into specs once. */
export const BUILTIN_COMMANDS: CommandLookup = (() => {
  const lookup = new CommandLookup();
  for (const [name, entry] of Object.entries(loadTable())) lookup.set(name, compile(name, entry));
  return lookup;
})();

/**
 * Finds the rule for a command, descending into subcommands. Never throws: a name or subcommand
 * the table lacks comes back as an `unknown` spec. `depth` tells how many leading arguments were
 * subcommand tokens (their positions stay part of the arguments the spec's positions count from).
 * `offset` is where the arguments start in `args` (1 for a command line with its name first).
 */
export function resolveSpec(table: CommandLookup, command: string, args: readonly unknown[], offset = 0): Exclude<CommandSpec, { kind: 'container' }> {
  if (typeof command !== 'string') command = String(command); // a Buffer name from a driver's call()
  let spec = table.get(command);
  let depth = 0;
  while (spec?.kind === 'container') {
    const sub = args[depth + offset];
    const name: string = spec.name;
    if (sub === undefined) return shaped({ kind: 'unknown', name, reason: 'a subcommand is required' });
    const found: CommandSpec | undefined = spec.subcommands.get(typeof sub === 'string' ? sub : String(sub));
    if (!found) return shaped({ kind: 'unknown', name: `${name}|${String(sub).toLowerCase()}`, reason: 'the subcommand is not in the command table' });
    spec = found;
    depth++;
  }
  return spec ?? shaped({ kind: 'unknown', name: command.toLowerCase(), reason: 'it is not in the command table' });
}

/** The exclusive end of a range spec's key positions for `length` arguments. */
export function rangeStop(spec: { readonly stop: number }, length: number): number {
  return spec.stop > 0 ? Math.min(spec.stop, length) : length + spec.stop;
}
