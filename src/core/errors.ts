import type { RedisArg } from './types.js';

/**
 * The stable codes of every refusal, for `switch (err.code)` without matching messages.
 *
 * @example
 * ```ts
 * if (err instanceof IsolationError && err.code === 'ERR_CROSS_NAMESPACE') alertSecurity(err);
 * ```
 */
export type IsolationErrorCode =
  | 'ERR_UNKNOWN_COMMAND'
  | 'ERR_BLOCKED_COMMAND'
  | 'ERR_UNPREFIXED_KEY'
  | 'ERR_CROSS_NAMESPACE'
  | 'ERR_DOUBLE_PREFIX'
  | 'ERR_MALFORMED_COMMAND'
  | 'ERR_SHARED_CONNECTION'
  | 'ERR_UNKNOWN_SCRIPT';

/**
 * Fields shared by every refusal.
 *
 * @example
 * ```ts
 * const details: IsolationErrorDetails = { command: 'get', namespace: 'mcp2', key: 'celery:x' };
 * ```
 */
export interface IsolationErrorDetails {
  /** The command as Redis names it, lower case, subcommands joined with `|` (`object|encoding`). */
  readonly command: string;
  /** The namespace of the client that refused it. */
  readonly namespace: string;
  /** The offending argument, when one argument is to blame. */
  readonly key?: RedisArg;
  /**
   * The SHA of the script (as the caller knows it, when known) whose `redis.call` the Lua guard
   * refused on the server. Then the script did run up to that call: Redis does not undo a
   * script's earlier writes when it fails.
   */
  readonly script?: string;
}

/**
 * Base class of every refusal by the namespace guard. Nothing has been sent to Redis when
 * one of these is thrown, except when {@link IsolationError.script} is set: then the Lua guard
 * of a script refused a command the script ran.
 *
 * @example
 * ```ts
 * try {
 *   guard.rewrite('flushdb', []);
 * } catch (err) {
 *   if (err instanceof IsolationError) console.error(err.code, err.command, err.namespace);
 * }
 * ```
 */
export abstract class IsolationError extends Error {
  abstract readonly code: IsolationErrorCode;
  readonly command: string;
  readonly namespace: string;
  readonly key: RedisArg | undefined;
  /** See {@link IsolationErrorDetails.script}. */
  readonly script: string | undefined;

  constructor(message: string, details: IsolationErrorDetails) {
    super(message);
    this.name = new.target.name;
    this.command = details.command;
    this.namespace = details.namespace;
    this.key = details.key;
    this.script = details.script;
  }
}

/**
 * The command is not in the command table (a module command, a typo, a subcommand this
 * version does not know). Register a spec for it with the `commands` option.
 *
 * @example
 * ```ts
 * createGuard({ namespace: 'mcp2', commands: { 'json.get': { firstKey: 0, lastKey: 0 } } });
 * ```
 */
export class UnknownCommandError extends IsolationError {
  readonly code = 'ERR_UNKNOWN_COMMAND' as const;
}

/**
 * The command acts on the whole keyspace or server (FLUSHDB, RANDOMKEY, SWAPDB, CONFIG...)
 * and cannot be confined to a namespace.
 *
 * @example
 * ```ts
 * expect(() => guard.rewrite('flushdb', [])).toThrow(BlockedCommandError);
 * ```
 */
export class BlockedCommandError extends IsolationError {
  readonly code = 'ERR_BLOCKED_COMMAND' as const;
}

/**
 * Strict mode: a key, pattern or channel does not start with the namespace's prefix.
 *
 * @example
 * ```ts
 * strictGuard.rewrite('get', ['payload:1']); // throws UnprefixedKeyError; use 'mcp2:payload:1'
 * ```
 */
export class UnprefixedKeyError extends IsolationError {
  readonly code = 'ERR_UNPREFIXED_KEY' as const;
}

/**
 * A key, pattern or channel carries the prefix of another known namespace.
 *
 * @example
 * ```ts
 * guard.rewrite('get', ['celery:task:1']); // throws CrossNamespaceError in namespace mcp2
 * ```
 */
export class CrossNamespaceError extends IsolationError {
  readonly code = 'ERR_CROSS_NAMESPACE' as const;
}

/**
 * Prefix mode: a key already starts with the client's own prefix, so it would be stored
 * as `mcp2:mcp2:...`. Pass the key without the prefix.
 *
 * @example
 * ```ts
 * guard.rewrite('get', ['mcp2:payload:1']); // throws DoublePrefixError; pass 'payload:1'
 * ```
 */
export class DoublePrefixError extends IsolationError {
  readonly code = 'ERR_DOUBLE_PREFIX' as const;
}

/**
 * The guard cannot tell where the keys are (a `numkeys` that is not a count of the arguments
 * that follow, XREAD without STREAMS, a key that is neither a string, Buffer nor number).
 *
 * @example
 * ```ts
 * guard.rewrite('eval', ['return 1', '3', 'a']); // throws MalformedCommandError
 * ```
 */
export class MalformedCommandError extends IsolationError {
  readonly code = 'ERR_MALFORMED_COMMAND' as const;
}

/**
 * The command would change, read or hold the state of a connection that views of other
 * namespaces share (CLIENT TRACKING, CLIENT SETNAME, WAIT, READONLY...), and its effect is tied
 * to that connection, so the view cannot run it on one of its own instead. Run it on a
 * connection of the namespace's own: `redis.duplicate()` returns an isolated client with its
 * own connection, where these commands are allowed.
 *
 * @example
 * ```ts
 * await shared.client('TRACKING', 'on');              // rejects with SharedConnectionError
 * await shared.duplicate().client('TRACKING', 'on');  // a connection of the namespace's own: allowed
 * ```
 */
export class SharedConnectionError extends IsolationError {
  readonly code = 'ERR_SHARED_CONNECTION' as const;
}

/**
 * EVALSHA (or EVALSHA_RO) of a script this namespace has not sent yet: the server may hold a
 * script under that SHA, but not behind this namespace's Lua guard, so it is not run. The message
 * starts with `NOSCRIPT`, as the server's own reply does, so the drivers' fallbacks (ioredis
 * `defineCommand`, node-redis `scripts`) send the script's text, which the guard then wraps.
 *
 * @example
 * ```ts
 * await redis.evalsha('0'.repeat(40), 0); // rejects with UnknownScriptError: the namespace never sent that script
 * ```
 */
export class UnknownScriptError extends IsolationError {
  readonly code = 'ERR_UNKNOWN_SCRIPT' as const;
}

/**
 * Options given to the guard (or to a client factory) are invalid: an empty namespace,
 * namespaces whose prefixes overlap, a spec that would loosen a built-in rule.
 *
 * @example
 * ```ts
 * createGuard({ namespace: 'a', namespaces: ['a', 'a:b'] }); // throws: 'a:' is a prefix of 'a:b:'
 * ```
 */
export class IsolationConfigError extends Error {
  readonly code = 'ERR_INVALID_OPTIONS' as const;

  constructor(message: string) {
    super(message);
    this.name = 'IsolationConfigError';
  }
}

/** Renders an argument for an error message: text as JSON, binary as hex. */
export function describeArg(arg: RedisArg): string {
  if (typeof arg === 'number') return String(arg);
  if (typeof arg === 'string') return JSON.stringify(arg);
  const text = arg.toString('utf8');
  return Buffer.from(text, 'utf8').equals(arg) ? JSON.stringify(text) : `<Buffer ${arg.toString('hex')}>`;
}
