import {
  BlockedCommandError,
  CrossNamespaceError,
  IsolationError,
  MalformedCommandError,
  UnknownCommandError,
  UnprefixedKeyError,
  type IsolationErrorDetails,
} from '../errors.js';

type RefusalClass = new (message: string, details: IsolationErrorDetails) => IsolationError;

/** The codes the Lua guard raises, and the classes the client-side guard throws for them. */
const CLASSES: Readonly<Record<string, RefusalClass>> = {
  ERR_BLOCKED_COMMAND: BlockedCommandError,
  ERR_CROSS_NAMESPACE: CrossNamespaceError,
  ERR_UNPREFIXED_KEY: UnprefixedKeyError,
  ERR_MALFORMED_COMMAND: MalformedCommandError,
  ERR_UNKNOWN_COMMAND: UnknownCommandError,
};

/**
 * `<CODE> <COMMAND> in a script of namespace <ns>: <reason>` at the start of the reply (as the
 * Lua guard's error table makes it; ioredis-mock puts its own words first), then what Redis
 * appends to a script's error (` script: <sha>, on @user_script:<line>.`, or the function's name).
 */
const LUA_REFUSAL = /^(?:Error trying to loading or executing lua code string in VM: )?(ERR_[A-Z_]+) (\S*) in a script of namespace (\S+): ([^]*?)(?: script: ([^\s,]+), on @[^]*)?$/;

/** Script commands whose replies may carry a refusal of the Lua guard. */
const SCRIPT_COMMANDS: ReadonlySet<string> = new Set(['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro']);

/**
 * Whether `command` runs a script or a function, whose error replies {@link scriptRefusal} turns
 * into typed errors.
 *
 * @example
 * ```ts
 * runsScript('EVALSHA'); // true
 * ```
 */
export const runsScript = (command: unknown): boolean => {
  if (typeof command !== 'string' && !Buffer.isBuffer(command)) return false;
  const name = String(command);
  return SCRIPT_COMMANDS.has(name) || SCRIPT_COMMANDS.has(name.toLowerCase());
};

/**
 * The typed refusal an error reply of a script carries when the namespace's Lua guard refused a
 * command the script ran (`ERR_CROSS_NAMESPACE`, `ERR_BLOCKED_COMMAND`...), the same class the
 * client-side guard throws, with {@link IsolationError.script} set; any other error as it is
 * (the refusals of another namespace's guard too: a script may raise an error that looks like one;
 * only one naming the view's `namespace` is read as its guard's).
 * `originalName` gives the caller's SHA of a wrapped script's SHA, or the caller's name of a
 * function.
 *
 * @example
 * ```ts
 * const error = scriptRefusal(replyError, guard.namespace, (sha) => guard.scripts?.originalName(sha));
 * if (error instanceof CrossNamespaceError) alertSecurity(error);
 * ```
 */
export function scriptRefusal(error: unknown, namespace: string, originalName: (shaOrFunction: string) => string | undefined): unknown {
  if (!(error instanceof Error) || error instanceof IsolationError) return error;
  const found = LUA_REFUSAL.exec(error.message);
  const Refusal = found === null ? undefined : CLASSES[found[1] as string];
  // Only the view's own Lua guard speaks for its namespace: a script can write any error.
  if (found === null || Refusal === undefined || found[3] !== namespace) return error;
  const [, code, command, , reason, sha] = found as unknown as [string, string, string, string, string, string | undefined];
  const script = sha === undefined ? undefined : (originalName(sha) ?? sha);
  const refusal = new Refusal(`${command} is refused in namespace "${namespace}" inside a script${script ? ` (${script})` : ''}: ${reason} [${code}]`, {
    command: command.toLowerCase(),
    namespace,
    script: script ?? '',
  });
  Object.defineProperty(refusal, 'cause', { value: error, enumerable: false, configurable: true, writable: true });
  return refusal;
}
