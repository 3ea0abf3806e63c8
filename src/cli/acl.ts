import { createHash } from 'node:crypto';
import { defineNamespaces, escapeGlob, namespacePrefix } from '../core/index.js';
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
  /**
   * The namespace (`mcp2`), or a family (`tenant-*`): the user of a service that serves every
   * member through views of one connection gets the keys and channels of every member.
   */
  readonly namespace: string;
  /** @defaultValue the namespace (for a family, its fixed start without a trailing `-`, `_` or `.`) */
  readonly user?: string;
  /** Stored as its SHA-256 (`#<hex>`), so the rules never show it. `undefined`: `nopass`. */
  readonly password?: string | undefined;
  /** @defaultValue `':'` */
  readonly separator?: string;
  /** @defaultValue `false` */
  readonly hashTag?: boolean;
  /**
   * Grant INFO (which `-@dangerous` denies): ioredis's ready check sends it on every connection,
   * and the pressure monitor polls it. It shows server-wide figures (memory, clients, per-database
   * key counts, command statistics, replication peers, the server's paths), never a key name or
   * value; Redis cannot grant some INFO sections only. `false` for a user that must not see them:
   * then set `enableReadyCheck: false` on its ioredis clients, and watch pressure through a
   * monitoring user ({@link monitorAclRules}, `pressure.client`).
   * @defaultValue `true`
   */
  readonly info?: boolean;
  /**
   * Only name these commands (`name` or `container|sub`): the ones the target server knows.
   * Redis refuses a whole ACL that names a command it lacks.
   * @defaultValue every command of the newest Redis
   */
  readonly knownCommands?: ReadonlySet<string>;
}

const secretRule = (password: string | undefined): string =>
  password === undefined ? 'nopass' : `#${createHash('sha256').update(password).digest('hex')}`;

const known = (name: string, commands: ReadonlySet<string> | undefined): boolean => commands?.has(name) ?? true;

/**
 * The ACL rules that confine a Redis user to one namespace on the server: its keys
 * (`~prefix*`), its channels (`&prefix*`), every command but `@admin`, `@dangerous` and the
 * commands the client-side guard blocks, then INFO back (see {@link AclOptions.info}). They back
 * the guard up where it cannot see, such as keys built inside Lua scripts, and leave both
 * drivers' handshakes (AUTH, HELLO, SELECT, CLIENT SETNAME/SETINFO, ioredis's INFO ready check)
 * working.
 *
 * @example
 * ```ts
 * aclRules({ namespace: 'mcp2' }).slice(0, 5); // ['on', 'nopass', 'resetkeys', '~mcp2:*', 'resetchannels']
 * aclRules({ namespace: 'mcp2' }).at(-1);      // '+info'
 * ```
 */
export function aclRules(options: AclOptions): string[] {
  const pattern = `${namespaceGlob(options.namespace, options)}*`;
  const denied = Object.keys(BLOCKED_COMMANDS)
    .filter((name) => !CONNECTION_SCOPED_COMMANDS.has(name) && known(name, options.knownCommands))
    .sort();
  const rules = ['on', secretRule(options.password), 'resetkeys', `~${pattern}`, 'resetchannels', `&${pattern}`, '+@all', '-@admin', '-@dangerous'];
  rules.push(...denied.map((name) => `-${name}`));
  // After -@dangerous, which denies INFO: the later rule wins.
  if (options.info !== false) rules.push('+info');
  return rules;
}

/**
 * The glob of the prefixes of `namespace`: its prefix, glob-escaped; for a family (`tenant-*`),
 * the prefix of any member (`tenant-*:`; `{tenant-*}:` with `hashTag`).
 */
function namespaceGlob(namespace: string, rule: Pick<AclOptions, 'separator' | 'hashTag'>): string {
  if (!namespace.endsWith('*')) return escapeGlob(namespacePrefix(namespace, rule));
  const { separator, hashTag } = defineNamespaces({ families: [namespace], separator: rule.separator, hashTag: rule.hashTag }); // checks the family
  const stem = escapeGlob(namespace.slice(0, -1));
  return hashTag ? `{${stem}*}${escapeGlob(separator)}` : `${stem}*${escapeGlob(separator)}`;
}

/** The user a namespace's rules are for by default: the namespace, or a family's fixed start (`tenant` of `tenant-*`). */
export const defaultAclUser = (namespace: string): string => (namespace.endsWith('*') ? namespace.slice(0, -1).replace(/[-_.]+$/, '') || namespace.slice(0, -1) : namespace);

/**
 * What a monitoring user runs: INFO, and the drivers' connection handshakes (CLIENT SETINFO is
 * Redis 7.2+; the rest 6.0+).
 */
export const MONITOR_COMMANDS: readonly string[] = ['info', 'ping', 'hello', 'auth', 'select', 'client|setname', 'client|setinfo', 'quit'];

/**
 * Options of {@link monitorAclRules}.
 *
 * @example
 * ```ts
 * const options: MonitorAclOptions = { password: process.env.REDIS_MONITOR_PASSWORD };
 * ```
 */
export interface MonitorAclOptions {
  /** Stored as its SHA-256 (`#<hex>`). `undefined`: `nopass`. */
  readonly password?: string | undefined;
  /** Only name these commands: the ones the target server knows. @defaultValue every one of {@link MONITOR_COMMANDS} */
  readonly knownCommands?: ReadonlySet<string>;
}

/**
 * The rules of a monitoring user for the pressure monitor's `pressure.client`: no key, no
 * channel, no command but INFO and the connection handshake. For deployments whose service
 * users may not run INFO (`aclRules({ info: false })`).
 *
 * @example
 * ```ts
 * monitorAclRules({}); // ['on', 'nopass', 'resetkeys', 'resetchannels', '-@all', '+info', '+ping', ...]
 * ```
 */
export function monitorAclRules(options: MonitorAclOptions): string[] {
  const granted = MONITOR_COMMANDS.filter((name) => known(name, options.knownCommands)).map((name) => `+${name}`);
  return ['on', secretRule(options.password), 'resetkeys', 'resetchannels', '-@all', ...granted];
}

/** Which of `names` `redis` knows, asked with `COMMAND INFO` (read-only). */
async function commandsKnownBy(url: string, names: readonly string[]): Promise<Set<string>> {
  const redis = await connectRedis(url, { neededBy: 'isolated-redis acl --url' });
  try {
    const infos = (await redis.call('COMMAND', 'INFO', ...names)) as unknown[];
    return new Set(names.filter((_, i) => infos[i] !== null && infos[i] !== undefined));
  } finally {
    redis.disconnect();
  }
}

/** The password in `$variable`, refused when empty or unset. */
function passwordFrom(io: CliIo, flag: string, variable: string | undefined): string | undefined {
  if (variable === undefined) return undefined;
  const password = io.env[variable];
  if (!password) throw new CliError('ERR_CLI_USAGE', `${flag} ${variable}: $${variable} is empty or not set`);
  return password;
}

/**
 * `isolated-redis acl --namespace NS [--user NAME] [--password-env VAR | --nopass] [--no-info]
 * [--monitor-user NAME [--monitor-password-env VAR]] [--url URL] [--format commands|aclfile]`.
 *
 * @example
 * ```ts
 * await runAclCommand(['--namespace', 'mcp2', '--password-env', 'MCP2_PASSWORD'], processIo());
 * // ACL SETUSER mcp2 reset on #5e88... resetkeys ~mcp2:* resetchannels &mcp2:* +@all -@admin -@dangerous -acl|deluser ... +info
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
      'no-info': { type: 'boolean' },
      'monitor-user': { type: 'string' },
      'monitor-password-env': { type: 'string' },
      url: { type: 'string' },
      separator: { type: 'string' },
      'hash-tag': { type: 'boolean' },
      format: { type: 'string' },
    },
    false,
  );
  if (!values.namespace) throw new CliError('ERR_CLI_USAGE', '--namespace is required');
  const format = oneOf('--format', values.format, ['commands', 'aclfile'], 'commands');
  if (values['password-env'] === undefined && !values.nopass) throw new CliError('ERR_CLI_USAGE', 'pass --password-env VAR (the password is read from $VAR), or --nopass');
  const monitorUser = values['monitor-user'];
  if (monitorUser === undefined && values['monitor-password-env'] !== undefined) throw new CliError('ERR_CLI_USAGE', '--monitor-password-env needs --monitor-user');
  if (monitorUser !== undefined && values['monitor-password-env'] === undefined && !values.nopass) {
    throw new CliError('ERR_CLI_USAGE', 'pass --monitor-password-env VAR for the monitoring user, or --nopass');
  }
  const password = passwordFrom(io, '--password-env', values['password-env']);
  const monitorPassword = passwordFrom(io, '--monitor-password-env', values['monitor-password-env']);
  const user = values.user ?? defaultAclUser(values.namespace);
  if (monitorUser === user) throw new CliError('ERR_CLI_USAGE', `--monitor-user must differ from the service's user "${user}"`);
  const knownCommands = values.url === undefined ? undefined : await commandsKnownBy(values.url, [...Object.keys(BLOCKED_COMMANDS), ...MONITOR_COMMANDS]);
  const users: Array<[string, string[]]> = [
    [
      user,
      aclRules({
        namespace: values.namespace,
        password,
        ...(values.separator === undefined ? {} : { separator: values.separator }),
        hashTag: values['hash-tag'] ?? false,
        info: !values['no-info'],
        ...(knownCommands === undefined ? {} : { knownCommands }),
      }),
    ],
  ];
  if (monitorUser !== undefined) users.push([monitorUser, monitorAclRules({ password: monitorPassword, ...(knownCommands === undefined ? {} : { knownCommands }) })]);
  for (const [name, rules] of users) io.stdout(format === 'aclfile' ? `user ${name} ${rules.join(' ')}\n` : `ACL SETUSER ${name} reset ${rules.join(' ')}\n`);
  return EXIT.clean;
}
