/**
 * The usage of one `isolated-redis` subcommand: what `isolated-redis <command> --help` prints,
 * and its block of `isolated-redis --help`.
 *
 * @example
 * ```ts
 * const usage: CommandUsage = { synopsis: 'acl --namespace NS [options]', summary: 'Print ACL rules', options: [['--nopass', 'no password']], exitCodes: '0 printed, 2 usage error' };
 * ```
 */
export interface CommandUsage {
  readonly synopsis: string;
  readonly summary: string;
  /** `[flag with its value, description]`, in the order they are listed. */
  readonly options: readonly (readonly [flag: string, description: string])[];
  readonly exitCodes: string;
}

/**
 * The connection flags of keyspace, acl and move (parse-flags.ts `CONNECT_FLAGS` parses them).
 *
 * @example
 * ```ts
 * CONNECT_FLAGS_USAGE.map(([flag]) => flag); // ['--connect-timeout MS', '--connect-attempts N']
 * ```
 */
export const CONNECT_FLAGS_USAGE = [
  ['--connect-timeout MS', 'give up an attempt to connect after MS milliseconds (default 10000)'],
  ['--connect-attempts N', 'attempts to connect before exiting 2 (default 1)'],
] as const;

/**
 * The usage of every subcommand. Each command module's options must match its entry here
 * (test/cli/usage.test.ts checks both ways where the command exports its options).
 *
 * @example
 * ```ts
 * COMMAND_USAGE.keyspace.options.map(([flag]) => flag); // ['--url URL', '--cluster', ...]
 * ```
 */
export const COMMAND_USAGE = {
  lint: {
    synopsis: 'lint [paths...] [options]',
    summary: 'Find Redis keys used outside their namespace in TS/JS sources (default path: .).',
    options: [
      ['--namespace NS', 'every file owns NS (else: the configuration\'s "owners")'],
      ['--namespaces A,B', "the deployment's namespaces (added to the configuration's)"],
      ['--config FILE', 'configuration file (default: found from the current directory up)'],
      ['--format F', 'stylish (default), json or sarif'],
      ['--typed-clients T', 'raw (default) or isolated: how to read clients known only by their type (redis: Redis)'],
      ['--project FILE', "type-aware mode: the tsconfig.json whose program (built with the project's TypeScript 5.x/6.x) tells which values are clients"],
    ],
    exitCodes: '0 clean (warnings allowed), 1 errors found, 2 usage or configuration error, or a file that cannot be parsed',
  },
  keyspace: {
    synopsis: 'keyspace --url URL [options]',
    summary:
      'Report a live keyspace by namespace: keys, keys without TTL, memory, biggest keys, keys in no namespace, advice.\n' +
      'Read-only: SCAN, TYPE, PTTL, STRLEN/HLEN/SCARD/ZCARD/LLEN/XLEN, MEMORY USAGE, DBSIZE, INFO.',
    options: [
      ['--url URL', 'the server (default: $REDIS_URL); with --cluster, any node of the cluster'],
      ['--cluster', 'the URL names a Redis Cluster node: scan every master'],
      ['--namespace NS', 'a known namespace or family (tenant-*); repeat it or give a comma list (default: the configuration\'s "namespaces")'],
      ['--namespaces A,B', 'same as --namespace'],
      ['--config FILE', 'configuration file for namespaces, separator and hash tag (default: found from the current directory up)'],
      ['--fail-on-stray', 'exit 1 when keys in no known namespace exist (for CI)'],
      ['--count N', 'SCAN COUNT (default 1000)'],
      ['--rate N', 'at most N keys per second (default: unlimited)'],
      ['--sample N', 'keys per namespace measured with MEMORY USAGE for the estimates (default 1000)'],
      ['--top N', 'biggest keys listed per namespace, found over every key (default 5)'],
      ['--format F', 'table (default) or json'],
      ...CONNECT_FLAGS_USAGE,
    ],
    exitCodes: '0 report printed, 1 keys in no known namespace with --fail-on-stray, 2 usage, configuration or connection error',
  },
  acl: {
    synopsis: 'acl --namespace NS (--password-env VAR | --nopass) [options]',
    summary: 'Print the ACL rules that confine a Redis user to the keys and channels of NS.',
    options: [
      ['--namespace NS', 'the namespace, or a family such as tenant-* for a service serving every member (required)'],
      ['--user NAME', 'user name (default: NS)'],
      ['--password-env VAR', 'read the password from $VAR (written as its SHA-256)'],
      ['--nopass', 'no password (one of --password-env and --nopass is required)'],
      ['--no-info', 'deny INFO too (then: enableReadyCheck: false on ioredis, and a monitoring user for the pressure monitor)'],
      ['--grant CMD,...', 'grant back commands denied only for the key or channel names they show: scan, keys, client|tracking, pubsub|channels, ...'],
      ['--monitor-user NAME', 'also print a monitoring user: INFO and the connection handshake only, no keys (for pressure.client)'],
      ['--monitor-password-env VAR', "the monitoring user's password, from $VAR (or --nopass)"],
      ['--url URL', "keep only the commands this server knows (COMMAND INFO, read-only)"],
      ['--separator S', 'prefix separator (default ":")'],
      ['--hash-tag', 'prefix as {NS}: (Redis Cluster hash tag)'],
      ['--format F', 'commands (default) or aclfile'],
      ...CONNECT_FLAGS_USAGE,
    ],
    exitCodes: '0 rules printed, 2 usage or connection error',
  },
  move: {
    synopsis: 'move --namespace NS --from URL --to URL [--sync | --verify | --live] [options]',
    summary:
      'Move one namespace to another instance and verify it: identity and memory checked first (SCAN, DUMP/RESTORE with absolute\n' +
      'expiry, big keys in chunks), every key compared after. --sync makes the target equal; --live follows changes until Ctrl-C.',
    options: [
      ['--namespace NS', 'the namespace to move (required)'],
      ['--from URL', 'the instance it lives on now (required)'],
      ['--to URL', 'its new instance (required)'],
      ['--sync', 'make the target equal to the source for NS: rewrite changed keys, delete keys the source no longer has'],
      ['--verify', 'only compare source and target for NS (existence, type, expiry, content)'],
      ['--live', 'sync, then follow the source (keyspace notifications) until SIGINT/SIGTERM, then switch over'],
      ['--dry-run', 'check both ends and the target\'s memory, count the keys, write nothing'],
      ['--replace', 'plain copy: overwrite keys the target has (default: keep them, so a re-run resumes)'],
      ['--force', 'copy even when the target lacks the memory (it will evict or refuse writes)'],
      ['--count N', 'keys per round trip (default 500)'],
      ['--batch-bytes SIZE', 'bytes of values per round trip, e.g. 8mb (default 8mb)'],
      ['--big-key-bytes SIZE', 'keys from this size are copied in chunks, then renamed (default 16mb)'],
      ['--ttl-tolerance MS', 'expiry times further apart count as a difference (default 1000)'],
      ['--separator S', 'prefix separator (default ":")'],
      ['--hash-tag', 'prefix as {NS}: (Redis Cluster hash tag)'],
      ['--format F', 'text (default) or json'],
      ...CONNECT_FLAGS_USAGE,
    ],
    exitCodes:
      '0 moved and verified equal (or checked, with --dry-run), 1 differences found, interrupted, or keys evicted on the target, ' +
      '2 usage, connection, identity, memory or copy error (one line on stderr, the report on stdout)',
  },
} as const satisfies Readonly<Record<string, CommandUsage>>;

/**
 * A subcommand's name.
 *
 * @example
 * ```ts
 * const name: CommandName = 'keyspace';
 * ```
 */
export type CommandName = keyof typeof COMMAND_USAGE;

const HELP_FLAGS: CommandUsage['options'] = [['-h, --help', 'print this help']];

function optionLines(options: CommandUsage['options'], indent: string): string[] {
  const width = Math.max(...options.map(([flag]) => flag.length));
  return options.map(([flag, description]) => `${indent}${flag.padEnd(width)}  ${description}`);
}

/**
 * What `isolated-redis <name> --help` prints.
 *
 * @example
 * ```ts
 * process.stdout.write(commandHelp('move'));
 * ```
 */
export function commandHelp(name: CommandName): string {
  const usage: CommandUsage = COMMAND_USAGE[name];
  return [
    `Usage: isolated-redis ${usage.synopsis}`,
    '',
    usage.summary,
    '',
    'Options:',
    ...optionLines([...usage.options, ...HELP_FLAGS], '  '),
    '',
    `Exit codes: ${usage.exitCodes}.`,
    '',
  ].join('\n');
}

/**
 * What `isolated-redis --help` prints: every command with its options.
 *
 * @example
 * ```ts
 * process.stdout.write(overviewHelp());
 * ```
 */
export function overviewHelp(): string {
  const lines = [
    'Usage: isolated-redis <command> [options]',
    '       isolated-redis <command> --help    the options of one command',
    '       isolated-redis --version',
    '',
    'Commands:',
  ];
  for (const usage of Object.values(COMMAND_USAGE) as CommandUsage[]) {
    lines.push(`  ${usage.synopsis}`, `      ${usage.summary.split('\n')[0] ?? ''}`, ...optionLines(usage.options, '      '), '');
  }
  lines.push(
    'Exit codes: 0 clean; 1 findings (lint: errors found; keyspace --fail-on-stray: keys in no known namespace;',
    '            move: differences found, interrupted, or keys evicted on the target);',
    '            2 usage, configuration, connection or parse error.',
    '',
  );
  return lines.join('\n');
}

/**
 * Whether `name` is a subcommand.
 *
 * @example
 * ```ts
 * isCommandName('lint'); // true
 * ```
 */
export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(COMMAND_USAGE, name);
}
