import { createHash } from 'node:crypto';
import { escapeGlob, namespacePrefix } from '../core/index.js';
import { BLOCKED_COMMANDS, CONNECTION_SCOPED_COMMANDS } from '../core/policy.js';
import { CliError } from './errors.js';
import { EXIT, type CliIo } from './io.js';
import { oneOf, parseFlags } from './parse-flags.js';
import { connectRedis } from './redis-connection.js';

/**
 * Options of {@link aclRules}.
 *
 * @example
 * ```ts
 * const options: AclOptions = { namespace: 'mcp2', password: process.env.MCP2_REDIS_PASSWORD };
 * ```
 */
export interface AclOptions {
  readonly namespace: string;
  /** @defaultValue the namespace */
  readonly user?: string;
  /** Stored as its SHA-256 (`#<hex>`), so the rules never show it. `undefined`: `nopass`. */
  readonly password?: string | undefined;
  /** @defaultValue `':'` */
  readonly separator?: string;
  /** @defaultValue `false` */
  readonly hashTag?: boolean;
  /**
   * Only deny these of the guard's blocked commands (`name` or `container|sub`): the names the
   * target server knows. An ACL naming a command the server lacks is refused as a whole.
   * @defaultValue every blocked command
   */
  readonly knownCommands?: ReadonlySet<string>;
}

/**
 * The ACL rules that confine a Redis user to one namespace on the server: its keys
 * (`~prefix*`), its channels (`&prefix*`), every command but `@admin`, `@dangerous` and the
 * commands the client-side guard blocks. They back the guard up where it cannot see, such as
 * keys built inside Lua scripts.
 *
 * @example
 * ```ts
 * aclRules({ namespace: 'mcp2' }).slice(0, 5); // ['on', 'nopass', 'resetkeys', '~mcp2:*', 'resetchannels']
 * ```
 */
export function aclRules(options: AclOptions): string[] {
  const pattern = `${escapeGlob(namespacePrefix(options.namespace, options))}*`;
  const denied = Object.keys(BLOCKED_COMMANDS)
    .filter((name) => !CONNECTION_SCOPED_COMMANDS.has(name) && (options.knownCommands?.has(name) ?? true))
    .sort();
  const secret = options.password === undefined ? 'nopass' : `#${createHash('sha256').update(options.password).digest('hex')}`;
  return ['on', secret, 'resetkeys', `~${pattern}`, 'resetchannels', `&${pattern}`, '+@all', '-@admin', '-@dangerous', ...denied.map((name) => `-${name}`)];
}

/** The blocked commands `redis` knows, asked with `COMMAND INFO` (read-only). */
async function commandsKnownBy(url: string): Promise<Set<string>> {
  const redis = await connectRedis(url, { neededBy: 'isolated-redis acl --url' });
  try {
    const names = Object.keys(BLOCKED_COMMANDS);
    const infos = (await redis.call('COMMAND', 'INFO', ...names)) as unknown[];
    return new Set(names.filter((_, i) => infos[i] !== null && infos[i] !== undefined));
  } finally {
    redis.disconnect();
  }
}

/**
 * `isolated-redis acl --namespace NS [--user NAME] [--password-env VAR | --nopass] [--url URL] [--format commands|aclfile]`.
 *
 * @example
 * ```ts
 * await runAclCommand(['--namespace', 'mcp2', '--password-env', 'MCP2_PASSWORD'], processIo());
 * // ACL SETUSER mcp2 reset on #5e88... resetkeys ~mcp2:* resetchannels &mcp2:* +@all -@admin -@dangerous -acl|deluser ...
 * ```
 */
export async function runAclCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(
    args,
    {
      namespace: { type: 'string' },
      user: { type: 'string' },
      'password-env': { type: 'string' },
      nopass: { type: 'boolean' },
      url: { type: 'string' },
      separator: { type: 'string' },
      'hash-tag': { type: 'boolean' },
      format: { type: 'string' },
    },
    false,
  );
  if (!values.namespace) throw new CliError('ERR_CLI_USAGE', '--namespace is required');
  const format = oneOf('--format', values.format, ['commands', 'aclfile'], 'commands');
  const variable = values['password-env'];
  if (variable === undefined && !values.nopass) throw new CliError('ERR_CLI_USAGE', 'pass --password-env VAR (the password is read from $VAR), or --nopass');
  const password = variable === undefined ? undefined : io.env[variable];
  if (variable !== undefined && !password) throw new CliError('ERR_CLI_USAGE', `$${variable} is empty or not set`);
  const user = values.user ?? values.namespace;
  const rules = aclRules({
    namespace: values.namespace,
    password,
    ...(values.separator === undefined ? {} : { separator: values.separator }),
    hashTag: values['hash-tag'] ?? false,
    ...(values.url === undefined ? {} : { knownCommands: await commandsKnownBy(values.url) }),
  });
  io.stdout(format === 'aclfile' ? `user ${user} ${rules.join(' ')}\n` : `ACL SETUSER ${user} reset ${rules.join(' ')}\n`);
  return EXIT.clean;
}
