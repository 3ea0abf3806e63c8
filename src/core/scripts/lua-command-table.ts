import type { CommandLookup, CommandSpec } from '../command-table.js';
import { XREADGROUP_OPTIONS, XREAD_OPTIONS } from '../keywords.js';
import type { ReplyShape } from '../types.js';

/**
 * The Lua locator of each command whose arguments a custom rule (src/core/locators.ts) places,
 * for the commands a script may run. The Lua side of each letter is in lua-guard.ts; a custom
 * rule without one here is refused inside scripts (the commands the server never runs from a
 * script: EVAL, FCALL, (UN)SUBSCRIBE, CLIENT, FUNCTION... need none). A test checks that every
 * custom rule of a command scripts may run has one.
 */
export const LUA_LOCATORS: Readonly<Record<string, string>> = {
  zunionstore: 'D',
  zinterstore: 'D',
  zdiffstore: 'D',
  blmpop: 'N1',
  bzmpop: 'N1',
  lmpop: 'N0',
  zmpop: 'N0',
  sintercard: 'N0',
  sdiffcard: 'N0',
  sunioncard: 'N0',
  zintercard: 'N0',
  zunion: 'N0',
  zinter: 'N0',
  zdiff: 'N0',
  msetex: 'M',
  georadius: 'G5',
  georadiusbymember: 'G4',
  sort: 'S1',
  sort_ro: 'S0',
  migrate: 'U',
  xread: 'X',
  xreadgroup: 'Y',
  keys: 'K',
  scan: 'C',
  publish: 'P',
  spublish: 'P',
  'pubsub|channels': 'L',
  'pubsub|shardchannels': 'L',
  'pubsub|numsub': 'E',
  'pubsub|shardnumsub': 'E',
  'cluster|keyslot': 'Z',
};

/** The option arities of XREAD (`X`) and XREADGROUP (`Y`) before STREAMS, as Lua table constructors. */
export const LUA_STREAM_OPTIONS = {
  X: XREAD_OPTIONS,
  Y: XREADGROUP_OPTIONS,
} as const;

/** Commands scripts use most, first in the table: the Lua side finds a command by a plain search from the start. */
const FREQUENT = [
  'get', 'set', 'del', 'exists', 'incr', 'incrby', 'decr', 'expire', 'pexpire', 'ttl', 'pttl', 'hget', 'hset', 'hdel',
  'hincrby', 'hmget', 'hmset', 'hgetall', 'hexists', 'hsetnx', 'hlen', 'lpush', 'rpush', 'lpop', 'rpop', 'lrange', 'llen',
  'lrem', 'lindex', 'lmove', 'rpoplpush', 'sadd', 'srem', 'smembers', 'sismember', 'scard', 'zadd', 'zrem', 'zscore', 'zrange',
  'zrangebyscore', 'zrevrange', 'zcard', 'zincrby', 'zrank', 'zremrangebyscore', 'zpopmin', 'mget', 'mset', 'setnx', 'getset',
  'append', 'publish', 'xadd', 'xtrim', 'xlen', 'type', 'unlink', 'persist', 'keys', 'scan',
];

/** How a reply names keys or channels, as the Lua guard marks it after `@` (see ReplyShape). */
export const REPLY_LETTERS: Readonly<Partial<Record<ReplyShape, string>>> = {
  'key-list': 'l',
  scan: 's',
  'key-first': 'f',
  streams: 'x',
  'channel-list': 'l',
  'channel-counts': 'n',
};

const withReply = (code: string, reply: ReplyShape | undefined): string => {
  const letter = reply === undefined ? undefined : REPLY_LETTERS[reply];
  return letter === undefined ? code : `${code}@${letter}`;
};

/**
 * The code of one spec: `k` keyless, `b` blocked, `1` and `2` one or two keys first, `a` every
 * argument a key (each with a reply that names none), `r<first>,<stop>,<step>`, `c<locator>`; then `@<letter>` when the reply names keys.
 */
function codeOf(spec: CommandSpec): string | undefined {
  switch (spec.kind) {
    case 'keyless':
      return 'k';
    case 'blocked':
      return 'b';
    case 'range': {
      if (spec.first === 0 && spec.step === 1 && spec.reply === undefined && (spec.stop === 1 || spec.stop === 2)) return String(spec.stop);
      if (spec.first === 0 && spec.step === 1 && spec.reply === undefined && spec.stop === 0) return 'a';
      return withReply(`r${spec.first},${spec.stop},${spec.step}`, spec.reply);
    }
    case 'custom': {
      const locator = LUA_LOCATORS[spec.name];
      return locator === undefined ? undefined : withReply(`c${locator}`, spec.reply);
    }
    case 'container':
      return 's';
    case 'unknown':
      return undefined;
  }
}

function entries(table: CommandLookup): Map<string, string> {
  const out = new Map<string, string>();
  const add = (name: string, spec: CommandSpec): void => {
    const code = codeOf(spec);
    if (code === undefined) return;
    out.set(name, code);
    if (spec.kind === 'container') for (const sub of spec.subcommands.names()) add(`${name}|${sub}`, spec.subcommands.get(sub) as CommandSpec);
  };
  for (const name of table.names()) add(name, table.get(name) as CommandSpec);
  return out;
}

const encoded = new WeakMap<CommandLookup, string>();
const codesOf = new WeakMap<CommandLookup, ReadonlyMap<string, string>>();

/** The rule code of every command of `table` (`get` -> `1`), top-level names only. */
export function luaCommandCodes(table: CommandLookup): ReadonlyMap<string, string> {
  let codes = codesOf.get(table);
  if (codes === undefined) {
    const all = entries(table);
    codes = new Map([...all].filter(([name]) => !name.includes('|')));
    codesOf.set(table, codes);
  }
  return codes;
}

/**
 * A command table as one Lua-searchable text, one `name=code` a line (subcommands as
 * `container|sub`), between newlines, which no command name holds: a script finds the
 * rule of a command with one plain `string.find`, and the text is a constant of the script, so it
 * costs nothing per call. Commands absent from it are refused inside scripts.
 */
export function luaCommandTable(table: CommandLookup): string {
  const known = encoded.get(table);
  if (known !== undefined) return known;
  const all = entries(table);
  const ordered = [...FREQUENT.filter((name) => all.has(name)), ...[...all.keys()].filter((name) => !FREQUENT.includes(name)).sort()];
  const text = `\n${ordered.map((name) => `${name}=${all.get(name) as string}`).join('\n')}\n`;
  encoded.set(table, text);
  return text;
}
