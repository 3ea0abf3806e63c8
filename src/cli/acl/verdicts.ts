import { BUILTIN_COMMANDS, type CommandLookup, type CommandSpec } from '../../core/command-table.js';
import { IsolationConfigError } from '../../core/errors.js';
import { CONNECTION_SCOPED_COMMANDS } from '../../core/policy.js';
import { ACL_DECISIONS, GRANTABLE_COMMANDS } from './decisions.js';

/**
 * Whether the generated ACL user may run one command, and why.
 *
 * - `guard`: the guard's verdict stands (its keys sit where Redis's key specs say, or it names
 *   none and reveals nothing; or the guard blocks it, or does not know it).
 * - `connection`: blocked by the guard only because views share connections; the user's
 *   connection is its own (core `CONNECTION_SCOPED_COMMANDS`).
 * - `decision`: the guard confines it by its arguments or its reply; see `ACL_DECISIONS`.
 * - `option`: `info: false` or `grant`.
 *
 * @example
 * ```ts
 * const verdict: AclCommandVerdict = { name: 'function|load', granted: false, source: 'decision', why: 'function libraries are server-wide: ...' };
 * ```
 */
export interface AclCommandVerdict {
  readonly name: string;
  readonly granted: boolean;
  readonly source: 'guard' | 'connection' | 'decision' | 'option';
  readonly why: string;
}

/**
 * Options of {@link aclCommandVerdicts}.
 *
 * @example
 * ```ts
 * const options: AclVerdictOptions = { info: false, grant: ['scan'] };
 * ```
 */
export interface AclVerdictOptions {
  /** Grant INFO. @defaultValue `true` */
  readonly info?: boolean;
  /** Commands denied only for the names they can show, granted back (see `GRANTABLE_COMMANDS`). */
  readonly grant?: readonly string[];
}

function leaves(table: CommandLookup): Array<Exclude<CommandSpec, { kind: 'container' }>> {
  const found: Array<Exclude<CommandSpec, { kind: 'container' }>> = [];
  for (const name of table.names()) {
    const spec = table.get(name) as CommandSpec;
    if (spec.kind === 'container') found.push(...leaves(spec.subcommands));
    else found.push(spec);
  }
  return found;
}

function verdictOf(spec: Exclude<CommandSpec, { kind: 'container' }>, options: AclVerdictOptions, grant: ReadonlySet<string>): AclCommandVerdict {
  const { name } = spec;
  if (spec.kind === 'blocked') {
    return CONNECTION_SCOPED_COMMANDS.has(name)
      ? { name, granted: true, source: 'connection', why: "the guard refuses it on connections views share; the user's connection is its own" }
      : { name, granted: false, source: 'guard', why: spec.reason };
  }
  if (spec.kind === 'unknown') return { name, granted: false, source: 'guard', why: spec.reason };
  if (name === 'info' && options.info === false) return { name, granted: false, source: 'option', why: 'info: false' };
  const decision = ACL_DECISIONS[name];
  if (decision?.server === 'cannot') {
    return grant.has(name)
      ? { name, granted: true, source: 'option', why: `granted knowingly: ${decision.why}` }
      : { name, granted: false, source: 'decision', why: decision.why };
  }
  if (decision) return { name, granted: true, source: 'decision', why: decision.why };
  if (spec.kind === 'custom') {
    return { name, granted: false, source: 'decision', why: 'the guard confines it by its arguments and the ACL rules have no decision for it yet' };
  }
  return {
    name,
    granted: true,
    source: 'guard',
    why: spec.kind === 'range' ? 'the server checks its keys against ~prefix*' : 'it names no key, and the guard allows it',
  };
}

/**
 * The verdict on every command and subcommand of the guard's command table, in name order:
 * the guard's own verdict, except where a server ACL must differ (`ACL_DECISIONS`, and the
 * connection-scoped commands a connection of the user's own needs). What the table does not
 * hold is never granted: the rules start from `-@all`.
 *
 * @throws {@link IsolationConfigError} when `grant` names a command that is not grantable.
 * @example
 * ```ts
 * aclCommandVerdicts().find((v) => v.name === 'function|load')?.granted; // false
 * aclCommandVerdicts().find((v) => v.name === 'hello')?.source;          // 'connection'
 * ```
 */
export function aclCommandVerdicts(options: AclVerdictOptions = {}, table: CommandLookup = BUILTIN_COMMANDS): AclCommandVerdict[] {
  const grant = new Set((options.grant ?? []).map((name) => name.toLowerCase()));
  for (const name of grant) {
    if (!GRANTABLE_COMMANDS.includes(name)) {
      throw new IsolationConfigError(`cannot grant ${JSON.stringify(name)}: only ${GRANTABLE_COMMANDS.join(', ')} (denied for the names they show) can be granted back`);
    }
  }
  return leaves(table)
    .map((spec) => verdictOf(spec, options, grant))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
