import { LUA_STREAM_OPTIONS } from './lua-command-table.js';
import { luaString } from './lua-text.js';

/**
 * What the Lua guard of one namespace needs to know, all of it fixed when the script is wrapped.
 * `others` are the heads (text before the first separator) of the other listed namespaces' keys;
 * `familyStems` and `handPrefixes` the other ways a key names a namespace.
 */
export interface LuaGuardConfig {
  readonly namespace: string;
  readonly prefix: string;
  readonly patternPrefix: string;
  readonly separator: string;
  readonly hashTag: boolean;
  readonly strict: boolean;
  readonly table: string;
  /** The rule code of each top-level command of `table`, to prefill a script's rules. */
  readonly codes: ReadonlyMap<string, string>;
  /** The other listed namespaces, or `undefined` when they are too many to embed (see the README). */
  readonly others: readonly string[] | undefined;
  readonly familyStems: readonly string[];
  readonly handPrefixes: ReadonlyArray<readonly [namespace: string, prefix: string]>;
}

/** `(tok == "COUNT" and 1) or ... or 0`: an option's arity before STREAMS, as one Lua expression. */
const arityExpression = (options: Readonly<Record<string, number>>): string =>
  `${Object.entries(options)
    .map(([name, arity]) => `(t == ${luaString(name)} and ${arity})`)
    .join(' or ')} or 0`;

/**
 * Lua statements that set `o` to the namespace (other than the script's own) that the key `k`
 * names, if any: a `repeat ... until true` block, whose `break` ends the search without a closure.
 */
function ownerCheck(config: LuaGuardConfig): string {
  const hand = config.handPrefixes
    .filter(([namespace]) => namespace !== config.namespace)
    .map(([namespace, prefix]) => `if __isub(k, 1, ${Buffer.byteLength(prefix)}) == ${luaString(prefix)} then o = ${luaString(namespace)} break end `)
    .join('');
  const unwrap = config.hashTag ? 'if #h <= 2 or __isub(h, 1, 1) ~= "{" or __isub(h, -1) ~= "}" then break end h = __isub(h, 2, -2) ' : '';
  const others = config.others === undefined || config.others.length === 0 ? '' : `if __ifind(${luaString(`|${config.others.join('|')}|`)}, "|" .. h .. "|", 1, true) then o = h break end `;
  const families = config.familyStems
    .map((stem) => `if #h > ${Buffer.byteLength(stem)} and __isub(h, 1, ${Buffer.byteLength(stem)}) == ${luaString(stem)} then o = h break end `)
    .join('');
  return (
    `local o repeat ${hand}local e = __ifind(k, ${luaString(config.separator)}, 1, true) if not e or e == 1 then break end ` +
    `local h = __isub(k, 1, e - 1) ${unwrap}if h == __iNS then break end ${others}${families}until true `
  );
}

/**
 * Functions of Lua's library the guard reads as globals where they are used, rather than as
 * locals: a local the guard's functions capture costs an allocation on every invocation, a
 * global read a table lookup on a path that seldom runs. `string.find`, `string.sub` and the
 * real `call` stay locals: placing a command's names uses them; `unpack`, `select`, `type` and
 * `tostring` are locals of the part of the guard built on first need (`__ikit`), whose every
 * call uses them.
 */
const GLOBALS: Readonly<Record<string, string>> = {
  __imatch: 'string.match',
  __ilower: 'string.lower',
  __iupper: 'string.upper',

  __itn: 'tonumber',

  __ierr: 'error',
  __ipc: 'pcall',
  __ipcall: '__ir.pcall',
  __iacl: '__ir.acl_check_cmd',
};

/**
 * The Lua guard: statements that need `__ir` (the real `redis` table), and the guarded table's
 * expression. `__iPREFILL` in the statements is the table of command rules the guard starts
 * with (`{}`, or the rules of the commands a script names, see {@link prefilledRules}).
 */
export interface LuaGuardCode {
  readonly statements: string;
  readonly table: string;
  /** Statements that give an EVAL script the caller's names in KEYS ('' in strict mode). */
  readonly keys: string;
  /** A Lua function that does the same to a function's `keys` argument ('' in strict mode). */
  readonly strip: string;
}

/**
 * The Lua guard of one namespace, one line without comments: it is put in front of the caller's
 * script on the caller's first line, so that line numbers in the caller's error messages stay
 * right. It runs on every invocation of an EVAL script, so it allocates little: a handful of
 * closures and three tables; the command table is a constant string searched once per command
 * name and invocation. Its locals (there are about 25, of the 200 Lua allows a function) all
 * start with `__i`, so that they shadow no global a script reads.
 *
 * The guarded table also has `confine(command, ...)`, which returns the command line as `call`
 * would send it (for debugging, and for the tests that compare it with the client-side guard).
 *
 * Roles of `place`: 0 key, 1 key pattern, 2 channel, 3 channel pattern, 4 SORT BY/GET pattern.
 * The keys of the command table's range commands are found from the table text; the commands
 * placed by a custom rule in the client-side guard have their Lua form in `custom`, one letter
 * each (see LUA_LOCATORS).
 */
export function luaGuard(config: LuaGuardConfig, options: { readonly library: boolean }): LuaGuardCode {
  // Prefix mode remembers, per invocation, where each key it placed went (KEYS included): a key
  // used again costs one table lookup. A library's guard lives as long as the library: no memo.
  const memo = !config.strict && !options.library;
  const starPrefix = config.prefix.includes('*');
  const locals = `local __ifind, __isub, __icall = string.find, string.sub, __ir.call local __iS = __iPREFILL ${memo ? 'local __iK = {} ' : ''}local __ik, __ikit `;
  // An error table makes Redis reply with the code as the error's first word; a Lua VM without
  // redis.error_reply (ioredis-mock's) gets the message as a string, which it can report.
  const fail =
    // The command's name as the message shows it: Redis cuts an error at a NUL, and a reply must stay one line.
    'local function __ifail(code, c, msg) local m = code .. " " .. string.gsub(__iupper(__its(c)), "[^%w_|%-%.:]", "?") .. " in a script of namespace " .. __iNS .. ": " .. msg ' +
    'if __ir.error_reply then __ierr({ err = m }) end __ierr(m, 0) end ';
  // A key, pattern or channel that is not a string or a number makes string.find raise: the
  // script fails before anything is sent, as redis.call itself would refuse it.
  const kept = memo ? 'if role == 0 then __iK[k] = k end ' : '';
  const placed = memo ? 'local r = p .. k if role == 0 then __iK[k] = r end return r end ' : 'return p .. k end ';
  const place =
    'local function __iplace(c, k, role) ' +
    'if role == 4 then if k == "#" or not __ifind(k, "*", 1, true) then return k end ' +
    (starPrefix ? '__ikit().fail("ERR_BLOCKED_COMMAND", c, "BY/GET patterns cannot be confined: the prefix contains *") ' : '') +
    'role = 0 end ' +
    'local p = __iP if role == 1 or role == 3 then p = __iQ end ' +
    `if __ifind(k, p, 1, true) == 1 then ${kept}return k end ` +
    'if (role == 2 or role == 3) and __ifind(k, "__", 1, true) == 1 then __ikit().fail("ERR_BLOCKED_COMMAND", c, "channels the server publishes for every namespace cannot be confined") end ' +
    ownerCheck(config) +
    'if o then __ikit().fail("ERR_CROSS_NAMESPACE", c, "a name of namespace " .. o .. " is refused") end ' +
    (config.strict ? '__ikit().fail("ERR_UNPREFIXED_KEY", c, "every key, pattern and channel must start with the prefix " .. p) ' : '') +
    placed;
  const custom =
    'local function kw(x) if x == nil then return "" end x = __its(x) local z = __ifind(x, "\\0", 1, true) if z then x = __isub(x, 1, z - 1) end return __iupper(x) end ' +
    'local function counted(at, per) local raw = a[at + 1] local s = raw ~= nil and __its(raw) or "" ' +
    'if not __ifind(s, "^%d+$") or #s > 9 then __ifail("ERR_MALFORMED_COMMAND", c, "numkeys is not a count") end ' +
    'local m = __itn(s) if at + 1 + m * per > n then __ifail("ERR_MALFORMED_COMMAND", c, "numkeys is larger than the arguments that follow it") end ' +
    'for i = 0, m - 1 do a[at + 2 + i * per] = __iplace(c, a[at + 2 + i * per], 0) end end ' +
    'local function operand(i) if i + 1 > n then __ifail("ERR_MALFORMED_COMMAND", c, "an option has no argument") end return i + 1 end ' +
    'if x == "D" then if n > 0 then a[1] = __iplace(c, a[1], 0) end counted(1, 1) ' +
    'elseif x == "N0" or x == "N1" then counted(x == "N1" and 1 or 0, 1) ' +
    'elseif x == "M" then counted(0, 2) ' +
    'elseif x == "G4" or x == "G5" then if n > 0 then a[1] = __iplace(c, a[1], 0) end local i = (x == "G5" and 5 or 4) + 1 ' +
    'while i <= n do local t = kw(a[i]) if t == "STORE" or t == "STOREDIST" then i = operand(i) a[i] = __iplace(c, a[i], 0) elseif t == "COUNT" then i = i + 1 end i = i + 1 end ' +
    'elseif x == "S0" or x == "S1" then if n > 0 then a[1] = __iplace(c, a[1], 0) end local i = 2 ' +
    'while i <= n do local t = kw(a[i]) if t == "BY" or t == "GET" or (x == "S1" and t == "STORE") then i = operand(i) a[i] = __iplace(c, a[i], t == "STORE" and 0 or 4) elseif t == "LIMIT" then i = i + 2 end i = i + 1 end ' +
    'elseif x == "U" then local found = a[3] ~= nil and __its(a[3]) ~= "" if found then a[3] = __iplace(c, a[3], 0) end local i = 6 ' +
    'while i <= n do local t = kw(a[i]) if t == "AUTH" then i = i + 1 elseif t == "AUTH2" then i = i + 2 elseif t == "KEYS" then for k = i + 1, n do a[k] = __iplace(c, a[k], 0) found = true end break end i = i + 1 end ' +
    'if not found then __ifail("ERR_MALFORMED_COMMAND", c, "MIGRATE names no key") end ' +
    'elseif x == "X" or x == "Y" then local i = 1 local done = false ' +
    'while i <= n do local t = kw(a[i]) if t == "STREAMS" then local rest = n - i if rest == 0 or rest % 2 ~= 0 then __ifail("ERR_MALFORMED_COMMAND", c, "STREAMS must be followed by as many IDs as keys") end ' +
    'for k = i + 1, i + rest / 2 do a[k] = __iplace(c, a[k], 0) end done = true break end ' +
    `if x == "X" then i = i + (${arityExpression(LUA_STREAM_OPTIONS.X)}) else i = i + (${arityExpression(LUA_STREAM_OPTIONS.Y)}) end i = i + 1 end ` +
    'if not done then __ifail("ERR_MALFORMED_COMMAND", c, "no STREAMS argument") end ' +
    'elseif x == "K" then if n > 0 then a[1] = __iplace(c, a[1], 1) end ' +
    'elseif x == "C" then local i = 2 local matched = false ' +
    'while i <= n do local t = kw(a[i]) if t == "MATCH" then i = operand(i) a[i] = __iplace(c, a[i], 1) matched = true elseif t == "COUNT" or t == "TYPE" then i = i + 1 end i = i + 1 end ' +
    'if not matched then a[n + 1] = "MATCH" a[n + 2] = __iQ .. "*" n = n + 2 end ' +
    'elseif x == "P" then if n > 0 then a[1] = __iplace(c, a[1], 2) end ' +
    'elseif x == "L" then if n > 1 then a[2] = __iplace(c, a[2], 3) else a[n + 1] = __iQ .. "*" n = n + 1 end ' +
    'elseif x == "E" then for i = 2, n do a[i] = __iplace(c, a[i], 2) end ' +
    'elseif x == "Z" then if n > 1 then a[2] = __iplace(c, a[2], 0) end ' +
    'else __ifail("ERR_UNKNOWN_COMMAND", c, "it is not a command a namespaced script may run") end ';
  // The command's arguments as they must be sent (a[1..n]), and the shape of its reply when
  // that names keys or channels (a letter after `@` in its rule, see REPLY_LETTERS).
  // A rule is found once per command and invocation and kept parsed in __iS: `"k"`, `"1"`, `"b"`,
  // `"s"` (a container), false (unknown), or `{ kind, first|locator, stop, step, shape }`.
  const slow =
    'local __iTT = __iT local function __irule(m) if __ifind(m, "[\\n=]") then return false end local i, j = __ifind(__iTT, "\\n" .. m .. "=", 1, true) if not i then return false end return __isub(__iTT, j + 1, __ifind(__iTT, "\\n", j + 1, true) - 1) end ' +
    'local function __iparse(sp) if sp == "2" then return { "r", 0, 2, 1 } end if sp == "a" then return { "r", 0, 0, 1 } end if not sp or sp == "k" or sp == "1" or sp == "b" or sp == "s" then return sp end ' +
    'local shape = __imatch(sp, "@(%a)$") if shape then sp = __isub(sp, 1, -3) end ' +
    'if __isub(sp, 1, 1) == "r" then local f, s, st = __imatch(sp, "^r(%-?%d+),(%-?%d+),(%d+)$") return { "r", __itn(f), __itn(s), __itn(st), shape } end ' +
    'return { "c", __isub(sp, 2), 0, 0, shape } end ' +
    'local function __islow(c, ...) if c == nil then __ifail("ERR_UNKNOWN_COMMAND", "", "no command") end local n = __isel("#", ...) ' +
    'local sp = __iS[c] if sp == nil then local name = __ilower(__its(c)) sp = not __ifind(name, "|", 1, true) and __irule(name) end ' +
    'if __ity(sp) == "string" then sp = __iparse(sp) end __iS[c] = sp ' +
    'local name if sp == "s" then name = __ilower(__its(c)) .. "|" .. __ilower(__its((...) or "")) sp = __iparse(__irule(name)) end ' +
    'local a = { ... } ' +
    'if sp == "k" then return a, n end ' +
    'if sp == "1" then if n > 0 then a[1] = __iplace(c, a[1], 0) end return a, n end ' +
    'if sp == "b" then __ifail("ERR_BLOCKED_COMMAND", name or c, "it is refused in every namespace") end ' +
    'if not sp or sp == "s" then __ifail("ERR_UNKNOWN_COMMAND", name or c, "it is not a command a namespaced script may run") end ' +
    'if sp[1] == "r" then local f, s, st = sp[2], sp[3], sp[4] ' +
    'local e = s > 0 and (s < n and s or n) or n + s for i = f + 1, e, st do a[i] = __iplace(c, a[i], 0) end return a, n, sp[5] end ' +
    `local x = sp[2] ${custom}return a, n, sp[5] end `;
  // In prefix mode a script sees the names its caller knows: replies that name keys or channels
  // lose the prefix, as the client-side guard strips them from a direct command's reply.
  const unprefix = config.strict
    ? 'local function __iunreply(shape, r) return r end '
    : // ioredis-mock's Lua (fengari) hands replies over as userdata wrapping JS arrays.
      'local function __iun(v) if __ity(v) == "string" and __ifind(v, __iP, 1, true) == 1 then return __isub(v, __iPL1) end return v end ' +
      'local function __iunreply(shape, r) local t = __ity(r) if (t ~= "table" and t ~= "userdata") or r.err then return r end ' +
      'if shape == "l" then for i = 1, #r do r[i] = __iun(r[i]) end ' +
      'elseif shape == "s" then if __ity(r[2]) == "table" then for i = 1, #r[2] do r[2][i] = __iun(r[2][i]) end end ' +
      'elseif shape == "f" then r[1] = __iun(r[1]) ' +
      'elseif r.map then local m = {} for k, v in pairs(r.map) do m[__iun(k)] = v end r.map = m ' +
      'elseif shape == "x" then for i = 1, #r do if __ity(r[i]) == "table" then r[i][1] = __iun(r[i][1]) end end ' +
      'elseif shape == "n" then for i = 1, #r, 2 do r[i] = __iun(r[i]) end end return r end ';
  const run =
    'local function __irun(fn, c, ...) local a, n, shape = __islow(c, ...) local r = fn(c, __iup(a, 1, n)) if shape then r = __iunreply(shape, r) end return r end ' +
    'local function __iprep(c, ...) local a, n = __islow(c, ...) return c, __iup(a, 1, n) end ';
  // Only `call` is built on every invocation; the rest of the guard (placing a key that lacks the
  // prefix, commands the script does not name, pcall) on the first need, in `__ikit`. `call`
  // takes the first argument by name: the commonest commands (one key, first, a reply that names
  // none) are then placed and sent without select() or a table. A missing first argument is not
  // passed as nil.
  const kit =
    '__ikit = function() if __ik then return __ik end local __iup, __isel, __ity, __its = unpack or table.unpack, select, type, tostring ' +
    fail +
    slow +
    unprefix +
    run +
    '__ik = { fail = __ifail, run = __irun, confine = __iprep, ' +
    'pcall = function(c, ...) local ok, a, n, shape = __ipc(__islow, c, ...) if not ok then if __ity(a) == "table" then return a end return { err = __its(a) } end ' +
    'local r = __ipcall(c, __iup(a, 1, n)) if shape then r = __iunreply(shape, r) end return r end, ' +
    'acl_check_cmd = function(c, ...) return __iacl(__iprep(c, ...)) end } return __ik end ';
  const single = memo
    ? 'local p = __iK[k] if p == nil then p = __iplace(c, k, 0) end return __icall(c, p, ...) end '
    : 'if __ifind(k, __iP, 1, true) == 1 then return __icall(c, k, ...) end return __icall(c, __iplace(c, k, 0), ...) end ';
  // Two keys first (RPOPLPUSH, LMOVE, RENAME, SMOVE, COPY...): the second by name as well.
  const placedKey = (name: string): string => (memo ? `(__iK[${name}] or __iplace(c, ${name}, 0))` : `__iplace(c, ${name}, 0)`);
  const double = `if sp == "2" then local k2 = ... if k2 ~= nil then return __icall(c, ${placedKey('k')}, ${placedKey('k2')}, select(2, ...)) end end `;
  // Every argument a key (DEL, EXISTS, UNLINK, MGET...): one or two without a table, more by the general path.
  const all = `if sp == "a" then local n = select("#", ...) if n == 0 then return __icall(c, ${placedKey('k')}) elseif n == 1 then local k2 = ... if k2 ~= nil then return __icall(c, ${placedKey('k')}, ${placedKey('k2')}) end end end `;
  const table =
    'setmetatable({ ' +
    `call = function(c, k, ...) if k ~= nil then local sp = __iS[c] if sp == "1" then ${single}${double}${all}` +
    'if sp == "k" then return __icall(c, k, ...) end return __ikit().run(__icall, c, k, ...) end return __ikit().run(__icall, c) end ' +
    '}, { __index = function(_, key) if key == "pcall" or key == "acl_check_cmd" or key == "confine" then return __ikit()[key] end return __ir[key] end })';
  // In prefix mode KEYS hold the names the caller gave (the client-side guard prefixed them on the
  // way): the script sees those, as values it stores must match what the caller's code stores.
  // What a function's callback does with its `keys` argument, likewise (a Lua expression).
  const strip = config.strict
    ? ''
    : 'function(keys) for i = 1, #keys do local k = keys[i] if __ifind(k, __iP, 1, true) == 1 then keys[i] = __isub(k, __iPL1) end end return keys end';
  const keys = memo
    ? 'for __ii = 1, #KEYS do local k = KEYS[__ii] if __ifind(k, __iP, 1, true) == 1 then local s = __isub(k, __iPL1) KEYS[__ii] = s __iK[s] = k end end '
    : '';
  // The namespace's constants are literals in the code, not locals: a literal is part of the
  // compiled script, where a local captured by the guard's functions costs an allocation on
  // every invocation.
  const literals: Readonly<Record<string, string>> = {
    __iNS: luaString(config.namespace),
        __iP: luaString(config.prefix),
    __iQ: luaString(config.patternPrefix),
    __iT: luaString(config.table),
    __iPL1: String(Buffer.byteLength(config.prefix) + 1),
  };
  const inline = (code: string): string =>
    code.replace(/\b__i(NS|PL1|P|Q|T)\b(?!T)/g, (name) => literals[name] as string).replace(/\b__i[a-z]+\b/g, (name) => GLOBALS[name] ?? name);
  return { statements: inline(locals + place + kit), table: inline(table), keys: inline(keys), strip: inline(strip) };
}

/**
 * A Lua table constructor of the rules of the commands a script names in string literals
 * (`redis.call("HSET", ...)`), keyed as the script spells them: the guard finds them without
 * searching the command table on the script's first call of each. Containers and names the
 * table lacks are left to that search.
 */
export function prefilledRules(script: string, codes: ReadonlyMap<string, string>): string {
  const entries = new Map<string, string>();
  for (const found of script.matchAll(/(["'])([A-Za-z][A-Za-z0-9_-]{0,40})\1/g)) {
    const name = found[2] as string;
    const code = codes.get(name.toLowerCase());
    if (code !== undefined && code !== 's' && !entries.has(name)) entries.set(name, `[${luaString(name)}] = ${luaString(code)}`);
    if (entries.size >= 64) break;
  }
  return `{ ${[...entries.values()].join(', ')} }`;
}
