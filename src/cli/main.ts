import { ConnectionFailedError } from '../adapters/connection-failed-error.js';
import { IsolationConfigError } from '../core/errors.js';
import { CliError } from './errors.js';
import { EXIT, processIo, type CliIo } from './io.js';
import { commandHelp, isCommandName, overviewHelp, type CommandName } from './usage.js';
import { packageVersion } from './version.js';

type Command = (args: readonly string[], io: CliIo) => Promise<number>;

const COMMANDS: Readonly<Record<CommandName, () => Promise<Command>>> = {
  lint: async () => (await import('./lint/command.js')).runLintCommand,
  keyspace: async () => (await import('./keyspace/command.js')).runKeyspaceCommand,
  acl: async () => (await import('./acl.js')).runAclCommand,
  move: async () => (await import('./move.js')).runMoveCommand,
};

/** `--help` or `-h` among the options (not after `--`, where a path may be named so). */
const asksForHelp = (args: readonly string[]): boolean => {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
};

/**
 * The `isolated-redis` CLI: `--help` and `--version`, `<command> --help`, else dispatches to a
 * subcommand and turns its usage, configuration and connection failures (`CliError`,
 * `IsolationConfigError`, `ConnectionFailedError`) into exit code 2 with a one-line message on stderr.
 *
 * @example
 * ```ts
 * process.exitCode = await main(['lint', 'src', '--namespace', 'mcp2']);
 * ```
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    io.stderr(overviewHelp());
    return EXIT.usage;
  }
  if (name === '--help' || name === '-h' || (name === 'help' && args.length === 0)) {
    io.stdout(overviewHelp());
    return EXIT.clean;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    io.stdout(`${packageVersion()}\n`);
    return EXIT.clean;
  }
  if (name === 'help') {
    const topic = args[0] ?? '';
    if (!isCommandName(topic)) {
      io.stderr(`isolated-redis help: unknown command "${topic}"\n\n${overviewHelp()}`);
      return EXIT.usage;
    }
    io.stdout(commandHelp(topic));
    return EXIT.clean;
  }
  if (!isCommandName(name)) {
    io.stderr(`isolated-redis: unknown ${name.startsWith('-') ? 'option' : 'command'} "${name}"\n\n${overviewHelp()}`);
    return EXIT.usage;
  }
  if (asksForHelp(args)) {
    io.stdout(commandHelp(name));
    return EXIT.clean;
  }
  try {
    return await (await COMMANDS[name]())(args, io);
  } catch (error) {
    // A namespace or prefix the library refuses (`--namespace a:b`) is the user's to fix too, and
    // a server the library's own connections cannot reach (`move`) is as one the CLI's cannot.
    if (error instanceof CliError || error instanceof IsolationConfigError || error instanceof ConnectionFailedError) {
      const hint = error instanceof CliError && error.code === 'ERR_CLI_USAGE' ? `Run "isolated-redis ${name} --help" for its options.\n` : '';
      io.stderr(`isolated-redis ${name}: ${error.message}\n${hint}`);
      return EXIT.usage;
    }
    throw error;
  }
}
