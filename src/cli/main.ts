import { CliError } from './errors.js';
import { EXIT, processIo, type CliIo } from './io.js';

const USAGE = `Usage: isolated-redis <command> [options]

Commands:
  lint [paths...]        Find Redis keys used outside their namespace in TS/JS sources
      --namespace NS       every file owns NS (else: isolated-redis.config.json "owners")
      --namespaces A,B     the deployment's namespaces (added to the config's)
      --config FILE        configuration file (default: found from the current directory up)
      --format F           stylish (default), json or sarif
      --typed-clients T    raw (default) or isolated: how to read clients known only by their type (redis: Redis)
  keyspace --url URL     Report a live keyspace by namespace (read-only: SCAN, TYPE, PTTL, MEMORY USAGE, INFO)
      --namespaces A,B     known namespaces (default: from the configuration)
      --count N            SCAN COUNT (default 1000)    --rate N   max keys per second (default: unlimited)
      --sample N           keys per namespace measured with MEMORY USAGE (default 1000)
      --top N              biggest keys listed per namespace (default 5)
      --format F           table (default) or json
  acl --namespace NS     Print the ACL rules that confine a Redis user to NS
      --user NAME          user name (default: NS)
      --password-env VAR   read the password from $VAR (default: the user gets "nopass" only if --nopass)
      --format F           commands (default) or aclfile
  move --namespace NS --from URL --to URL   Copy a namespace to another instance (SCAN + DUMP/RESTORE, TTLs kept)
      --dry-run            count the keys, write nothing
      --replace            overwrite keys the target has (default: skip them, so a re-run resumes)
      --count N            keys per round trip (default 500)
      --format F           text (default) or json

Exit codes: 0 clean, 1 errors found, 2 usage, configuration or parse error.
`;

type Command = (args: readonly string[], io: CliIo) => Promise<number>;

const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  lint: async () => (await import('./lint/command.js')).runLintCommand,
  keyspace: async () => (await import('./keyspace/command.js')).runKeyspaceCommand,
  acl: async () => (await import('./acl.js')).runAclCommand,
  move: async () => (await import('./move.js')).runMoveCommand,
};

/**
 * The `isolated-redis` CLI: dispatches to a subcommand and turns its failures into exit code 2
 * with a message on stderr.
 *
 * @example
 * ```ts
 * process.exitCode = await main(['lint', 'src', '--namespace', 'mcp2']);
 * ```
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    (name === undefined ? io.stderr : io.stdout)(USAGE);
    return name === undefined ? EXIT.usage : EXIT.clean;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.stderr(`isolated-redis: unknown command "${name}"\n\n${USAGE}`);
    return EXIT.usage;
  }
  try {
    return await (await load())(args, io);
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr(`isolated-redis ${name}: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
}
