import { aclCommandVerdicts } from './acl/verdicts.js';
import { MONITOR_COMMANDS, aclRules, defaultAclUser, monitorAclRules } from './acl/rules.js';
import { CliError } from './errors.js';
import { EXIT, type CliIo } from './io.js';
import { commaList, CONNECT_FLAGS, connectFlags, oneOf, parseFlags } from './parse-flags.js';
import { connectRedis } from './redis-connection.js';

export { aclRules, defaultAclUser, monitorAclRules, MONITOR_COMMANDS, type AclOptions, type MonitorAclOptions } from './acl/rules.js';
export { aclCommandVerdicts, type AclCommandVerdict, type AclVerdictOptions } from './acl/verdicts.js';
export { ACL_DECISIONS, GRANTABLE_COMMANDS, type AclDecision } from './acl/decisions.js';

/** Which of `names` `redis` knows, asked with `COMMAND INFO` (read-only). */
async function commandsKnownBy(url: string, names: readonly string[], connect: ReturnType<typeof connectFlags>): Promise<Set<string>> {
  const redis = await connectRedis(url, { neededBy: 'isolated-redis acl --url', ...connect });
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
 * [--grant CMD,...] [--monitor-user NAME [--monitor-password-env VAR]] [--url URL]
 * [--format commands|aclfile]`.
 *
 * @example
 * ```ts
 * await runAclCommand(['--namespace', 'mcp2', '--password-env', 'MCP2_PASSWORD'], processIo());
 * // ACL SETUSER mcp2 reset on #5e88... resetkeys ~mcp2:* resetchannels &mcp2:* -@all +append +asking +auth ... +zunionstore
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
      grant: { type: 'string' },
      'monitor-user': { type: 'string' },
      'monitor-password-env': { type: 'string' },
      url: { type: 'string' },
      separator: { type: 'string' },
      'hash-tag': { type: 'boolean' },
      format: { type: 'string' },
      ...CONNECT_FLAGS,
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
  const grant = commaList(values.grant);
  const info = !values['no-info'];
  const options = {
    namespace: values.namespace,
    password,
    ...(values.separator === undefined ? {} : { separator: values.separator }),
    hashTag: values['hash-tag'] ?? false,
    info,
    grant,
  };
  // Checked before connecting: a namespace or a grant that is refused must not wait for a server.
  aclRules(options);
  const named = aclCommandVerdicts({ info, grant }).map((verdict) => verdict.name);
  const knownCommands = values.url === undefined ? undefined : await commandsKnownBy(values.url, [...new Set([...named, ...MONITOR_COMMANDS])], connectFlags(values));
  const users: Array<[string, string[]]> = [[user, aclRules({ ...options, ...(knownCommands === undefined ? {} : { knownCommands }) })]];
  if (monitorUser !== undefined) users.push([monitorUser, monitorAclRules({ password: monitorPassword, ...(knownCommands === undefined ? {} : { knownCommands }) })]);
  for (const [name, rules] of users) io.stdout(format === 'aclfile' ? `user ${name} ${rules.join(' ')}\n` : `ACL SETUSER ${name} reset ${rules.join(' ')}\n`);
  if (knownCommands === undefined) {
    // The rules name commands by name, and the table holds those of the newest Redis.
    io.stderr(
      'note: these rules name every command isolated-redis knows, newer servers\' included; Redis refuses a whole ACL that names a command it lacks. ' +
        'Pass --url to keep only your server\'s commands.\n',
    );
  }
  return EXIT.clean;
}
