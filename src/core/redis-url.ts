import { IsolationConfigError } from './errors.js';

/**
 * A Redis URL read by {@link parseRedisUrl}: where to connect and how, the same for ioredis and
 * node-redis.
 *
 * @example
 * ```ts
 * const target: ParsedRedisUrl = parseRedisUrl('rediss://svc:pw@[::1]:6380/2');
 * target.host; // '::1'
 * ```
 */
export interface ParsedRedisUrl {
  /** `redis` (TCP), `rediss` (TCP + TLS) or `unix` (a Unix socket). */
  readonly scheme: 'redis' | 'rediss' | 'unix';
  /** TCP only: the host, an IPv6 address without its brackets. */
  readonly host?: string;
  /** TCP only. @defaultValue `6379` */
  readonly port?: number;
  /** `unix` only: the socket's absolute path. */
  readonly path?: string;
  readonly tls: boolean;
  readonly username?: string;
  readonly password?: string;
  /** From the path (`/2`) or `?db=2`. @defaultValue `0` */
  readonly db: number;
  /** `?family=4` or `6`: the IP version a host name resolves to. */
  readonly family?: 4 | 6;
  /** The URL as given, password masked: what messages show. */
  readonly masked: string;
}

/** The query parameters both drivers are given; any other is refused rather than ignored by one of them. */
const PARAMETERS = ['db', 'password', 'username', 'family'];
/** Query parameters whose values are masked in messages. */
const SECRET_PARAMETER = /([?&;])(password|pass|pwd|passwd|secret|token|auth)=[^&;#]*/gi;
/** What a URL's start may be before its user info: a scheme, slashes, or both (`redis://`, `redis//`, `redis:`). */
const LEAD = /^(?:[A-Za-z0-9+.-]*:?\/\/|[A-Za-z][A-Za-z0-9+.-]*:)/;
/** A user name that can be shown: no character that would make the split of the user info doubtful. */
const SHOWN_USER = /^[A-Za-z0-9._~!$&'()*+,;=%-]*$/;
const SYNTAX = 'redis://[user:password@]host[:port][/db], rediss://... or unix:///path/to/socket';

/**
 * `url` with its secrets replaced by `***`: the password of the user info (everything up to the
 * last `@`, keeping a user name before a `:`), and the value of `?password=` (and of `pass`,
 * `pwd`, `secret`, `token`, `auth`). Works on any string, URL or not, so that a malformed URL
 * can be named in a message without leaking what it holds.
 *
 * @example
 * ```ts
 * maskRedisUrl('redis://svc:s3cret@cache:6379/0'); // 'redis://svc:***@cache:6379/0'
 * maskRedisUrl('unix:///run/redis.sock?password=s3cret'); // 'unix:///run/redis.sock?password=***'
 * maskRedisUrl('redis//:s3cret@cache'); // 'redis//:***@cache'
 * ```
 */
export function maskRedisUrl(url: string): string {
  let masked = url;
  const at = url.lastIndexOf('@');
  if (at !== -1) {
    const lead = LEAD.exec(url)?.[0] ?? '';
    const start = lead.length <= at ? lead.length : 0;
    const userInfo = url.slice(start, at);
    const colon = userInfo.indexOf(':');
    const user = colon === -1 ? undefined : userInfo.slice(0, colon);
    masked = `${url.slice(0, start)}${user !== undefined && SHOWN_USER.test(user) ? `${user}:` : ''}***${url.slice(at)}`;
  }
  return masked.replace(SECRET_PARAMETER, '$1$2=***');
}

const decode = (text: string, what: string, fail: (problem: string) => never): string => {
  try {
    return decodeURIComponent(text);
  } catch {
    return fail(`has a malformed percent-encoding in its ${what}`);
  }
};

const dbNumber = (text: string, fail: (problem: string) => never): number => {
  if (!/^\d{1,9}$/.test(text)) fail(`names database ${JSON.stringify(text)}, not a database number (redis://host:6379/2 or ?db=2)`);
  return Number(text);
};

/**
 * Reads a Redis URL the way both drivers will be given it, or refuses it before any connection
 * is attempted:
 *
 * - `redis://[user:password@]host[:port][/db]`, and `rediss://` for TLS; an IPv6 host in
 *   brackets (`redis://[::1]:6379`); the database in the path or as `?db=`;
 * - `unix://[user:password@]/path/to/socket[?db=N]` for a Unix socket, the only way to name
 *   one: a bare path, or a string without a scheme (`redis//host`), is refused rather than read
 *   as a socket path;
 * - query parameters: `db`, `password`, `username`, `family` (4 or 6); any other is refused,
 *   as one driver would ignore it.
 *
 * @param label - how messages name the value (`'--url'`, `'url'`).
 * @throws {@link IsolationConfigError} naming the URL with its password masked (see
 * {@link maskRedisUrl}) and what is wrong with it.
 * @example
 * ```ts
 * parseRedisUrl('redis://:pw@cache:6380/2'); // { scheme: 'redis', host: 'cache', port: 6380, db: 2, password: 'pw', ... }
 * parseRedisUrl('redis//cache:6379'); // throws IsolationConfigError: url "redis//cache:6379" is not a valid URL ...
 * ```
 */
export function parseRedisUrl(url: unknown, label = 'url'): ParsedRedisUrl {
  if (typeof url !== 'string' || url.trim() === '') throw new IsolationConfigError(`${label} is empty: write ${SYNTAX}`);
  const masked = maskRedisUrl(url);
  const fail = (problem: string): never => {
    throw new IsolationConfigError(`${label} ${JSON.stringify(masked)} ${problem}`);
  };
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    return fail(/^\/(?!\/)/.test(url) ? `is a path: write a Unix socket as unix://${masked.split('?')[0] ?? ''}` : `is not a valid URL: write ${SYNTAX}`);
  }
  if (scheme === 'unix') return parseUnixUrl(url, masked, fail);
  if (scheme !== 'redis' && scheme !== 'rediss') return fail(`must start with redis://, rediss:// or unix://`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail(`is not a valid URL (a port that is not a number, a space, a character to percent-encode?): write ${SYNTAX}`);
  }
  if (parsed.hash !== '') fail('has a fragment (#...): percent-encode a # in a password as %23');
  if (parsed.hostname === '') fail('names no host');
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  if (port < 1 || port > 65535) fail(`names port ${port}: a port is 1 to 65535`);
  const path = parsed.pathname.replace(/^\//, '');
  if (path.includes('/')) fail('has a path that is not a database number');
  const query = readQuery(parsed.searchParams, fail);
  const pathDb = path === '' ? undefined : dbNumber(path, fail);
  if (pathDb !== undefined && query.db !== undefined && pathDb !== query.db) fail(`names two databases: /${pathDb} and ?db=${query.db}`);
  const username = parsed.username === '' ? query.username : decode(parsed.username, 'user name', fail);
  const password = parsed.password === '' ? query.password : decode(parsed.password, 'password', fail);
  return {
    scheme,
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    tls: scheme === 'rediss',
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
    db: pathDb ?? query.db ?? 0,
    ...(query.family === undefined ? {} : { family: query.family }),
    masked,
  };
}

interface Query {
  db?: number;
  password?: string;
  username?: string;
  family?: 4 | 6;
}

function readQuery(params: URLSearchParams, fail: (problem: string) => never): Query {
  const query: Query = {};
  const seen = new Set<string>();
  for (const [name, value] of params) {
    if (!PARAMETERS.includes(name)) fail(`has query parameter ${JSON.stringify(name)}: only ${PARAMETERS.join(', ')} are read by both drivers`);
    if (seen.has(name)) fail(`has query parameter ${JSON.stringify(name)} twice`);
    seen.add(name);
    if (name === 'db') query.db = dbNumber(value, fail);
    else if (name === 'family') {
      if (value !== '4' && value !== '6') fail(`has family=${JSON.stringify(value)}: write family=4 or family=6`);
      query.family = Number(value) as 4 | 6;
    } else if (name === 'password') query.password = value;
    else query.username = value;
  }
  return query;
}

/** `unix://[user[:password]@]/absolute/path[?db=N&password=...]`, as node-redis reads it. */
function parseUnixUrl(url: string, masked: string, fail: (problem: string) => never): ParsedRedisUrl {
  const match = /^unix:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?(\/[^?#]*)(?:\?([^#]*))?$/i.exec(url);
  if (!match) return fail('is not a valid Unix socket URL: write unix:///path/to/socket (a password with / or # as ?password=, percent-encoded)');
  const [, rawUser, rawPassword, rawPath = '', rawQuery] = match;
  const path = decode(rawPath, 'path', fail);
  if (path === '/' || path.endsWith('/')) fail('names a directory, not a socket');
  const query = readQuery(new URLSearchParams(rawQuery ?? ''), fail);
  if (query.family !== undefined) fail('has family=: a Unix socket has no IP version');
  const username = rawUser ? decode(rawUser, 'user name', fail) : query.username;
  const password = rawPassword ? decode(rawPassword, 'password', fail) : query.password;
  return {
    scheme: 'unix',
    path,
    tls: false,
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
    db: query.db ?? 0,
    masked,
  };
}
