/**
 * The parts of node-redis (`redis` / `@redis/client` 5 and 6) the adapter touches, typed
 * structurally so that the adapter imports no node-redis: the user's copy is the one that runs.
 */
import type { RedisArg } from '../../core/index.js';

/** node-redis's `CommandParser`, the read side its executors use. */
export interface NodeRedisParser {
  readonly redisArgs: RedisArg[];
  readonly keys: RedisArg[];
  readonly firstKey: RedisArg | undefined;
  preserve?: unknown;
}

/** A command's reply transform: `(reply, preserve, typeMapping) => value`. */
export type TransformReply = ((reply: unknown, preserve?: unknown, typeMapping?: unknown) => unknown) | undefined;

/** One queued command of `multi()`: its arguments and its reply transform. */
export interface QueuedCommand {
  args: RedisArg[];
  transformReply?: TransformReply;
}

type Method = (...args: never[]) => unknown;

/** What a node-redis `RedisClient` (or a proxy of one) has that the adapter uses. */
export interface NodeRedisClientLike {
  readonly _self: NodeRedisClientLike;
  _executeCommand(command: unknown, parser: NodeRedisParser, options: unknown, transformReply: TransformReply): Promise<unknown>;
  _executeScript(script: unknown, parser: NodeRedisParser, options: unknown, transformReply: TransformReply): Promise<unknown>;
  _executeMulti(commands: QueuedCommand[], ...rest: unknown[]): Promise<unknown[]>;
  _executePipeline(commands: QueuedCommand[], ...rest: unknown[]): Promise<unknown[]>;
  sendCommand(args: RedisArg[], options?: unknown): Promise<unknown>;
  readonly _keyPrefix?: unknown;
  readonly Multi: Method;
  [name: string]: unknown;
}

/** What a node-redis `RedisCluster` (or a proxy of one) has that the adapter uses. */
export interface NodeRedisClusterLike {
  readonly _self: NodeRedisClusterLike;
  readonly _slots: unknown;
  /** node-redis 6.3+: every typed command goes through here, with its parser. */
  _executeWithPolicies?(parser: NodeRedisParser, isReadonly: unknown, options: unknown, makeFn: (parser: NodeRedisParser) => NodeFn): Promise<unknown>;
  /** node-redis 5: typed commands call it with their first key (the parser is inside `fn`). */
  _execute(first: unknown, isReadonly: unknown, options: unknown, fn: NodeFn, ...rest: unknown[]): Promise<unknown>;
  sendCommand(firstKey: RedisArg | undefined, isReadonly: unknown, args: RedisArg[], options?: unknown): Promise<unknown>;
  readonly _keyPrefix?: unknown;
  readonly Multi: Method;
  [name: string]: unknown;
}

/** How a cluster runs a command on the node client it picked. */
export type NodeFn = (client: NodeRedisClientLike, options: unknown) => Promise<unknown>;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** Duck-typed: a node-redis client from `createClient()` (connected or not), or a proxy of one. */
export function isNodeRedisClient(value: unknown): value is NodeRedisClientLike {
  return (
    isObject(value) &&
    isObject(value._self) &&
    typeof value._executeCommand === 'function' &&
    typeof value._executeMulti === 'function' &&
    typeof value.sendCommand === 'function' &&
    typeof value.Multi === 'function'
  );
}

/** Duck-typed: a node-redis cluster from `createCluster()`, or a proxy of one. */
export function isNodeRedisCluster(value: unknown): value is NodeRedisClusterLike {
  return (
    isObject(value) &&
    isObject(value._self) &&
    isObject(value._slots) &&
    typeof value._execute === 'function' &&
    typeof value.sendCommand === 'function' &&
    typeof value.Multi === 'function'
  );
}

/**
 * The prototype node-redis generates per configuration, holding one method per command (and the
 * `scripts` option's methods): it is the one with its own `Multi`.
 */
export function commandPrototype(client: object): object | undefined {
  for (let proto = Object.getPrototypeOf(client) as object | null; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    if (Object.prototype.hasOwnProperty.call(proto, 'Multi')) return proto;
  }
  return undefined;
}
