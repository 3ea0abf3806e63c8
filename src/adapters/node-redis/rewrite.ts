import { MalformedCommandError, type NamespaceGuard, type RedisArg, type ReplyShape, type ReplySlot } from '../../core/index.js';
import { isPubSubFrame, isTransactionFrame, pubSubFrameRefusal, transactionFrameRefusal } from '../refusals.js';
import type { NodeRedisParser, QueuedCommand, TransformReply } from './internals.js';

/**
 * A parsed command after the guard: what node-redis's executors read from a parser (the wire
 * arguments, the keys for cluster routing and client-side caching, `preserve` for the reply
 * transform), with every key in the namespace.
 */
export class RewrittenParser implements NodeRedisParser {
  #commandIdentifier: { command: string; subcommand: string | undefined } | undefined;

  constructor(
    readonly redisArgs: RedisArg[],
    readonly keys: RedisArg[],
    readonly preserve: unknown,
    /** How the reply names keys (see `NamespaceGuard.replyShape`), for the un-prefixing transform. */
    readonly replyShape: ReplyShape | undefined,
  ) {}

  get firstKey(): RedisArg | undefined {
    return this.keys[0];
  }

  /** As node-redis 6 computes it, for its command metadata lookups. */
  get commandIdentifier(): { command: string; subcommand: string | undefined } {
    const [command, subcommand] = this.redisArgs;
    this.#commandIdentifier ??= { command: String(command), subcommand: subcommand === undefined ? undefined : String(subcommand) };
    return this.#commandIdentifier;
  }

  /** As node-redis computes it: the client-side cache's key for this command line. */
  get cacheKey(): string {
    const args = this.redisArgs;
    const parts = new Array<unknown>(args.length * 2);
    for (let i = 0; i < args.length; i++) {
      parts[i] = String(args[i]).length;
      parts[i + args.length] = args[i];
    }
    return parts.join('_');
  }
}

/**
 * Where every rewrite of this adapter puts the reply shape: read right after the (synchronous)
 * rewrite that wrote it, so one slot serves all, and guarding a command allocates no slot.
 */
export const replySlot: ReplySlot = { shape: undefined, keys: 0 };

/** The guard's verdict on one argument vector, `[name, ...args]`, with the reply's shape in `slot`. */
export function rewriteArgs(guard: NamespaceGuard, argv: readonly RedisArg[], slot: ReplySlot): RedisArg[] {
  if (!Array.isArray(argv) || argv.length === 0) {
    throw new MalformedCommandError('a command must be a non-empty array of arguments', { command: '', namespace: guard.namespace });
  }
  return guard.rewriteArgv(argv, slot) as RedisArg[];
}

/**
 * {@link rewriteArgs} for a command line the user wrote (`sendCommand`, `multi().addCommand()`):
 * MULTI, EXEC, DISCARD and the (un)subscribe commands are refused there, since they would change
 * the state of a connection other views share without node-redis knowing (see refusals.ts).
 * node-redis's own typed commands never send them.
 */
export function rewriteRawArgs(guard: NamespaceGuard, argv: readonly RedisArg[], slot: ReplySlot): RedisArg[] {
  if (Array.isArray(argv)) {
    const name = argv[0];
    if (isTransactionFrame(name)) throw transactionFrameRefusal(guard, name);
    if (isPubSubFrame(name)) throw pubSubFrameRefusal(guard, name);
  }
  return rewriteArgs(guard, argv, slot);
}

const copied = (key: RedisArg): RedisArg => (typeof key === 'string' ? key : typeof key === 'number' ? String(key) : Buffer.from(key));

const prefixed = (prefix: string, key: RedisArg): RedisArg =>
  typeof key === 'string' ? prefix + key : Buffer.concat([Buffer.from(prefix), Buffer.isBuffer(key) ? key : Buffer.from(String(key))]);

/**
 * The parser `parser` would have been had its keys carried the prefix: wire arguments rewritten
 * by the guard, routing keys prefixed the same way (so that cluster slots and client-side cache
 * invalidations follow the keys actually stored).
 */
export function rewriteParser(guard: NamespaceGuard, parser: NodeRedisParser): RewrittenParser {
  const args = rewriteArgs(guard, parser.redisArgs, replySlot);
  const shape = replySlot.shape;
  // The guard has just checked these keys among the arguments; strict mode sends them as they
  // are, copied (cluster routing and the client-side cache read them after the call returns).
  const keys = guard.mode === 'strict' ? parser.keys.map(copied) : parser.keys.map((key) => prefixed(guard.prefix, key));
  return new RewrittenParser(args, keys, parser.preserve, shape);
}

/** `transformReply` preceded by stripping the prefix from the raw reply (when its shape names keys). */
export function unprefixing(guard: NamespaceGuard, shape: ReplyShape | undefined, transformReply: TransformReply): TransformReply {
  if (shape === undefined) return transformReply;
  return (reply, preserve, typeMapping) => {
    const stripped = guard.unprefixShape(shape, reply);
    return transformReply ? transformReply(stripped, preserve, typeMapping) : stripped;
  };
}

/** A MULTI or pipeline after the guard: the queue to send, each reply's shape (`undefined`: none names a key), and the number of keys. */
export interface RewrittenBatch {
  readonly commands: QueuedCommand[];
  readonly shapes: Array<ReplyShape | undefined> | undefined;
  readonly keys: number;
}

/**
 * A whole MULTI or pipeline through the guard: every command is checked before any is sent, as a
 * raw command line (`addCommand()` queues any).
 * node-redis's batch executors read only `args` of each queued command (the reply transforms
 * stay with the caller's queue).
 */
export function rewriteBatch(guard: NamespaceGuard, commands: readonly QueuedCommand[]): RewrittenBatch {
  let shapes: Array<ReplyShape | undefined> | undefined;
  let keys = 0;
  const rewritten = new Array<QueuedCommand>(commands.length);
  for (let i = 0; i < commands.length; i++) {
    rewritten[i] = { args: rewriteRawArgs(guard, (commands[i] as QueuedCommand).args, replySlot) };
    keys += replySlot.keys ?? 0;
    if (replySlot.shape !== undefined) (shapes ??= new Array<ReplyShape | undefined>(commands.length))[i] = replySlot.shape;
  }
  return { commands: rewritten, shapes, keys };
}

/** The raw replies of a batch with the prefix stripped, command by command; errors stay as they are. */
export function unprefixBatch(guard: NamespaceGuard, replies: unknown, shapes: RewrittenBatch['shapes']): unknown {
  if (shapes === undefined || !Array.isArray(replies)) return replies;
  return replies.map((reply, i) => {
    const shape = shapes[i];
    return shape === undefined || reply instanceof Error ? reply : guard.unprefixShape(shape, reply);
  });
}
