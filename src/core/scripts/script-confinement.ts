import { createHash } from 'node:crypto';
import { ownFunctionList } from './function-list-reply.js';
import { functionNamePrefix } from './function-names.js';
import { luaGuard, prefilledRules, type LuaGuardConfig } from './lua-guard.js';
import { luaString } from './lua-text.js';

/**
 * `_G.redis` reads the shadow too, and code compiled at run time (which Lua would run with the
 * real `redis`, outside the guard) is refused: `loadstring` and `load` raise.
 */
const NO_LOADERS =
  'local loadstring = function() error("loadstring and load are refused in a namespaced script: the code they compile would run outside the namespace\'s Lua guard", 2) end local load = loadstring; ';

/** How many scripts' SHAs a namespace remembers; an older one is answered NOSCRIPT, and the drivers send its text again. */
const REMEMBERED_SCRIPTS = 1000;
/** How many wrapped texts a namespace keeps, so that a script sent again is not wrapped and hashed again. */
const REMEMBERED_TEXTS = 200;

/** A script text (or library code) as the caller gave it: text, or bytes as a driver may pass them. */
export type ScriptText = string | Uint8Array;

const sha1 = (text: ScriptText): string => createHash('sha1').update(text).digest('hex');

const NEWLINE = 0x0a;

/** The first line of a script when it is a `#!` shebang (with its newline), else ''. */
function shebangOf(bytes: Buffer): Buffer {
  if (bytes[0] !== 0x23 || bytes[1] !== 0x21) return Buffer.alloc(0);
  const end = bytes.indexOf(NEWLINE);
  return end === -1 ? Buffer.concat([bytes, Buffer.from('\n')]) : bytes.subarray(0, end + 1);
}

/** A FUNCTION LOAD shebang as views accept it: the engine and the library's name, nothing else. */
const LIBRARY_SHEBANG = /^#!lua name=([A-Za-z0-9_]+)[ \t]*$/;
/** `name=<library>` in a shebang the server gave back (FUNCTION LIST WITHCODE). */
const LIBRARY_NAME = /(^#!\S*.*?\sname=)(\S+)/;

/**
 * The scripts and function libraries of one namespace (one prefix, one mode), as the server must
 * run them: behind a prelude that shadows `redis` with a guarded table whose `call` and `pcall`
 * place every key, pattern and channel as the client-side guard does. It remembers which SHA
 * each caller's script has once wrapped, so that callers keep using the SHAs of their own text.
 * A guard's `scripts`; the adapters use it, code seldom needs to.
 *
 * @example
 * ```ts
 * const wrapped = guard.scripts?.wrapScript("return redis.call('GET', KEYS[1])");
 * ```
 */
export class ScriptConfinement {
  readonly libraryPrelude: string;
  /** What library and function names of the namespace start with. */
  readonly functionPrefix: string;
  /** The prelude of EVAL scripts, around `__iPREFILL` (see {@link prefilledRules}). */
  private readonly evalPrelude: readonly [before: string, after: string];
  private readonly codes: ReadonlyMap<string, string>;
  private readonly wrapped = new Map<string, string>();
  private readonly originals = new Map<string, string>();
  private readonly texts = new Map<string, { readonly text: string; readonly original: string; readonly wrapped: string }>();

  /** @internal */
  constructor(config: LuaGuardConfig) {
    const guard = luaGuard(config, { library: false });
    this.functionPrefix = functionNamePrefix(config.namespace);
    const [before, after] = guard.statements.split('__iPREFILL') as [string, string];
    this.evalPrelude = [`local __ir = redis ${before}`, `${after}${guard.keys}local redis = ${guard.table} local _G = setmetatable({ redis = redis }, { __index = _G }) ${NO_LOADERS}`];
    this.codes = config.codes;
    // A function builds its guard once, on its first call, and keeps it: nothing to prefill.
    const library = luaGuard(config, { library: true });
    this.libraryPrelude = libraryPrelude(`${library.statements.replace('__iPREFILL', '{}')}return ${library.table} `, this.functionPrefix, library.strip);
  }

  /**
   * The script as it must be sent (EVAL, SCRIPT LOAD): the prelude put after its shebang (if any)
   * in front of its first line, so that its line numbers stay. Its SHA is remembered. Text stays
   * text, bytes bytes. A script wrapped twice runs behind two guards, which place its keys once
   * (a key that carries the prefix is kept).
   */
  wrapScript<T extends ScriptText>(script: T): T {
    if (typeof script === 'string') {
      const known = this.texts.get(script);
      if (known !== undefined) {
        this.remember(known.original, known.wrapped);
        return known.text as T;
      }
    }
    const bytes = Buffer.from(script as Uint8Array | string);
    const shebang = shebangOf(bytes);
    const body = bytes.subarray(Math.min(shebang.length, bytes.length));
    const prelude = `${this.evalPrelude[0]}${prefilledRules(body.toString('latin1'), this.codes)}${this.evalPrelude[1]}`;
    const out = Buffer.concat([shebang, Buffer.from(prelude), body]);
    const original = sha1(bytes);
    const wrapped = sha1(out);
    this.remember(original, wrapped);
    if (typeof script !== 'string') return out as unknown as T;
    const text = out.toString('utf8');
    this.texts.set(script, { text, original, wrapped });
    if (this.texts.size > REMEMBERED_TEXTS) this.texts.delete(this.texts.keys().next().value as string);
    return text as T;
  }

  /** The SHA of the wrapped form of the script whose own SHA is `sha`, when this namespace has seen it. */
  wrappedSha(sha: string): string | undefined {
    const lower = sha.toLowerCase();
    return this.wrapped.get(lower) ?? (this.originals.has(lower) ? lower : undefined);
  }

  /** The caller's SHA of a wrapped script's SHA, or the caller's name of a function, for error messages. */
  originalName(shaOrFunction: string): string | undefined {
    return this.originalSha(shaOrFunction) ?? this.unprefix(shaOrFunction);
  }

  /** The caller's SHA of a wrapped script's SHA (SCRIPT LOAD's reply). */
  originalSha(wrappedSha: string): string | undefined {
    return this.originals.get(wrappedSha.toLowerCase());
  }

  /**
   * FUNCTION LOAD's code as it must be sent: the library renamed into the namespace, behind the
   * library prelude; `undefined` when its first line is not exactly `#!lua name=<library>`.
   */
  wrapLibrary<T extends ScriptText>(code: T): T | undefined {
    // Bytes stay bytes: code given as a Buffer may hold bytes that are not UTF-8.
    const bytes = Buffer.from(code as Uint8Array | string);
    const end = bytes.indexOf(NEWLINE);
    const first = bytes.toString('latin1', 0, end === -1 ? bytes.length : end).replace(/\r$/, '');
    // Redis reads the shebang's words case-insensitively and with quotes: only the one plain form
    // is renamed, anything else is refused rather than sent under a name of another namespace.
    const shebang = LIBRARY_SHEBANG.exec(first);
    if (shebang === null) return undefined;
    const head = Buffer.from(`#!lua name=${this.functionPrefix}${shebang[1] as string}\n${this.libraryPrelude}`);
    const out = Buffer.concat([head, end === -1 ? Buffer.alloc(0) : bytes.subarray(end + 1)]);
    return (typeof code === 'string' ? out.toString('utf8') : out) as unknown as T;
  }

  /** A library's code as the caller loaded it (FUNCTION LIST WITHCODE). */
  unwrapLibrary(code: string): string {
    const end = code.indexOf('\n');
    if (end === -1) return code;
    const first = code.slice(0, end).replace(LIBRARY_NAME, (_all, head: string, name: string) => `${head}${this.unprefix(name) ?? name}`);
    const rest = code.slice(end + 1);
    return `${first}\n${rest.startsWith(this.libraryPrelude) ? rest.slice(this.libraryPrelude.length) : rest}`;
  }

  /** A library or function name as the server knows it. */
  functionName<T extends string | Uint8Array | number>(name: T): T {
    if (typeof name === 'number') return `${this.functionPrefix}${name}` as T;
    if (typeof name === 'string') return `${this.functionPrefix}${name}` as T;
    return Buffer.concat([Buffer.from(this.functionPrefix), name]) as unknown as T;
  }

  unprefix(name: string): string | undefined {
    return name.startsWith(this.functionPrefix) ? name.slice(this.functionPrefix.length) : undefined;
  }

  /** FUNCTION LIST's reply with only this namespace's libraries, as it loaded them. */
  functionList(reply: unknown): unknown {
    return ownFunctionList(reply, this);
  }

  /**
   * @internal Keeps the caller's SHA of a script known (adapters that wrapped it once call this
   * instead of wrapping it again).
   */
  remember(original: string, wrapped: string): void {
    if (this.wrapped.get(original) === wrapped) return;
    this.wrapped.set(original, wrapped);
    this.originals.set(wrapped, original);
    if (this.wrapped.size > REMEMBERED_SCRIPTS) {
      const [oldest, oldestWrapped] = this.wrapped.entries().next().value as [string, string];
      this.wrapped.delete(oldest);
      this.originals.delete(oldestWrapped);
    }
  }
}

/**
 * The prelude of a function library. At load time Redis gives a library almost nothing (no
 * `type`, `setmetatable`, `string`; of `redis`, only `register_function`, `log`, the `LOG_*`
 * levels and the version), so the shadow `redis` is a plain table of named fields that reach the
 * real one when called, and the guard itself is built on the first call, when Redis gives a
 * function the whole API. The REPL_* constants are not readable at load time: they are Redis's
 * documented values.
 */
function libraryPrelude(body: string, functionPrefix: string, strip: string): string {
  const prefix = luaString(functionPrefix);
  // In prefix mode a callback gets its keys as its caller named them (see LuaGuardCode.strip).
  // Every callback first builds the guard (and the globals' shadow), on the function's first call.
  const callback = (cb: string): string => `function(keys, args) __w() return ${cb}(${strip === '' ? 'keys' : '__sk(keys)'}, args) end`;
  const stripper = strip === '' ? '' : `local __s local __sk = function(keys) if not __s then __s = (function(__ir) local __ifind, __isub = string.find, string.sub return ${strip} end)() end return __s(keys) end `;
  const later = (name: string): string => `${name} = function(...) return __G().${name}(...) end`;
  const guarded = (name: string): string => `${name} = function(...) return __w().${name}(...) end`;
  const fields = [
    guarded('call'),
    guarded('pcall'),
    guarded('acl_check_cmd'),
    guarded('confine'),
    'register_function = __rf',
    ...['log', 'setresp', 'sha1hex', 'error_reply', 'status_reply', 'set_repl', 'replicate_commands', 'breakpoint', 'debug'].map(later),
    ...['LOG_DEBUG', 'LOG_VERBOSE', 'LOG_NOTICE', 'LOG_WARNING', 'REDIS_VERSION', 'REDIS_VERSION_NUM'].map((name) => `${name} = __G().${name}`),
    'REPL_NONE = 0, REPL_AOF = 1, REPL_SLAVE = 2, REPL_REPLICA = 2, REPL_ALL = 3',
  ];
  return (
    'local __G = function() return redis end local __g local __env = {} ' +
    `local __w = function() if not __g then setmetatable(__env, { __index = _G }) __g = (function(__ir) ${body}end)(__G()) end return __g end ` +
    stripper +
    `local __rf = function(a, b) if b == nil then local f = a.callback return __G().register_function({ function_name = ${prefix} .. a.function_name, callback = ${callback('f')}, flags = a.flags, description = a.description }) end ` +
    `local f = b return __G().register_function(${prefix} .. a, ${callback('f')}) end ` +
    `local redis = { ${fields.join(', ')} } __env.redis = redis local _G = __env ${NO_LOADERS}`
  );
}
