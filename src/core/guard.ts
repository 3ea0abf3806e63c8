import { buildCommandTable, type CommandRule } from './command-rules.js';
import { rangeStop, resolveSpec, type CommandLookup } from './command-table.js';
import { describeWith, type CommandDescription } from './describe.js';
import {
  BlockedCommandError,
  CrossNamespaceError,
  UnknownScriptError,
  DoublePrefixError,
  IsolationConfigError,
  MalformedCommandError,
  UnknownCommandError,
  UnprefixedKeyError,
  describeArg,
} from './errors.js';
import { escapeGlob } from './glob.js';
import { isNamespaceSet, NamespaceSet } from './namespace-set.js';
import { stripReply } from './replies.js';
import { RewriteSink, isPatternRole } from './rewrite-sink.js';
import type { ScriptArgument } from './scripts/script-argument.js';
import { scriptConfinementOf } from './scripts/confinement-cache.js';
import type { ScriptConfinement } from './scripts/script-confinement.js';
import type { ArgumentRole, RedisArg, ReplyShape } from './types.js';

/**
 * `prefix`: the guard adds the prefix to keys, patterns and channels, and strips it from replies.
 * `strict`: keys must already carry the prefix; nothing is rewritten but missing confinement
 * (SCAN without MATCH).
 *
 * @example
 * ```ts
 * const mode: IsolationMode = 'strict';
 * ```
 */
export type IsolationMode = 'prefix' | 'strict';

/**
 * Options of {@link createGuard}.
 *
 * @example
 * ```ts
 * const options: GuardOptions = { namespace: 'mcp2', namespaces: ['mcp2', 'celery', 'journal'] };
 * ```
 */
export interface GuardOptions {
  /** The namespace this guard confines commands to (`mcp2` gives the prefix `mcp2:`). */
  readonly namespace: string;
  /**
   * Every namespace of the deployment: a list, or a {@link NamespaceSet} from
   * {@link defineNamespaces} shared by every guard and view (a view then costs a reference to it,
   * not a copy; the set must hold `namespace`). A key that starts with another namespace's
   * prefix is refused as `ERR_CROSS_NAMESPACE`.
   * @defaultValue `[namespace]`
   */
  readonly namespaces?: readonly string[] | NamespaceSet;
  /**
   * Families of namespaces not listed one by one (`'tenant-*'`: every `tenant-<id>`), with a
   * list in `namespaces`; a {@link NamespaceSet} carries its own.
   */
  readonly families?: readonly string[];
  /**
   * Overrides the prefix computed from the namespace (other namespaces still use the rule), for
   * a keyspace that predates it. With a {@link NamespaceSet} in `namespaces`, give it in the set
   * (`defineNamespaces({ prefixes })`), where every guard knows it.
   */
  readonly prefix?: string;
  /** Put between namespace and key; taken from `namespaces` when it is a set. @defaultValue `':'` */
  readonly separator?: string;
  /**
   * Use `{namespace}:` as prefix so a namespace lives in one Redis Cluster slot: every
   * multi-key command works, but the whole namespace's load falls on one node. Taken from
   * `namespaces` when it is a set.
   * @defaultValue `false`
   */
  readonly hashTag?: boolean;
  /** @defaultValue `'prefix'` */
  readonly mode?: IsolationMode;
  /** Rules for commands the built-in table lacks (module commands), or to block more commands. */
  readonly commands?: Readonly<Record<string, CommandRule>>;
  /**
   * `confine`: every script (EVAL, EVALSHA, SCRIPT LOAD, the drivers' script helpers) and
   * function library (FUNCTION LOAD) runs behind a Lua prelude that shadows `redis` with a
   * guarded table, whose `call` and `pcall` place each key, pattern and channel as this guard
   * does; library and function names carry the namespace. `trust`: scripts are sent as they
   * are; keys they build themselves reach the server unprefixed (see the README, "Scripts").
   * @defaultValue `'confine'`
   */
  readonly scripts?: 'confine' | 'trust';
}

const STAR = 0x2a;
const HASH = 0x23;
const UNDERSCORE = 0x5f;

const replyOf = (spec: ReturnType<typeof resolveSpec>): ReplyShape | undefined =>
  spec.kind === 'range' || spec.kind === 'custom' ? spec.reply : undefined;

/**
 * Reply shapes applied in strict mode too (which strips nothing): those that hide other
 * namespaces' connections and functions, and SCRIPT LOAD's SHA.
 */
const FILTERING_SHAPES: ReadonlySet<ReplyShape> = new Set(['client-list', 'client-info', 'connection-name', 'script-sha', 'library-name', 'function-list']);

/** Shapes the guard maps itself, with what it knows of the namespace's scripts and functions. */
const SCRIPT_SHAPES: ReadonlySet<ReplyShape> = new Set(['script-sha', 'library-name', 'function-list']);

/** What SCRIPT EXISTS asks for a SHA the namespace has not sent: no script has it (the SHA-1 of no text is not all zeros). */
const NO_SCRIPT_SHA = '0'.repeat(40);

const unchanged = (name: unknown): unknown => name;

/** The command table of guards without `commands` of their own: one for the process. */
const DEFAULT_TABLE = buildCommandTable(undefined);

/** The namespace set of `options`: the one given, or one built from the list (which gains `namespace`). */
function namespaceSetOf(options: GuardOptions): NamespaceSet {
  const given = options.namespaces;
  if (isNamespaceSet(given)) {
    const mismatch =
      (options.separator !== undefined && options.separator !== given.separator) || (options.hashTag !== undefined && options.hashTag !== given.hashTag);
    if (mismatch || options.families !== undefined) {
      throw new IsolationConfigError('`separator`, `hashTag` and `families` belong to the namespace set given in `namespaces`; set them there');
    }
    given.assertName(options.namespace);
    if (!given.has(options.namespace)) {
      throw new IsolationConfigError(
        `namespace ${JSON.stringify(options.namespace)} is not in the namespace set given in \`namespaces\`; add it there, so that every other guard knows its keys`,
      );
    }
    // Every guard of the set must know a prefix given by hand: it is the set's, not one guard's.
    if (options.prefix !== undefined && options.prefix !== given.prefixOf(options.namespace)) {
      throw new IsolationConfigError(
        `namespace ${JSON.stringify(options.namespace)}: give its prefix in the namespace set (\`defineNamespaces({ prefixes: { ${options.namespace}: ... } })\`), ` +
          'so that every other guard of the set knows it',
      );
    }
    return given;
  }
  if (given !== undefined && !Array.isArray(given)) throw new IsolationConfigError('`namespaces` must be a list of namespaces or a set from defineNamespaces()');
  if (options.prefix !== undefined && typeof options.prefix !== 'string') throw new IsolationConfigError('`prefix` must be a non-empty string');
  return new NamespaceSet({
    namespaces: [options.namespace, ...(given ?? [])],
    families: options.families,
    separator: options.separator,
    hashTag: options.hashTag,
    prefixes: options.prefix === undefined ? undefined : { [options.namespace]: options.prefix },
  });
}

/**
 * The command line to send, as a private copy: numbers become their decimal text (what both
 * drivers send; node-redis's encoder would reject them after part of a batch was queued) and
 * every Buffer the caller still holds is copied, so that nothing the caller changes after the
 * call alters what the guard checked. `out` is `original` or a fresh copy of it with some
 * arguments replaced (those are the guard's own and kept).
 */
function sealed(original: readonly RedisArg[], out: readonly RedisArg[]): RedisArg[] {
  const line = out === original ? original.slice() : (out as RedisArg[]);
  for (let i = 0; i < line.length; i++) {
    const arg = line[i];
    if (typeof arg === 'number') line[i] = String(arg);
    else if (typeof arg !== 'string' && arg === original[i]) line[i] = Buffer.from(arg as Uint8Array);
  }
  return line;
}

const bytesStartWith = (value: Buffer, start: Buffer): boolean =>
  value.length >= start.length && value.compare(start, 0, start.length, 0, start.length) === 0;



/**
 * Where {@link NamespaceGuard.rewrite} puts the reply shape of the command it rewrote.
 *
 * @example
 * ```ts
 * const slot: ReplySlot = { shape: undefined };
 * guard.rewrite('blpop', ['q', '0'], slot); // slot.shape === 'key-first'
 * ```
 */
export interface ReplySlot {
  shape: ReplyShape | undefined;
  /** How many keys the command names (patterns and channels not counted), for instrumentation. */
  keys?: number;
}

/**
 * Confines Redis commands to one namespace. This class is the one place where keys, patterns
 * and channels get their prefix, and where replies lose it again. It is pure: it knows no
 * Redis client; the adapters call {@link NamespaceGuard.rewrite} before sending and
 * {@link NamespaceGuard.unprefixReply} on what comes back.
 *
 * @example
 * ```ts
 * const guard = createGuard({ namespace: 'mcp2', namespaces: ['mcp2', 'celery'] });
 * guard.rewrite('set', ['payload:1', 'v']);            // ['mcp2:payload:1', 'v']
 * guard.rewrite('scan', ['0']);                        // ['0', 'MATCH', 'mcp2:*']
 * guard.unprefixReply('keys', ['*'], ['mcp2:a']);      // ['a']
 * guard.rewrite('get', ['celery:task']);               // throws CrossNamespaceError
 * ```
 */
export class NamespaceGuard {
  readonly namespace: string;
  readonly prefix: string;
  readonly mode: IsolationMode;
  /** The prefix with glob characters escaped, as it starts every pattern the guard sends. */
  readonly patternPrefix: string;
  /** Every namespace of the deployment, shared with the other guards created from the same set. */
  readonly namespaces: NamespaceSet;
  private readonly table: CommandLookup;
  private readonly strict: boolean;
  private readonly trustScripts: boolean;
  private scriptConfinement: ScriptConfinement | undefined;
  // Built on first need, so that a guard (one per view) costs a few fields until it meets a
  // Buffer, a custom locator or a reply to strip.
  private bytes: { readonly prefix: Buffer; readonly pattern: Buffer } | undefined;
  private sinkInstance: RewriteSink | undefined;
  private stripper: ((name: unknown) => unknown) | undefined;
  private owner: ((name: string) => boolean) | undefined;

  constructor(options: GuardOptions) {
    this.namespaces = namespaceSetOf(options);
    this.namespace = options.namespace;
    this.prefix = this.namespaces.prefixOf(options.namespace);
    this.mode = options.mode ?? 'prefix';
    if (this.mode !== 'prefix' && this.mode !== 'strict') throw new IsolationConfigError(`mode ${JSON.stringify(this.mode)} is not 'prefix' or 'strict'`);
    this.strict = this.mode === 'strict';
    this.patternPrefix = escapeGlob(this.prefix);
    this.table = options.commands === undefined ? DEFAULT_TABLE : buildCommandTable(options.commands);
    const scripts = options.scripts ?? 'confine';
    if (scripts !== 'confine' && scripts !== 'trust') throw new IsolationConfigError(`scripts ${JSON.stringify(scripts)} is not 'confine' or 'trust'`);
    this.trustScripts = scripts === 'trust';
  }

  /**
   * What the guard knows of the namespace's scripts and function libraries (built on the first
   * script, shared by every guard of the same namespace, mode and command table), or `undefined`
   * with `scripts: 'trust'`.
   *
   * @example
   * ```ts
   * guard.scripts?.wrapScript('return redis.call("GET", KEYS[1])'); // the script behind the namespace's Lua guard
   * ```
   */
  get scripts(): ScriptConfinement | undefined {
    if (this.trustScripts) return undefined;
    return (this.scriptConfinement ??= scriptConfinementOf(this.namespaces, this.namespace, this.mode, this.table, this.prefix, this.patternPrefix));
  }

  /** @internal A script, a script's SHA or a function's name, as it must be sent. */
  confineScript(arg: RedisArg, kind: ScriptArgument, command: string): RedisArg {
    const scripts = this.scripts;
    if (scripts === undefined) return arg;
    if (typeof arg === 'number') arg = String(arg);
    switch (kind) {
      case 'text':
        return scripts.wrapScript(arg);
      case 'library': {
        const wrapped = scripts.wrapLibrary(arg);
        if (wrapped !== undefined) return wrapped;
        // Redis reads the shebang's words case-insensitively and with quotes: only the plain form
        // is renamed, anything else is refused rather than loaded under a name of another namespace.
        throw new MalformedCommandError(
          `FUNCTION LOAD is refused in namespace "${this.namespace}": the library's first line must be exactly "#!lua name=<library>" (letters, digits and _)`,
          { command, namespace: this.namespace },
        );
      }
      case 'function':
        return scripts.functionName(arg);
      case 'library-pattern':
        return typeof arg === 'string' ? scripts.functionPrefix + arg : Buffer.concat([Buffer.from(scripts.functionPrefix), arg]);
      case 'sha':
      case 'sha-probe': {
        const wrapped = scripts.wrappedSha(typeof arg === 'string' ? arg : arg.toString('latin1'));
        if (wrapped !== undefined) return wrapped;
        if (kind === 'sha-probe') return NO_SCRIPT_SHA;
        throw new UnknownScriptError(
          `NOSCRIPT No matching script in namespace "${this.namespace}": send its text first (EVAL or SCRIPT LOAD), so that it runs behind the namespace's Lua guard`,
          { command, namespace: this.namespace, key: arg },
        );
      }
    }
  }

  private get prefixBytes(): Buffer {
    return this.byteForms().prefix;
  }

  private get patternPrefixBytes(): Buffer {
    return this.byteForms().pattern;
  }

  private byteForms(): { readonly prefix: Buffer; readonly pattern: Buffer } {
    return (this.bytes ??= { prefix: Buffer.from(this.prefix), pattern: Buffer.from(this.patternPrefix) });
  }

  private get sink(): RewriteSink {
    return (this.sinkInstance ??= new RewriteSink(this));
  }

  /**
   * Checks one command and returns its arguments as they must be sent: keys, patterns and
   * channels prefixed (prefix mode) or verified (strict mode). `args` is never modified; the
   * result is always a fresh array that the caller does not hold (numbers as decimal text,
   * Buffers copied), so what the guard checked is exactly what is sent.
   *
   * `reply`, when given, receives {@link NamespaceGuard.replyShape} of the same command, found
   * with the same lookup (adapters pass one reused slot: no second lookup, no allocation).
   *
   * @throws {@link IsolationError} (a subclass per code) when the command must not be sent.
   * @example
   * ```ts
   * guard.rewrite('ZUNIONSTORE', ['dst', '2', 'a', 'b', 'WEIGHTS', '1', '2']);
   * // ['mcp2:dst', '2', 'mcp2:a', 'mcp2:b', 'WEIGHTS', '1', '2']
   * ```
   */
  rewrite(command: string, args: readonly RedisArg[], reply?: ReplySlot): readonly RedisArg[] {
    const spec = resolveSpec(this.table, command, args);
    if (spec.kind !== 'blocked' && spec.kind !== 'unknown') this.assertFlat(spec.name, args);
    if (reply) reply.shape = this.shapeOf(spec);
    switch (spec.kind) {
      case 'range': {
        const stop = rangeStop(spec, args.length);
        if (reply) reply.keys = stop > spec.first ? Math.ceil((stop - spec.first) / spec.step) : 0;
        if (this.strict) {
          for (let i = spec.first; i < stop; i += spec.step) this.confine(args[i] as RedisArg, 'key', spec.name);
          return sealed(args, args);
        }
        const out = args.slice();
        for (let i = spec.first; i < stop; i += spec.step) out[i] = this.confine(args[i] as RedisArg, 'key', spec.name);
        return sealed(args, out);
      }
      case 'custom': {
        const out = this.sink.run(spec.name, spec.locate, args);
        if (reply) reply.keys = this.sink.keyCount;
        return sealed(args, out);
      }
      case 'keyless':
        if (reply) reply.keys = 0;
        return sealed(args, args);
      case 'blocked':
        throw new BlockedCommandError(`${spec.name.toUpperCase()} is refused in namespace "${this.namespace}": ${spec.reason}`, {
          command: spec.name,
          namespace: this.namespace,
        });
      case 'unknown':
        throw new UnknownCommandError(
          `${spec.name.toUpperCase()} is refused in namespace "${this.namespace}": ${spec.reason}. ` +
            'If it is a module command, register where its keys are with the `commands` option.',
          { command: spec.name, namespace: this.namespace },
        );
    }
  }

  /**
   * Same as {@link NamespaceGuard.rewrite} for a whole command line, name first
   * (`['GET', 'k']`), as node-redis's `sendCommand` and `COMMAND GETKEYS` take it; `reply` as
   * there. Commands whose keys sit at fixed positions are rewritten in one copy of the line, so
   * adapters with command lines save a copy per command. Like `rewrite`, the result is always a
   * fresh array of strings and private Buffers.
   *
   * @example
   * ```ts
   * guard.rewriteArgv(['GET', 'payload:1']); // ['GET', 'mcp2:payload:1']
   * ```
   */
  rewriteArgv(argv: readonly RedisArg[], reply?: ReplySlot): readonly RedisArg[] {
    const name = argv[0];
    if (name === undefined) throw new MalformedCommandError('an empty command line is refused', { command: '', namespace: this.namespace });
    const spec = resolveSpec(this.table, typeof name === 'string' ? name : String(name), argv, 1);
    // The common shapes in place, without copying the arguments out of the command line first.
    if (spec.kind === 'range' || spec.kind === 'keyless') {
      this.assertFlat(spec.name, argv, 1);
      if (reply) reply.shape = this.shapeOf(spec);
      if (spec.kind === 'keyless') {
        if (reply) reply.keys = 0;
        return sealed(argv, argv);
      }
      const stop = rangeStop(spec, argv.length - 1);
      if (reply) reply.keys = stop > spec.first ? Math.ceil((stop - spec.first) / spec.step) : 0;
      if (this.strict) {
        for (let i = spec.first; i < stop; i += spec.step) this.confine(argv[i + 1] as RedisArg, 'key', spec.name);
        return sealed(argv, argv);
      }
      const out = argv.slice();
      for (let i = spec.first; i < stop; i += spec.step) out[i + 1] = this.confine(argv[i + 1] as RedisArg, 'key', spec.name);
      return sealed(argv, out);
    }
    const args = argv.slice(1);
    const out = this.rewrite(String(name), args, reply);
    return [typeof name === 'string' ? name : typeof name === 'number' ? String(name) : Buffer.from(name), ...out];
  }

  /**
   * How the reply of this command names keys or channels, or `undefined` when it names none
   * (or the guard is in strict mode, where replies are left alone). Adapters call it when they
   * send, to know whether the reply needs {@link NamespaceGuard.unprefixReply}.
   *
   * @example
   * ```ts
   * guard.replyShape('blpop', ['q', '0']); // 'key-first'
   * guard.replyShape('get', ['k']);        // undefined
   * ```
   */
  replyShape(command: string, args: readonly RedisArg[]): ReplyShape | undefined {
    return this.shapeOf(resolveSpec(this.table, command, args));
  }

  /** The reply shape the adapters must apply: in strict mode only the filtering ones. */
  private shapeOf(spec: ReturnType<typeof resolveSpec>): ReplyShape | undefined {
    const shape = replyOf(spec);
    return this.strict && (shape === undefined || !FILTERING_SHAPES.has(shape)) ? undefined : shape;
  }

  /**
   * Strips the prefix from the key and channel names in a reply (prefix mode): KEYS, SCAN, the
   * blocking pops, *MPOP, XREAD(GROUP) stream names (RESP2 arrays and RESP3 maps), PUBSUB
   * CHANNELS/NUMSUB. Values are never touched. `args` are the arguments as the user gave them.
   *
   * @example
   * ```ts
   * guard.unprefixReply('blpop', ['q', '0'], ['mcp2:q', 'job']); // ['q', 'job']
   * ```
   */
  unprefixReply(command: string, args: readonly RedisArg[], reply: unknown): unknown {
    const shape = this.replyShape(command, args);
    return shape === undefined ? reply : this.unprefixShape(shape, reply);
  }

  /** Strips the prefix from a reply of a known `shape` (see {@link NamespaceGuard.replyShape}). */
  unprefixShape(shape: ReplyShape, reply: unknown): unknown {
    if (SCRIPT_SHAPES.has(shape)) return this.scriptReply(shape, reply);
    const owns = (this.owner ??= (name: string): boolean => this.carriesPrefix(name));
    if (!this.strict) return stripReply(shape, reply, (this.stripper ??= (name: unknown) => this.stripName(name)), owns);
    return FILTERING_SHAPES.has(shape) ? stripReply(shape, reply, unchanged, owns) : reply;
  }

  /** SCRIPT LOAD's SHA, FUNCTION LOAD's library name, FUNCTION LIST: as the namespace knows them. */
  private scriptReply(shape: ReplyShape, reply: unknown): unknown {
    const scripts = this.scripts;
    if (scripts === undefined) return reply;
    if (shape === 'function-list') return scripts.functionList(reply);
    const text = typeof reply === 'string' ? reply : Buffer.isBuffer(reply) ? reply.toString('utf8') : undefined;
    if (text === undefined) return reply;
    const mapped = shape === 'script-sha' ? scripts.originalSha(text) : scripts.unprefix(text);
    if (mapped === undefined) return reply;
    return Buffer.isBuffer(reply) ? Buffer.from(mapped) : mapped;
  }

  /**
   * The prefixed form of one key, with the same checks as a command's keys.
   *
   * @example
   * ```ts
   * guard.prefixKey('payload:1'); // 'mcp2:payload:1'
   * ```
   */
  prefixKey<K extends string | Buffer>(key: K): K {
    return this.confine(key, 'key', 'prefixkey') as K;
  }

  /**
   * A key or channel name without this namespace's prefix (unchanged when it does not carry
   * it, or in strict mode). Buffers come back as Buffers.
   *
   * @example
   * ```ts
   * guard.unprefixKey('mcp2:payload:1'); // 'payload:1'
   * ```
   */
  unprefixKey<K extends string | Buffer>(name: K): K {
    return (this.strict ? name : this.stripName(name)) as K;
  }

  /**
   * Whether a name Redis reports (a key, a channel; with `pattern`, a subscribed pattern) carries
   * this namespace's prefix, so that adapters can tell the namespace's own events from others' on
   * a shared connection. Strings and Buffers; anything else is not the namespace's.
   *
   * @example
   * ```ts
   * guard.carriesPrefix('mcp2:news');            // true
   * guard.carriesPrefix(Buffer.from('celery:x')); // false
   * guard.carriesPrefix('mcp2:news.*', 'pattern'); // true
   * ```
   */
  carriesPrefix(name: unknown, kind: 'name' | 'pattern' = 'name'): boolean {
    const pattern = kind === 'pattern';
    if (typeof name === 'string') return name.startsWith(pattern ? this.patternPrefix : this.prefix);
    return Buffer.isBuffer(name) && bytesStartWith(name, pattern ? this.patternPrefixBytes : this.prefixBytes);
  }

  /**
   * A pattern as the user gave it, from the pattern Redis reports (`pmessage` events carry the
   * subscribed pattern, which the guard escaped and prefixed).
   *
   * @example
   * ```ts
   * guard.unprefixPattern('mcp2:news.*'); // 'news.*'
   * ```
   */
  unprefixPattern<K extends string | Buffer>(pattern: K): K {
    if (this.strict) return pattern;
    if (typeof pattern === 'string') {
      return (pattern.startsWith(this.patternPrefix) ? pattern.slice(this.patternPrefix.length) : pattern) as K;
    }
    return (bytesStartWith(pattern as Buffer, this.patternPrefixBytes) ? (pattern as Buffer).subarray(this.patternPrefixBytes.length) : pattern) as K;
  }

  /**
   * {@link describeCommand} with this guard's table, including the rules given in `commands`.
   *
   * @example
   * ```ts
   * guard.describe(['JSON.SET', 'doc', '$', '{}']).keys; // [1] when 'json.set' is registered
   * ```
   */
  describe(argv: readonly RedisArg[]): CommandDescription {
    return describeWith(this.table, argv);
  }

  /**
   * Every argument must be a string, Buffer or number: a nested array would be flattened by the
   * driver after the guard placed the keys, moving a key to a position it never checked.
   */
  private assertFlat(command: string, args: readonly RedisArg[], from = 0): void {
    for (let i = from; i < args.length; i++) {
      const arg: unknown = args[i];
      if (typeof arg !== 'string' && typeof arg !== 'number' && !(arg instanceof Uint8Array)) {
        throw new MalformedCommandError(
          `${command.toUpperCase()}: argument ${i - from + 1} is ${Array.isArray(arg) ? 'an array' : arg === null ? 'null' : typeof arg}; ` +
            'the guard takes flat arguments (strings, Buffers, numbers)',
          { command, namespace: this.namespace },
        );
      }
    }
  }

  /** Strips the own prefix from a string or Buffer name; anything else comes back as is. */
  private stripName(name: unknown): unknown {
    if (typeof name === 'string') return name.startsWith(this.prefix) ? name.slice(this.prefix.length) : name;
    if (Buffer.isBuffer(name)) return bytesStartWith(name, this.prefixBytes) ? name.subarray(this.prefixBytes.length) : name;
    return name;
  }

  /** @internal The argument as it must be sent for `role`, or a thrown refusal. */
  confine(arg: RedisArg, role: ArgumentRole, command: string): RedisArg {
    if (typeof arg === 'string') return this.confineText(arg, role, command);
    if (Buffer.isBuffer(arg)) return this.confineBytes(arg, role, command);
    if (typeof arg === 'number' && Number.isFinite(arg)) return this.confineText(String(arg), role, command);
    throw new MalformedCommandError(
      `${command.toUpperCase()}: a ${role} must be a string, Buffer or number, got ${arg === null ? 'null' : typeof arg}`,
      { command, namespace: this.namespace },
    );
  }

  private confineText(text: string, role: ArgumentRole, command: string): string {
    if (role === 'sort-pattern') {
      if (text === '#' || !text.includes('*')) return text;
      this.assertSortablePrefix(command);
    }
    if ((role === 'channel' || role === 'channel-pattern') && text.startsWith('__')) this.refuseServerChannel(text, command);
    const pattern = isPatternRole(role);
    const own = text.startsWith(pattern ? this.patternPrefix : this.prefix);
    if (this.passesUnchanged(own ? this.namespace : this.otherOwner(text, pattern), text, role, command)) return text;
    return (pattern ? this.patternPrefix : this.prefix) + text;
  }

  private confineBytes(bytes: Buffer, role: ArgumentRole, command: string): Buffer {
    if (role === 'sort-pattern') {
      if ((bytes.length === 1 && bytes[0] === HASH) || !bytes.includes(STAR)) return bytes;
      this.assertSortablePrefix(command);
    }
    if ((role === 'channel' || role === 'channel-pattern') && bytes[0] === UNDERSCORE && bytes[1] === UNDERSCORE) {
      this.refuseServerChannel(bytes, command);
    }
    const pattern = isPatternRole(role);
    const own = bytesStartWith(bytes, pattern ? this.patternPrefixBytes : this.prefixBytes);
    if (this.passesUnchanged(own ? this.namespace : this.otherOwner(bytes, pattern), bytes, role, command)) return bytes;
    return Buffer.concat([pattern ? this.patternPrefixBytes : this.prefixBytes, bytes]);
  }

  /**
   * The namespace whose prefix `name` starts with, for a name that does not start with this
   * guard's prefix: with a `prefix` given by hand, the namespace's computed prefix claims nothing.
   */
  private otherOwner(name: string | Buffer, pattern: boolean): string | undefined {
    const owner = this.namespaces.ownerOf(name, pattern);
    return owner === this.namespace ? undefined : owner;
  }

  /**
   * The namespace rules, for an argument whose prefix belongs to namespace `owner` (`undefined`:
   * to no namespace; this guard's own namespace only when it starts with this guard's prefix):
   * true when it is sent unchanged (strict mode, own prefix), false when the prefix must be put
   * in front (prefix mode, no namespace's prefix); any other case is refused.
   */
  private passesUnchanged(owner: string | undefined, arg: RedisArg, role: ArgumentRole, command: string): boolean {
    if (owner !== undefined) {
      if (owner !== this.namespace) throw this.crossNamespace(owner, arg, role, command);
      if (this.strict) return true;
      throw this.doublePrefix(arg, role, command);
    }
    if (this.strict) throw this.unprefixed(arg, role, command);
    return false;
  }

  /**
   * Channels the server publishes on itself (`__keyspace@0__:k`, `__keyevent@0__:set`,
   * `__redis__:invalidate`) carry no namespace: prefixed, they would silently never fire;
   * unprefixed, they report every namespace's keys.
   */
  private refuseServerChannel(channel: RedisArg, command: string): never {
    throw new BlockedCommandError(
      `${command.toUpperCase()}: ${describeArg(channel)} is a channel the server publishes for every namespace ` +
        '(keyspace notifications, client-side caching invalidations); it cannot be confined by a namespaced client',
      { command, namespace: this.namespace, key: channel },
    );
  }

  /**
   * SORT substitutes the first `*` of a BY/GET pattern: with a prefix holding one, the element
   * would replace part of the prefix (in strict mode too, where the pattern starts with it).
   */
  private assertSortablePrefix(command: string): void {
    if (this.prefix.includes('*')) {
      throw new BlockedCommandError(
        `${command.toUpperCase()} BY/GET patterns cannot be confined: the prefix ${JSON.stringify(this.prefix)} contains "*", which SORT substitutes`,
        { command, namespace: this.namespace },
      );
    }
  }

  private crossNamespace(owner: string, arg: RedisArg, role: ArgumentRole, command: string): CrossNamespaceError {
    return new CrossNamespaceError(
      `${command.toUpperCase()}: the ${role} ${describeArg(arg)} belongs to namespace "${owner}", ` +
        `not to "${this.namespace}"; use that namespace's client`,
      { command, namespace: this.namespace, key: arg },
    );
  }

  private doublePrefix(arg: RedisArg, role: ArgumentRole, command: string): DoublePrefixError {
    return new DoublePrefixError(
      `${command.toUpperCase()}: the ${role} ${describeArg(arg)} already starts with "${this.prefix}"; ` +
        'this client adds the prefix itself, so pass the name without it',
      { command, namespace: this.namespace, key: arg },
    );
  }

  private unprefixed(arg: RedisArg, role: ArgumentRole, command: string): UnprefixedKeyError {
    const expected = isPatternRole(role) ? this.patternPrefix : this.prefix;
    return new UnprefixedKeyError(
      `${command.toUpperCase()}: the ${role} ${describeArg(arg)} does not start with "${expected}"; ` +
        `in strict mode every ${role} of namespace "${this.namespace}" must carry the prefix`,
      { command, namespace: this.namespace, key: arg },
    );
  }
}

/**
 * Creates the guard of one namespace.
 *
 * @throws {@link IsolationConfigError} for an empty namespace, overlapping prefixes or an invalid rule.
 * @example
 * ```ts
 * import { createGuard } from 'isolated-redis';
 * const guard = createGuard({ namespace: 'mcp2', namespaces: ['mcp2', 'celery', 'journal'] });
 * guard.rewrite('xread', ['COUNT', '1', 'STREAMS', 'events', '0']); // [..., 'mcp2:events', '0']
 * ```
 */
export function createGuard(options: GuardOptions): NamespaceGuard {
  return new NamespaceGuard(options);
}
