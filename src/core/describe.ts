import { buildCommandTable, type CommandRule } from './command-rules.js';
import { BUILTIN_COMMANDS, rangeStop, resolveSpec, type CommandLookup } from './command-table.js';
import { BlockedCommandError, MalformedCommandError } from './errors.js';
import type { ArgumentRole, ArgumentSink, RedisArg, ReplyShape } from './types.js';

/**
 * Where the keys, patterns and channels of one command line are. Positions index the command
 * line itself, as `COMMAND GETKEYS` counts: 0 is the command name, 1 its first argument.
 *
 * @example
 * ```ts
 * const d: CommandDescription = describeCommand(['SORT', 'l', 'BY', 'w_*', 'STORE', 'd']);
 * d.keys;         // [1, 5]
 * d.sortPatterns; // [3]
 * ```
 */
export interface CommandDescription {
  /** Redis's name for the command, subcommands joined with `|` (`xgroup|create`). */
  readonly command: string;
  /** `allowed`, or why a guard refuses it whatever its keys. */
  readonly status: 'allowed' | 'blocked' | 'unknown' | 'malformed';
  /** Why the command is blocked, unknown or malformed. */
  readonly reason?: string;
  readonly keys: readonly number[];
  readonly keyPatterns: readonly number[];
  readonly sortPatterns: readonly number[];
  readonly channels: readonly number[];
  readonly channelPatterns: readonly number[];
  /** Connection names (CLIENT SETNAME), prefixed like keys. */
  readonly connectionNames: readonly number[];
  /**
   * Scripts (EVAL, SCRIPT LOAD), their SHAs (EVALSHA, SCRIPT EXISTS), library code (FUNCTION
   * LOAD) and function or library names (FCALL, FUNCTION DELETE, FUNCTION LIST LIBRARYNAME):
   * a guard that confines scripts (the default) wraps or renames them.
   */
  readonly scripts: readonly number[];
  /** Arguments a guard appends to confine the command (`['MATCH', 'key-pattern']` for a bare SCAN). */
  readonly appended: readonly (readonly [keyword: string | undefined, role: ArgumentRole])[];
  /** How the reply names keys or channels, if it does. */
  readonly reply?: ReplyShape;
}

const FIELD: Readonly<Record<ArgumentRole, 'keys' | 'keyPatterns' | 'sortPatterns' | 'channels' | 'channelPatterns' | 'connectionNames'>> = {
  key: 'keys',
  'key-pattern': 'keyPatterns',
  'sort-pattern': 'sortPatterns',
  channel: 'channels',
  'channel-pattern': 'channelPatterns',
  'connection-name': 'connectionNames',
};

type Positions = Record<(typeof FIELD)[ArgumentRole], number[]>;

class CollectingSink implements ArgumentSink {
  readonly positions: Positions = { keys: [], keyPatterns: [], sortPatterns: [], channels: [], channelPatterns: [], connectionNames: [] };
  readonly appended: [string | undefined, ArgumentRole][] = [];

  constructor(private readonly command: string) {}

  at(index: number, role: ArgumentRole): void {
    this.positions[FIELD[role]].push(index + 1);
  }

  readonly scripts: number[] = [];

  /** Scripts, SHAs and function names are not keys: guards wrap or rename them (see `ScriptArgument`). */
  script(index: number): void {
    this.scripts.push(index + 1);
  }

  /** Described as views confine scripts by default. */
  readonly trustsScripts = false;

  append(keyword: string | undefined, role: ArgumentRole): void {
    this.appended.push([keyword, role]);
  }

  malformed(reason: string): never {
    throw new MalformedCommandError(reason, { command: this.command, namespace: '' });
  }

  refuse(reason: string): never {
    throw new BlockedCommandError(reason, { command: this.command, namespace: '' });
  }
}

/** {@link describeCommand} over a given table (a guard's, with its registered rules). */
export function describeWith(table: CommandLookup, argv: readonly RedisArg[]): CommandDescription {
  const args = argv.slice(1);
  const spec = resolveSpec(table, argv.length > 0 ? String(argv[0]) : '', args);
  const sink = new CollectingSink(spec.name);
  const result = (status: CommandDescription['status'], extra: { reason?: string; reply?: ReplyShape | undefined } = {}) => ({
    command: spec.name,
    status,
    ...(extra.reason === undefined ? {} : { reason: extra.reason }),
    ...sink.positions,
    appended: sink.appended,
    scripts: sink.scripts,
    ...(extra.reply === undefined ? {} : { reply: extra.reply }),
  });
  switch (spec.kind) {
    case 'blocked':
    case 'unknown':
      return result(spec.kind, { reason: spec.reason });
    case 'keyless':
      return result('allowed');
    case 'range': {
      const stop = rangeStop(spec, args.length);
      for (let i = spec.first; i < stop; i += spec.step) sink.at(i, 'key');
      return result('allowed', { reply: spec.reply });
    }
    case 'custom':
      try {
        spec.locate(args, sink);
      } catch (error) {
        if (error instanceof MalformedCommandError) return result('malformed', { reason: error.message });
        if (error instanceof BlockedCommandError) return result('blocked', { reason: error.message });
        throw error;
      }
      return result('allowed', { reply: spec.reply });
  }
}

/**
 * Tells where the keys, key patterns, SORT patterns, channels and channel patterns of a command
 * line are, without a namespace: the audit CLI and the tests use it. Pure and synchronous.
 *
 * @example
 * ```ts
 * import { describeCommand } from 'isolated-redis';
 * describeCommand(['ZUNIONSTORE', 'dst', '2', 'a', 'b']).keys;       // [1, 3, 4]
 * describeCommand(['XREAD', 'STREAMS', 's1', 's2', '0', '0']).keys;  // [2, 3]
 * describeCommand(['FLUSHDB']).status;                               // 'blocked'
 * ```
 */
export function describeCommand(
  argv: readonly RedisArg[],
  options: { readonly commands?: Readonly<Record<string, CommandRule>> } = {},
): CommandDescription {
  return describeWith(options.commands ? buildCommandTable(options.commands) : BUILTIN_COMMANDS, argv);
}
