import fc from 'fast-check';
import { RedisClient } from 'redis';
// ioredis's own URL reader, the one `new Redis(url)` uses (not part of its public API).
import { parseURL as ioredisParseUrl } from 'ioredis/built/utils/index.js';
import { describe, expect, it } from 'vitest';
import { IsolationConfigError } from '../../src/index.js';
import { maskRedisUrl, parseRedisUrl } from '../../src/core/redis-url.js';

const refusal = (url: unknown): IsolationConfigError => {
  try {
    parseRedisUrl(url, '--url');
  } catch (error) {
    expect(error).toBeInstanceOf(IsolationConfigError);
    return error as IsolationConfigError;
  }
  throw new Error(`${String(url)} was accepted`);
};

describe('parseRedisUrl accepts what both drivers read the same way', () => {
  it.each([
    ['redis://cache', { scheme: 'redis', host: 'cache', port: 6379, tls: false, db: 0 }],
    ['redis://cache:6380/2', { scheme: 'redis', host: 'cache', port: 6380, db: 2 }],
    ['rediss://svc:p%40ss@cache.example.com:6380/1', { scheme: 'rediss', tls: true, username: 'svc', password: 'p@ss', db: 1 }],
    ['redis://:only-password@10.0.0.5', { host: '10.0.0.5', password: 'only-password' }],
    ['redis://[::1]:7000/3', { host: '::1', port: 7000, db: 3 }],
    ['redis://[fd00::2]', { host: 'fd00::2', port: 6379 }],
    ['redis://cache/?db=4', { db: 4 }],
    ['redis://cache/4?db=4', { db: 4 }],
    ['redis://cache?password=s%26cret&username=svc', { username: 'svc', password: 's&cret' }],
    ['redis://cache?family=6', { family: 6 }],
    ['REDIS://Cache:6379', { scheme: 'redis', host: 'Cache' }],
    ['unix:///run/redis/redis.sock', { scheme: 'unix', path: '/run/redis/redis.sock', db: 0, tls: false }],
    ['unix://svc:pw@/run/redis.sock?db=2', { scheme: 'unix', path: '/run/redis.sock', username: 'svc', password: 'pw', db: 2 }],
    ['unix:///run/redis.sock?password=pw', { path: '/run/redis.sock', password: 'pw' }],
  ])('%s', (url, expected) => {
    expect(parseRedisUrl(url)).toMatchObject(expected);
  });

  it('shows the URL with its password masked', () => {
    expect(parseRedisUrl('redis://svc:s3cret@cache:6379/0').masked).toBe('redis://svc:***@cache:6379/0');
    expect(parseRedisUrl('redis://cache?password=s3cret').masked).toBe('redis://cache?password=***');
  });
});

describe('parseRedisUrl refuses, as an IsolationConfigError naming the URL, before any connection', () => {
  it.each([
    ['redis//bad', /^--url "redis\/\/bad" is not a valid URL: write redis:\/\//],
    ['http://x', /^--url "http:\/\/x" must start with redis:\/\/, rediss:\/\/ or unix:\/\//],
    ['redis://h:notaport', /^--url "redis:\/\/h:notaport" is not a valid URL \(a port that is not a number/],
    ['redis://h:99999', /is not a valid URL/],
    ['redis://h:0', /names port 0: a port is 1 to 65535/],
    ['redis://', /names no host/],
    ['redis://:6379', /is not a valid URL/],
    ['redis://h h:6379', /is not a valid URL/],
    ['', /^--url is empty/],
    ['   ', /^--url is empty/],
    ['cache:6379', /is not a valid URL/],
    ['/tmp/redis.sock', /is a path: write a Unix socket as unix:\/\/\/tmp\/redis\.sock/],
    ['//cache:6379', /is not a valid URL/],
    ['redis://cache/zero', /names database "zero", not a database number/],
    ['redis://cache/1/2', /has a path that is not a database number/],
    ['redis://cache/1?db=2', /names two databases: \/1 and \?db=2/],
    ['redis://cache?db=x', /names database "x"/],
    ['redis://cache?tls=true', /has query parameter "tls": only db, password, username, family are read by both drivers/],
    ['redis://cache?db=1&db=2', /has query parameter "db" twice/],
    ['redis://cache?family=5', /family=5/],
    ['redis://cache#x', /has a fragment/],
    ['redis://u:%E0%A4%A@cache', /malformed percent-encoding in its password/],
    ['unix://', /is not a valid Unix socket URL/],
    ['unix:///', /names a directory, not a socket/],
    ['unix://host/run/redis.sock', /is not a valid Unix socket URL/],
    ['unix:///run/', /names a directory/],
    ['unix:///run/redis.sock?family=4', /a Unix socket has no IP version/],
  ])('%j', (url, message) => {
    expect(refusal(url).message).toMatch(message);
  });

  it('refuses what is not a string', () => {
    for (const value of [undefined, null, 6379, {}]) expect(refusal(value).message).toMatch(/^--url is empty/);
  });
});

describe('maskRedisUrl', () => {
  it.each([
    ['redis://svc:s3cret@cache:6379/0', 'redis://svc:***@cache:6379/0'],
    ['redis://:s3cret@cache', 'redis://:***@cache'],
    ['redis://s3cret@cache', 'redis://***@cache'],
    ['redis://svc:p@ss@cache', 'redis://svc:***@cache'],
    ['rediss://cache?db=1&password=s3cret&family=4', 'rediss://cache?db=1&password=***&family=4'],
    ['unix://svc:s3cret@/run/redis.sock', 'unix://svc:***@/run/redis.sock'],
    ['redis//svc:s3cret@cache', 'redis//svc:***@cache'],
    ['svc:s3cret@cache:6379', 'svc:***@cache:6379'],
    ['http://user:secret@host', 'http://user:***@host'],
    ['redis://cache:6379/0', 'redis://cache:6379/0'],
  ])('%s -> %s', (url, masked) => {
    expect(maskRedisUrl(url)).toBe(masked);
  });

  // Any URL-ish string carrying a password in its user info (raw or percent-encoded) or in
  // ?password= (percent-encoded, as a query value must be): neither the mask nor any refusal
  // shows the password, nor its encoded form.
  const schemes = fc.constantFrom('redis://', 'rediss://', 'unix://', 'redis//', 'redis:', '//', 'http://', '', 'REDIS://');
  const user = fc.oneof(fc.constant(''), fc.stringMatching(/^[A-Za-z0-9._-]{1,8}$/));
  const secret = fc.string({ minLength: 6, maxLength: 24, unit: fc.oneof(fc.constantFrom('@', ':', '/', '?', '#', '&', '=', '%', '*', ' '), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })) });
  const host = fc.constantFrom('cache', '127.0.0.1', '[::1]', '', 'h:notaport', 'cache:6379', 'cache:6379/2', '/run/redis.sock');
  const tail = fc.constantFrom('', '/0', '/zero', '?db=1', '#frag', '?tls=1');

  /** What a URL shows: its mask, and the parse's mask or the refusal's message. */
  const shown = (url: string): string[] => {
    try {
      return [maskRedisUrl(url), parseRedisUrl(url).masked];
    } catch (error) {
      return [maskRedisUrl(url), (error as Error).message];
    }
  };

  it('never shows a password, whatever the shape around it', () => {
    fc.assert(
      fc.property(schemes, user, secret, host, tail, fc.constantFrom('userinfo-raw', 'userinfo-encoded', 'query'), (scheme, name, password, where, end, place) => {
        const build = (pw: string): string =>
          place === 'query'
            ? `${scheme}${where}${end.startsWith('?') ? `${end}&` : `${end}?`}password=${encodeURIComponent(pw)}`
            : `${scheme}${name}:${place === 'userinfo-raw' ? pw : encodeURIComponent(pw)}@${where}${end}`;
        const forms = [password, encodeURIComponent(password)];
        // Not a password the rest of the text holds anyway (a host, a word of the message, ***).
        fc.pre(!shown(build('Q')).some((text) => forms.some((form) => text.includes(form))));
        for (const text of shown(build(password))) for (const form of forms) expect(text).not.toContain(form);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('parseRedisUrl reads a URL as ioredis and node-redis do', () => {
  const hostName = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), fc.ipV4(), fc.ipV6().map((ip) => `[${ip}]`));
  const credential = fc.string({ maxLength: 12, unit: fc.oneof(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }), fc.constantFrom('@', ':', '/', '%', '#', '?', 'é')) });
  const valid = fc.record({
    scheme: fc.constantFrom('redis', 'rediss'),
    user: fc.option(credential, { nil: undefined }),
    password: fc.option(credential.filter((p) => p.length > 0), { nil: undefined }),
    host: hostName,
    port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    db: fc.option(fc.integer({ min: 0, max: 15 }), { nil: undefined }),
  });
  const write = (parts: { scheme: string; user: string | undefined; password: string | undefined; host: string; port: number | undefined; db: number | undefined }): string => {
    const info = parts.user === undefined && parts.password === undefined ? '' : `${encodeURIComponent(parts.user ?? '')}${parts.password === undefined ? '' : `:${encodeURIComponent(parts.password)}`}@`;
    return `${parts.scheme}://${info}${parts.host}${parts.port === undefined ? '' : `:${parts.port}`}${parts.db === undefined ? '' : `/${parts.db}`}`;
  };

  it('host, port, TLS, credentials and database agree with node-redis RedisClient.parseURL', () => {
    fc.assert(
      fc.property(valid, (parts) => {
        const url = write(parts);
        const ours = parseRedisUrl(url);
        const theirs = RedisClient.parseURL(url) as { socket: { host: string; port?: number; tls: boolean }; username?: string; password?: string; database?: number };
        expect(ours.host).toBe(theirs.socket.host);
        expect(ours.port).toBe(theirs.socket.port ?? 6379);
        expect(ours.tls).toBe(theirs.socket.tls);
        expect(ours.username || undefined).toBe(theirs.username);
        expect(ours.password).toBe(theirs.password);
        expect(ours.db).toBe(theirs.database ?? 0);
      }),
      { numRuns: 1000 },
    );
  });

  it('host, port, credentials and database agree with ioredis parseURL', () => {
    fc.assert(
      fc.property(valid, (parts) => {
        const url = write(parts);
        const ours = parseRedisUrl(url);
        const theirs = ioredisParseUrl(url) as { host?: string; port?: string; username?: string; password?: string; db?: string };
        expect(ours.host).toBe(theirs.host);
        expect(ours.port).toBe(Number(theirs.port ?? 6379));
        expect(ours.username || undefined).toBe(theirs.username || undefined);
        expect(ours.password || undefined).toBe(theirs.password || undefined);
        expect(ours.db).toBe(Number(theirs.db ?? 0));
      }),
      { numRuns: 1000 },
    );
  });
});
