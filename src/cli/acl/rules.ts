import { createHash } from 'node:crypto';
import { defineNamespaces, escapeGlob, namespacePrefix } from '../../core/index.js';
import { aclCommandVerdicts } from './verdicts.js';

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
   * Grant INFO: ioredis's ready check sends it on every connection, and the pressure monitor
   * polls it. It shows server-wide figures (memory, clients, per-database key counts, command
   * statistics, replication peers, the server's paths), never a key name or value; Redis cannot
   * grant some INFO sections only. `false` for a user that must not see them: then set
   * `enableReadyCheck: false` on its ioredis clients, and watch pressure through a monitoring
   * user ({@link monitorAclRules}, `pressure.client`).
   * @defaultValue `true`
   */
  readonly info?: boolean;
  /**
   * Grant back commands denied only because they can show other namespaces' key or channel
   * names, never values (`scan`, `keys`, `client|tracking`, the `pubsub` channel listings: see
   * `GRANTABLE_COMMANDS`). Redis cannot check SCAN's MATCH, KEYS's pattern, a tracking PREFIX or
   * a listed channel against the user's patterns, so the guard alone then confines them.
   * @defaultValue `[]`
   */
  readonly grant?: readonly string[];
  /**
   * Only name these commands (`name` or `container|sub`): the ones the target server knows.
   * Redis refuses a whole ACL that names a command it lacks.
   * @defaultValue every command of the newest Redis
   */
  readonly knownCommands?: ReadonlySet<string>;
}

/** `#<sha256>` of the password, or `nopass`. */
const secretRule = (password: string | undefined): string =>
  password === undefined ? 'nopass' : `#${createHash('sha256').update(password).digest('hex')}`;

const known = (name: string, commands: ReadonlySet<string> | undefined): boolean => commands?.has(name) ?? true;

/**
 * The ACL rules that confine a Redis user to one namespace on the server: its keys
 * (`~prefix*`), its channels (`&prefix*`), and from `-@all` exactly the commands the
 * client-side guard lets a namespace run, minus those whose confinement a server ACL cannot
 * express (see `ACL_DECISIONS`: function management, SCAN and KEYS, the PUBSUB channel
 * listings, CLIENT TRACKING, CLIENT LIST), plus the connection handshake a connection of the
 * user's own needs (AUTH, HELLO, SELECT, RESET, CLIENT REPLY). Every command the guard refuses,
 * the server refuses too; a command the guard's table lacks is never granted. They back the
 * guard up where it cannot see, such as keys built inside Lua scripts, and leave both drivers'
 * handshakes (AUTH, HELLO, SELECT, CLIENT SETNAME/SETINFO, ioredis's INFO ready check) working.
 *
 * @example
 * ```ts
 * aclRules({ namespace: 'mcp2' }).slice(0, 7); // ['on', 'nopass', 'resetkeys', '~mcp2:*', 'resetchannels', '&mcp2:*', '-@all']
 * aclRules({ namespace: 'mcp2' }).includes('+get');           // true
 * aclRules({ namespace: 'mcp2' }).includes('+function|load'); // false
 * ```
 */
export function aclRules(options: AclOptions): string[] {
  const pattern = `${namespaceGlob(options.namespace, options)}*`;
  const granted = aclCommandVerdicts({ info: options.info ?? true, grant: options.grant ?? [] })
    .filter((verdict) => verdict.granted && known(verdict.name, options.knownCommands))
    .map((verdict) => `+${verdict.name}`);
  return ['on', secretRule(options.password), 'resetkeys', `~${pattern}`, 'resetchannels', `&${pattern}`, '-@all', ...granted];
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

/**
 * The user a namespace's rules are for by default: the namespace, or a family's fixed start
 * (`tenant` of `tenant-*`).
 *
 * @example
 * ```ts
 * defaultAclUser('tenant-*'); // 'tenant'
 * ```
 */
export const defaultAclUser = (namespace: string): string =>
  namespace.endsWith('*') ? namespace.slice(0, -1).replace(/[-_.]+$/, '') || namespace.slice(0, -1) : namespace;

/**
 * What a monitoring user runs: INFO, and the drivers' connection handshakes (CLIENT SETINFO is
 * Redis 7.2+; the rest 6.0+).
 *
 * @example
 * ```ts
 * MONITOR_COMMANDS.includes('info'); // true
 * ```
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
