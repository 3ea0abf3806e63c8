import { XREADGROUP_OPTIONS, XREAD_OPTIONS, upperKeyword } from './keywords.js';
import type { ScriptSink } from './scripts/script-argument.js';
import type { ArgumentSink, Locator, RedisArg, ReplyShape } from './types.js';

/**
 * Commands whose keys, patterns or channels are not a fixed range of positions: every command
 * Redis flags `movablekeys`, plus those whose arguments are patterns or channels.
 * Each entry is the whole rule for one command, found by its Redis name.
 */

/**
 * An argument as Redis compares it with an option keyword: `strcasecmp`, which stops at the first
 * NUL byte and folds ASCII letters only. `'STORE\0x'` is STORE to Redis, so it must be to us.
 */
const upper = upperKeyword;

/** The position of the argument an option keyword at `i` introduces; a keyword with none is refused. */
function operand(args: readonly RedisArg[], i: number, keyword: string, sink: ArgumentSink): number {
  if (i + 1 >= args.length) sink.malformed(`${keyword} has no argument`);
  return i + 1;
}

/** Reads a `numkeys` argument: a non-negative integer no larger than the arguments that follow it. */
function readCount(args: readonly RedisArg[], at: number, sink: ArgumentSink, perItem = 1): number {
  const raw = args[at];
  const text = raw === undefined ? '' : String(raw);
  const count = /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(count)) sink.malformed(`numkeys at argument ${at + 1} is ${JSON.stringify(text)}, not a count`);
  if (at + 1 + count * perItem > args.length) {
    sink.malformed(`numkeys is ${count} but only ${args.length - at - 1} arguments follow it`);
  }
  return count;
}

/** `numkeys` at `at`, then that many keys. */
const countedKeys =
  (at: number): Locator =>
  (args, sink) => {
    const count = readCount(args, at, sink);
    for (let i = 0; i < count; i++) sink.at(at + 1 + i, 'key');
  };

/** A destination key at 0, then `numkeys` at 1 and that many source keys (ZUNIONSTORE). */
const destinationThenCountedKeys: Locator = (args, sink) => {
  if (args.length > 0) sink.at(0, 'key');
  countedKeys(1)(args, sink);
};

/** MSETEX numkeys key value [key value ...] [options]. */
const msetex: Locator = (args, sink) => {
  const count = readCount(args, 0, sink, 2);
  for (let i = 0; i < count; i++) sink.at(1 + i * 2, 'key');
};

/** GEORADIUS(BYMEMBER) key ... [STORE key] [STOREDIST key]; options start at `optionsFrom`. */
const geoRadius =
  (optionsFrom: number): Locator =>
  (args, sink) => {
    if (args.length > 0) sink.at(0, 'key');
    for (let i = optionsFrom; i < args.length; i++) {
      const token = upper(args[i]);
      if (token === 'STORE' || token === 'STOREDIST') {
        i = operand(args, i, token, sink);
        sink.at(i, 'key');
      } else if (token === 'COUNT') {
        // COUNT n [ANY]: skip n so that a count can never be read as an option.
        i++;
      }
    }
  };

/** SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA] [STORE key]. */
const sort =
  (withStore: boolean): Locator =>
  (args, sink) => {
    if (args.length > 0) sink.at(0, 'key');
    for (let i = 1; i < args.length; i++) {
      const token = upper(args[i]);
      if (token === 'BY' || token === 'GET' || (withStore && token === 'STORE')) {
        i = operand(args, i, token, sink);
        sink.at(i, token === 'STORE' ? 'key' : 'sort-pattern');
      } else if (token === 'LIMIT') {
        i += 2;
      }
    }
  };

/** MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH pw | AUTH2 user pw] [KEYS key ...]. */
const migrate: Locator = (args, sink) => {
  const single = args[2];
  let found = single !== undefined && String(single) !== '';
  if (found) sink.at(2, 'key');
  for (let i = 5; i < args.length; i++) {
    const token = upper(args[i]);
    if (token === 'AUTH') i += 1;
    else if (token === 'AUTH2') i += 2;
    else if (token === 'KEYS') {
      for (let k = i + 1; k < args.length; k++) sink.at(k, 'key');
      found = found || i + 1 < args.length;
      break;
    }
  }
  if (!found) sink.malformed('MIGRATE names no key: give a key, or "" and KEYS key [key ...]');
};

/** XREAD / XREADGROUP [options] STREAMS key [key ...] id [id ...]: the first half after STREAMS. */
const streams =
  (optionArity: Readonly<Record<string, number>>): Locator =>
  (args, sink) => {
    for (let i = 0; i < args.length; i++) {
      const token = upper(args[i]);
      if (token === 'STREAMS') {
        const rest = args.length - i - 1;
        if (rest === 0 || rest % 2 !== 0) sink.malformed('STREAMS must be followed by as many IDs as keys');
        for (let k = 0; k < rest / 2; k++) sink.at(i + 1 + k, 'key');
        return;
      }
      i += optionArity[token] ?? 0;
    }
    sink.malformed('no STREAMS argument');
  };

/** SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]; without MATCH, one confining MATCH is added. */
const scan: Locator = (args, sink) => {
  let matched = false;
  for (let i = 1; i < args.length; i++) {
    const token = upper(args[i]);
    if (token === 'MATCH') {
      i = operand(args, i, token, sink);
      sink.at(i, 'key-pattern');
      matched = true;
    } else if (token === 'COUNT' || token === 'TYPE') {
      i++;
    }
  }
  if (!matched) sink.append('MATCH', 'key-pattern');
};

/** CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p ...] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]. */
const clientTracking: Locator = (args, sink) => {
  let prefixed = false;
  let broadcast = false;
  for (let i = 2; i < args.length; i++) {
    const token = upper(args[i]);
    if (token === 'PREFIX') {
      i = operand(args, i, token, sink);
      sink.at(i, 'key');
      prefixed = true;
    } else if (token === 'REDIRECT') {
      i++;
    } else if (token === 'BCAST') {
      broadcast = true;
    }
  }
  // Broadcast tracking without PREFIX would report every namespace's invalidated keys.
  if (broadcast && !prefixed) sink.append('PREFIX', 'key');
};

/** A command with no key, pattern or channel whose reply still needs the namespace's view of it. */
const nothing: Locator = () => undefined;

const everyArgument =
  (role: 'channel' | 'channel-pattern', from = 0): Locator =>
  (args, sink) => {
    for (let i = from; i < args.length; i++) sink.at(i, role);
  };

/** (P|S)UNSUBSCRIBE: without arguments it would drop the subscriptions of every view of the connection. */
const unsubscribe =
  (role: 'channel' | 'channel-pattern'): Locator =>
  (args, sink) => {
    if (args.length === 0) {
      sink.refuse('without channels it unsubscribes every namespace sharing the connection; name the channels');
    }
    everyArgument(role)(args, sink);
  };

/**
 * FUNCTION LOAD [REPLACE] code: the library is renamed into the namespace (so REPLACE can only
 * replace the namespace's own) and runs behind the Lua guard. With `scripts: 'trust'` the code is
 * sent as it is, and REPLACE could overwrite another namespace's library.
 */
const functionLoad: Locator = (args, sink) => {
  const scripts = sink as ScriptSink;
  if (scripts.trustsScripts) {
    for (let i = 1; i < args.length - 1; i++) {
      if (upper(args[i]) === 'REPLACE') sink.refuse('REPLACE may overwrite another namespace\'s library; FUNCTION DELETE is refused too');
    }
    return;
  }
  if (args.length < 2) sink.malformed('FUNCTION LOAD needs the library code');
  scripts.script(args.length - 1, 'library');
};

/** FUNCTION DELETE library: the namespace's own library (refused with `scripts: 'trust'`). */
const functionDelete: Locator = (args, sink) => {
  const scripts = sink as ScriptSink;
  if (scripts.trustsScripts) sink.refuse('function libraries are shared by every namespace');
  if (args.length > 1) scripts.script(1, 'function');
};

/** EVAL script numkeys ...: the script behind the Lua guard. */
const evalScript: Locator = (args, sink) => {
  if (args.length > 0 && !(sink as ScriptSink).trustsScripts) (sink as ScriptSink).script(0, 'text');
  countedKeys(1)(args, sink);
};

/** EVALSHA sha numkeys ...: the SHA of the wrapped script. */
const evalSha: Locator = (args, sink) => {
  if (args.length > 0 && !(sink as ScriptSink).trustsScripts) (sink as ScriptSink).script(0, 'sha');
  countedKeys(1)(args, sink);
};

/** FCALL function numkeys ...: the namespace's function of that name. */
const fcall: Locator = (args, sink) => {
  if (args.length > 0 && !(sink as ScriptSink).trustsScripts) (sink as ScriptSink).script(0, 'function');
  countedKeys(1)(args, sink);
};

/** SCRIPT LOAD script. */
const scriptLoad: Locator = (args, sink) => {
  if (args.length > 1 && !(sink as ScriptSink).trustsScripts) (sink as ScriptSink).script(1, 'text');
};

/** SCRIPT EXISTS sha [sha ...]. */
const scriptExists: Locator = (args, sink) => {
  if ((sink as ScriptSink).trustsScripts) return;
  for (let i = 1; i < args.length; i++) (sink as ScriptSink).script(i, 'sha-probe');
};

/**
 * CLUSTER KEYSLOT key: not a key access for the server (no key spec), but the slot asked for is
 * the slot of the key as stored, so the name is placed like a key.
 */
const clusterKeySlot: Locator = (args, sink) => {
  if (args.length > 1) sink.at(1, 'key');
};

/**
 * FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]: the reply keeps the namespace's libraries only.
 * With `scripts: 'trust'` nothing filters it, so WITHCODE (every namespace's code) is refused.
 */
const functionList: Locator = (args, sink) => {
  const scripts = sink as ScriptSink;
  for (let i = 1; i < args.length; i++) {
    const token = upper(args[i]);
    if (token === 'LIBRARYNAME') {
      i++;
      if (!scripts.trustsScripts && i < args.length) scripts.script(i, 'library-pattern');
    } else if (token === 'WITHCODE' && scripts.trustsScripts) {
      sink.refuse('WITHCODE shows every namespace\'s function code, as FUNCTION DUMP would; list without it');
    }
  }
};

const first =
  (role: 'key-pattern' | 'channel'): Locator =>
  (args, sink) => {
    if (args.length > 0) sink.at(0, role);
  };

/** PUBSUB CHANNELS [pattern]: without a pattern, one confining pattern is added. */
const channelList: Locator = (args, sink) => {
  if (args.length > 1) sink.at(1, 'channel-pattern');
  else sink.append(undefined, 'channel-pattern');
};

/** A command's custom rule: where its arguments are, and how its reply names keys. */
export interface CustomRule {
  readonly locate: Locator;
  readonly reply?: ReplyShape;
}

const rule = (locate: Locator, reply?: ReplyShape): CustomRule => (reply ? { locate, reply } : { locate });

export const CUSTOM_RULES: Readonly<Record<string, CustomRule>> = {
  zunionstore: rule(destinationThenCountedKeys),
  zinterstore: rule(destinationThenCountedKeys),
  zdiffstore: rule(destinationThenCountedKeys),
  eval: rule(evalScript),
  evalsha: rule(evalSha),
  eval_ro: rule(evalScript),
  evalsha_ro: rule(evalSha),
  fcall: rule(fcall),
  fcall_ro: rule(fcall),
  'script|load': rule(scriptLoad, 'script-sha'),
  'script|exists': rule(scriptExists),
  blmpop: rule(countedKeys(1), 'key-first'),
  bzmpop: rule(countedKeys(1), 'key-first'),
  lmpop: rule(countedKeys(0), 'key-first'),
  zmpop: rule(countedKeys(0), 'key-first'),
  sintercard: rule(countedKeys(0)),
  sdiffcard: rule(countedKeys(0)),
  sunioncard: rule(countedKeys(0)),
  zintercard: rule(countedKeys(0)),
  zunion: rule(countedKeys(0)),
  zinter: rule(countedKeys(0)),
  zdiff: rule(countedKeys(0)),
  msetex: rule(msetex),
  georadius: rule(geoRadius(5)),
  georadiusbymember: rule(geoRadius(4)),
  sort: rule(sort(true)),
  sort_ro: rule(sort(false)),
  migrate: rule(migrate),
  xread: rule(streams(XREAD_OPTIONS), 'streams'),
  xreadgroup: rule(streams(XREADGROUP_OPTIONS), 'streams'),
  keys: rule(first('key-pattern'), 'key-list'),
  scan: rule(scan, 'scan'),
  publish: rule(first('channel')),
  spublish: rule(first('channel')),
  subscribe: rule(everyArgument('channel')),
  unsubscribe: rule(unsubscribe('channel')),
  ssubscribe: rule(everyArgument('channel')),
  sunsubscribe: rule(unsubscribe('channel')),
  psubscribe: rule(everyArgument('channel-pattern')),
  punsubscribe: rule(unsubscribe('channel-pattern')),
  'pubsub|channels': rule(channelList, 'channel-list'),
  'pubsub|shardchannels': rule(channelList, 'channel-list'),
  'pubsub|numsub': rule(everyArgument('channel', 1), 'channel-counts'),
  'pubsub|shardnumsub': rule(everyArgument('channel', 1), 'channel-counts'),
  'client|tracking': rule(clientTracking),
  // Connection names carry the namespace, so CLIENT LIST can show a namespace its own connections only.
  'client|setname': rule((_args, sink) => sink.at(1, 'connection-name')),
  'client|getname': rule(nothing, 'connection-name'),
  'client|list': rule(nothing, 'client-list'),
  'client|info': rule(nothing, 'client-info'),
  'function|load': rule(functionLoad, 'library-name'),
  'function|list': rule(functionList, 'function-list'),
  'function|delete': rule(functionDelete),
  'cluster|keyslot': rule(clusterKeySlot),
};

/** Replies of plain range-keyed commands that name keys (the blocking pops). */
export const RANGE_REPLIES: Readonly<Record<string, ReplyShape>> = {
  blpop: 'key-first',
  brpop: 'key-first',
  bzpopmin: 'key-first',
  bzpopmax: 'key-first',
};
