/**
 * What a server ACL can do with each command the guard confines by its arguments rather than by
 * its name (the commands with a custom rule in core `CUSTOM_RULES`), and with the commands whose
 * confinement by views a server cannot reproduce (function libraries).
 *
 * A Redis ACL grants a command or a `container|subcommand` (the first argument since 7.0, not a
 * subcommand's), checks key names against `~pattern` where Redis's key specs say an argument is
 * a key, and channels against `&pattern` for PUBLISH and the SUBSCRIBE family. Anything else in
 * a command's arguments it cannot see: where the guard's confinement hangs on that, the command is
 * denied whole (the server refuses more than the guard).
 *
 * - `checks`: granted; the server checks the same keys or channels as the guard.
 * - `runtime`: granted; a script or function. Views put scripts behind a Lua guard and give
 *   function names the namespace; the server instead checks every command and key a script
 *   runs against the user's rules, when it runs (and the keys it is given, before).
 * - `harmless`: granted; what the guard refuses or rewrites touches only the user's own
 *   connection (the guard refuses it because views may share one) or reveals nothing.
 * - `cannot`: denied; with `namesOnly`, the only harm is other namespaces' key or channel
 *   *names* (never values), and `aclRules({ grant })` may grant it back knowingly.
 *
 * A command with a custom rule and no decision here is denied (fail closed), and the tests list
 * it, so that a new rule of the guard cannot widen the server's rules silently.
 *
 * @example
 * ```ts
 * const decision: AclDecision = { server: 'cannot', why: 'it lists every namespace\'s key names', namesOnly: true };
 * ```
 */
export type AclDecision =
  | { readonly server: 'checks'; readonly why: string }
  | { readonly server: 'runtime'; readonly why: string }
  | { readonly server: 'harmless'; readonly why: string }
  | { readonly server: 'cannot'; readonly why: string; readonly namesOnly?: true };

const keySpecs = { server: 'checks', why: 'its keys are Redis key specs: the server checks each one against ~prefix*' } as const;
const scripted = {
  server: 'runtime',
  why: 'the server checks the keys it is given, and every command and key a redis.call of the script runs, against the user\'s rules',
} as const;
const functionCall = {
  server: 'runtime',
  why:
    "the server checks the keys it is given, and every command and key the function runs, against the user's rules; it cannot tell " +
    "whose library the function is (views give function names the namespace: call them by the name the server has, mcp2__name)",
} as const;
const channels = { server: 'checks', why: 'the server checks its channels against &prefix*' } as const;
const unsubscribe = {
  server: 'harmless',
  why: "without channels it drops the subscriptions of the user's own connection only (the guard refuses it because views may share a connection)",
} as const;
const functions = {
  server: 'cannot',
  why:
    'function libraries are server-wide: a library of one namespace can be replaced, deleted, listed or dumped by another, and views confine ' +
    'them by renaming libraries and functions with the namespace, which a server ACL cannot do; an admin loads the libraries, FCALL and FCALL_RO stay granted',
} as const;
const listing = (what: string, rule: string): AclDecision => ({
  server: 'cannot',
  why: `it lists every namespace's ${what} names: Redis does not check its pattern or names against ${rule}`,
  namesOnly: true,
});

/**
 * Every decision, by Redis command name (`container|sub` for subcommands).
 *
 * @example
 * ```ts
 * ACL_DECISIONS['function|load']?.server; // 'cannot'
 * ACL_DECISIONS.fcall?.server;            // 'runtime'
 * ```
 */
export const ACL_DECISIONS: Readonly<Record<string, AclDecision>> = {
  zunionstore: keySpecs,
  zinterstore: keySpecs,
  zdiffstore: keySpecs,
  zunion: keySpecs,
  zinter: keySpecs,
  zdiff: keySpecs,
  sintercard: keySpecs,
  sdiffcard: keySpecs,
  sunioncard: keySpecs,
  zintercard: keySpecs,
  blmpop: keySpecs,
  bzmpop: keySpecs,
  lmpop: keySpecs,
  zmpop: keySpecs,
  msetex: keySpecs,
  georadius: keySpecs,
  georadiusbymember: keySpecs,
  migrate: keySpecs,
  xread: keySpecs,
  xreadgroup: keySpecs,
  sort: { server: 'checks', why: 'the server checks its keys against ~prefix*, and refuses BY and GET patterns to a user without access to every key' },
  sort_ro: { server: 'checks', why: 'the server checks its key against ~prefix*, and refuses BY and GET patterns to a user without access to every key' },
  eval: scripted,
  evalsha: scripted,
  eval_ro: scripted,
  evalsha_ro: scripted,
  fcall: functionCall,
  fcall_ro: functionCall,
  'script|load': { server: 'runtime', why: "it caches a script; the server checks what the script runs when it runs, under the caller's rules" },
  'script|exists': {
    server: 'cannot',
    why: "it tells whether another namespace cached a script (views answer for the namespace's own scripts only); EVALSHA's NOSCRIPT answers the user's need",
  },
  publish: channels,
  spublish: channels,
  subscribe: channels,
  ssubscribe: channels,
  psubscribe: {
    server: 'checks',
    why: 'the server accepts a pattern only when it equals a channel rule (&prefix*) literally: it refuses narrower patterns the guard allows',
  },
  unsubscribe,
  sunsubscribe: unsubscribe,
  punsubscribe: unsubscribe,
  'client|setname': {
    server: 'harmless',
    why: "it names the user's own connection (the drivers' handshake sends it); the guard's prefix only sorts CLIENT LIST for views",
  },
  'client|getname': { server: 'harmless', why: "it reads the name of the user's own connection" },
  'client|info': { server: 'harmless', why: "it describes the user's own connection" },
  'cluster|keyslot': { server: 'harmless', why: 'it computes the hash slot of a name; it reads no key' },
  keys: listing('key', '~prefix*'),
  scan: {
    server: 'cannot',
    why: "without MATCH, or with another namespace's prefix, it lists every namespace's key names: Redis does not check MATCH against ~prefix*",
    namesOnly: true,
  },
  'pubsub|channels': listing('channel', '&prefix*'),
  'pubsub|shardchannels': listing('shard channel', '&prefix*'),
  'pubsub|numsub': { server: 'cannot', why: "it counts other namespaces' subscribers: Redis does not check its channels against &prefix*", namesOnly: true },
  'pubsub|shardnumsub': { server: 'cannot', why: "it counts other namespaces' subscribers: Redis does not check its channels against &prefix*", namesOnly: true },
  'client|tracking': {
    server: 'cannot',
    why:
      "with BCAST and no PREFIX (or another namespace's) it delivers every namespace's invalidated key names: Redis checks no PREFIX against ~prefix*, " +
      'and an ACL cannot tell BCAST from the default mode (node-redis client-side caching needs it)',
    namesOnly: true,
  },
  'client|list': { server: 'cannot', why: "it shows every namespace's connections: their names, addresses and last commands (views filter the reply)" },
  'function|load': functions,
  'function|list': functions,
  'function|delete': functions,
  'function|dump': functions,
  'function|restore': functions,
  'function|flush': functions,
  'function|stats': functions,
  'function|kill': functions,
};

/**
 * The commands `aclRules({ grant })` may grant back: denied only because they can show other
 * namespaces' key or channel names.
 *
 * @example
 * ```ts
 * GRANTABLE_COMMANDS.includes('scan'); // true
 * ```
 */
export const GRANTABLE_COMMANDS: readonly string[] = Object.entries(ACL_DECISIONS)
  .filter(([, decision]) => decision.server === 'cannot' && decision.namesOnly === true)
  .map(([name]) => name)
  .sort();
