/**
 * One argument of a Redis command as the drivers pass it: strings, Buffers, or numbers
 * (which both drivers send as their decimal text).
 *
 * @example
 * ```ts
 * const args: RedisArg[] = ['payload:1', Buffer.from([0xff]), 60];
 * ```
 */
export type RedisArg = string | Buffer | number;

/**
 * What an argument of a command is, as far as namespacing goes.
 *
 * - `key`: a key name, prefixed like a key.
 * - `key-pattern`: a glob over key names (KEYS, SCAN MATCH); the prefix is glob-escaped.
 * - `sort-pattern`: a SORT BY/GET pattern, where `*` is substituted, `#` means the element
 *   and `->field` reads a hash field; the prefix goes in front unescaped.
 * - `channel`: a pub/sub channel (classic or sharded), prefixed like a key.
 * - `channel-pattern`: a glob over channel names (PSUBSCRIBE, PUBSUB CHANNELS).
 * - `connection-name`: a connection's name (CLIENT SETNAME), prefixed like a key so that a
 *   namespace's connections can be told apart in CLIENT LIST.
 *
 * @example
 * ```ts
 * const role: ArgumentRole = 'key-pattern';
 * ```
 */
export type ArgumentRole = 'key' | 'key-pattern' | 'sort-pattern' | 'channel' | 'channel-pattern' | 'connection-name';

/**
 * How a reply names keys or channels, so that prefix mode can strip the prefix again.
 *
 * - `key-list`: an array of key names (KEYS).
 * - `scan`: `[cursor, keys[]]` (SCAN).
 * - `key-first`: `null` or an array whose first element is a key (BLPOP, BZPOPMIN, LMPOP, ZMPOP...).
 * - `streams`: `null`, a RESP2 array of `[stream, entries]` or a RESP3 map `stream -> entries` (XREAD, XREADGROUP).
 * - `channel-list`: an array of channel names (PUBSUB CHANNELS / SHARDCHANNELS).
 * - `channel-counts`: RESP2 `[channel, count, ...]` or a RESP3 map `channel -> count` (PUBSUB NUMSUB / SHARDNUMSUB).
 * - `connection-name`: one connection name or `null` (CLIENT GETNAME); another namespace's name reads as `null`.
 * - `client-list`: CLIENT LIST's text, one connection a line; only the namespace's named connections are kept, also in strict mode.
 * - `client-info`: CLIENT INFO's one line; a name of another namespace is blanked.
 * - `script-sha`: SCRIPT LOAD's SHA of the wrapped script, given back as the SHA of the caller's text.
 * - `library-name`: FUNCTION LOAD's library name, without the namespace.
 * - `function-list`: FUNCTION LIST; only the namespace's libraries, as it loaded them.
 *
 * @example
 * ```ts
 * const shape: ReplyShape = 'key-first';
 * ```
 */
export type ReplyShape =
  | 'key-list'
  | 'scan'
  | 'key-first'
  | 'streams'
  | 'channel-list'
  | 'channel-counts'
  | 'connection-name'
  | 'client-list'
  | 'client-info'
  | 'script-sha'
  | 'library-name'
  | 'function-list';

/**
 * Where a command's arguments are told what they are. A locator calls one of these for each
 * argument that names a key, pattern or channel, and may ask for a confining argument to be
 * appended (SCAN without MATCH gets `MATCH <prefix>*`).
 *
 * Positions are 0-based indexes into the arguments that follow the command name (for a
 * subcommand, the subcommand token is argument 0).
 *
 * @example
 * ```ts
 * // RedisJSON: JSON.MGET key [key ...] path
 * const locate = (args: readonly RedisArg[], sink: ArgumentSink) => {
 *   for (let i = 0; i < args.length - 1; i++) sink.at(i, 'key');
 * };
 * ```
 */
export interface ArgumentSink {
  /** Marks argument `index` as having `role`. */
  at(index: number, role: ArgumentRole): void;
  /**
   * Appends `keyword` (when given) and an argument that confines the command to the namespace:
   * the prefix itself for `key`, `<escaped prefix>*` for the pattern roles.
   */
  append(keyword: string | undefined, role: ArgumentRole): void;
  /** Refuses the command because its keys cannot be placed (a bad `numkeys`, a missing STREAMS...). */
  malformed(reason: string): never;
  /** Refuses the command because this form of it cannot be confined (UNSUBSCRIBE without channels). */
  refuse(reason: string): never;
}

/**
 * A function that finds the keys, patterns and channels of one command's arguments.
 *
 * @example
 * ```ts
 * const everyArgumentIsAKey: Locator = (args, sink) => args.forEach((_, i) => sink.at(i, 'key'));
 * ```
 */
export type Locator = (args: readonly RedisArg[], sink: ArgumentSink) => void;
