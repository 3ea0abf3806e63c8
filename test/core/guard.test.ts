import { describe, expect, it } from 'vitest';
import {
  BlockedCommandError,
  CrossNamespaceError,
  DoublePrefixError,
  IsolationConfigError,
  IsolationError,
  MalformedCommandError,
  UnknownCommandError,
  UnprefixedKeyError,
  createGuard,
  type RedisArg,
} from '../../src/index.js';

const namespaces = ['mcp2', 'celery', 'journal'];
const guard = createGuard({ namespace: 'mcp2', namespaces });
const strict = createGuard({ namespace: 'mcp2', namespaces, mode: 'strict' });
/** Scripts sent as they are: only their KEYS are confined (test/core/scripts covers the default). */
const trusting = createGuard({ namespace: 'mcp2', namespaces, scripts: 'trust' });

describe('prefix mode rewrites every key, pattern and channel', () => {
  const cases: [string, RedisArg[], RedisArg[]][] = [
    ['get', ['k'], ['mcp2:k']],
    ['set', ['k', 'v', 'EX', '10', 'GET'], ['mcp2:k', 'v', 'EX', '10', 'GET']],
    ['mset', ['a', '1', 'b', '2'], ['mcp2:a', '1', 'mcp2:b', '2']],
    ['del', ['a', 'b', 'c'], ['mcp2:a', 'mcp2:b', 'mcp2:c']],
    ['blpop', ['a', 'b', '5'], ['mcp2:a', 'mcp2:b', '5']],
    ['rename', ['a', 'b'], ['mcp2:a', 'mcp2:b']],
    ['copy', ['a', 'b', 'DB', '1', 'REPLACE'], ['mcp2:a', 'mcp2:b', 'DB', '1', 'REPLACE']],
    ['move', ['a', '2'], ['mcp2:a', '2']],
    ['lmove', ['a', 'b', 'LEFT', 'RIGHT'], ['mcp2:a', 'mcp2:b', 'LEFT', 'RIGHT']],
    ['bitfield', ['k', 'GET', 'u8', '0'], ['mcp2:k', 'GET', 'u8', '0']],
    ['zunionstore', ['d', '2', 'a', 'b', 'WEIGHTS', '1', '2'], ['mcp2:d', '2', 'mcp2:a', 'mcp2:b', 'WEIGHTS', '1', '2']],
    ['zinterstore', ['d', '1', 'a'], ['mcp2:d', '1', 'mcp2:a']],
    ['zdiffstore', ['d', '2', 'a', 'b'], ['mcp2:d', '2', 'mcp2:a', 'mcp2:b']],
    ['zunion', ['2', 'a', 'b', 'WITHSCORES'], ['2', 'mcp2:a', 'mcp2:b', 'WITHSCORES']],
    ['zinter', ['1', 'a'], ['1', 'mcp2:a']],
    ['zdiff', ['2', 'a', 'b'], ['2', 'mcp2:a', 'mcp2:b']],
    ['zintercard', ['2', 'a', 'b', 'LIMIT', '5'], ['2', 'mcp2:a', 'mcp2:b', 'LIMIT', '5']],
    ['sintercard', ['2', 'a', 'b'], ['2', 'mcp2:a', 'mcp2:b']],
    ['lmpop', ['2', 'a', 'b', 'LEFT'], ['2', 'mcp2:a', 'mcp2:b', 'LEFT']],
    ['blmpop', ['0', '2', 'a', 'b', 'LEFT', 'COUNT', '2'], ['0', '2', 'mcp2:a', 'mcp2:b', 'LEFT', 'COUNT', '2']],
    ['zmpop', ['1', 'a', 'MIN'], ['1', 'mcp2:a', 'MIN']],
    ['bzmpop', ['1', '1', 'a', 'MAX'], ['1', '1', 'mcp2:a', 'MAX']],
    ['xread', ['COUNT', '1', 'STREAMS', 's1', 's2', '0', '0'], ['COUNT', '1', 'STREAMS', 'mcp2:s1', 'mcp2:s2', '0', '0']],
    [
      'xreadgroup',
      ['GROUP', 'g', 'c', 'BLOCK', '0', 'NOACK', 'STREAMS', 's', '>'],
      ['GROUP', 'g', 'c', 'BLOCK', '0', 'NOACK', 'STREAMS', 'mcp2:s', '>'],
    ],
    ['xread', ['STREAMS', 'STREAMS', '0'], ['STREAMS', 'mcp2:STREAMS', '0']],
    ['georadius', ['k', '0', '0', '1', 'm', 'STORE', 'd'], ['mcp2:k', '0', '0', '1', 'm', 'STORE', 'mcp2:d']],
    ['georadius', ['k', '0', '0', '1', 'km', 'COUNT', '3', 'STOREDIST', 'd'], ['mcp2:k', '0', '0', '1', 'km', 'COUNT', '3', 'STOREDIST', 'mcp2:d']],
    ['georadiusbymember', ['k', 'm', '1', 'm', 'STORE', 'd'], ['mcp2:k', 'm', '1', 'm', 'STORE', 'mcp2:d']],
    ['geosearchstore', ['d', 's', 'FROMMEMBER', 'm', 'BYRADIUS', '1', 'm'], ['mcp2:d', 'mcp2:s', 'FROMMEMBER', 'm', 'BYRADIUS', '1', 'm']],
    [
      'sort',
      ['l', 'BY', 'w_*', 'LIMIT', '0', '10', 'GET', '#', 'GET', 'o_*->f', 'ALPHA', 'STORE', 'd'],
      ['mcp2:l', 'BY', 'mcp2:w_*', 'LIMIT', '0', '10', 'GET', '#', 'GET', 'mcp2:o_*->f', 'ALPHA', 'STORE', 'mcp2:d'],
    ],
    ['sort', ['l', 'BY', 'nosort'], ['mcp2:l', 'BY', 'nosort']],
    ['sort', ['l', 'LIMIT', 'GET', 'BY', 'GET', 'x*'], ['mcp2:l', 'LIMIT', 'GET', 'BY', 'GET', 'mcp2:x*']],
    ['sort_ro', ['l', 'GET', 'h_*->name'], ['mcp2:l', 'GET', 'mcp2:h_*->name']],
    ['migrate', ['h', '6379', 'k', '0', '5000'], ['h', '6379', 'mcp2:k', '0', '5000']],
    [
      'migrate',
      ['h', '6379', '', '0', '5000', 'COPY', 'AUTH2', 'u', 'KEYS', 'KEYS', 'a', 'b'],
      ['h', '6379', '', '0', '5000', 'COPY', 'AUTH2', 'u', 'KEYS', 'KEYS', 'mcp2:a', 'mcp2:b'],
    ],
    ['object', ['ENCODING', 'k'], ['ENCODING', 'mcp2:k']],
    ['object', ['freq', 'k'], ['freq', 'mcp2:k']],
    ['memory', ['USAGE', 'k', 'SAMPLES', '5'], ['USAGE', 'mcp2:k', 'SAMPLES', '5']],
    ['xgroup', ['CREATE', 's', 'g', '$', 'MKSTREAM'], ['CREATE', 'mcp2:s', 'g', '$', 'MKSTREAM']],
    ['xgroup', ['SETID', 's', 'g', '0'], ['SETID', 'mcp2:s', 'g', '0']],
    ['xinfo', ['STREAM', 's', 'FULL'], ['STREAM', 'mcp2:s', 'FULL']],
    ['xinfo', ['CONSUMERS', 's', 'g'], ['CONSUMERS', 'mcp2:s', 'g']],
    ['keys', ['user:*'], ['mcp2:user:*']],
    ['scan', ['0'], ['0', 'MATCH', 'mcp2:*']],
    ['scan', ['0', 'COUNT', '100', 'TYPE', 'hash'], ['0', 'COUNT', '100', 'TYPE', 'hash', 'MATCH', 'mcp2:*']],
    ['scan', ['0', 'MATCH', 'u:*', 'COUNT', '10'], ['0', 'MATCH', 'mcp2:u:*', 'COUNT', '10']],
    ['hscan', ['h', '0', 'MATCH', 'f*'], ['mcp2:h', '0', 'MATCH', 'f*']],
    ['sscan', ['s', '0', 'MATCH', 'm*'], ['mcp2:s', '0', 'MATCH', 'm*']],
    ['zscan', ['z', '0', 'MATCH', 'm*'], ['mcp2:z', '0', 'MATCH', 'm*']],
    ['publish', ['news', 'hi'], ['mcp2:news', 'hi']],
    ['spublish', ['news', 'hi'], ['mcp2:news', 'hi']],
    ['subscribe', ['a', 'b'], ['mcp2:a', 'mcp2:b']],
    ['ssubscribe', ['a'], ['mcp2:a']],
    ['unsubscribe', ['a'], ['mcp2:a']],
    ['sunsubscribe', ['a'], ['mcp2:a']],
    ['psubscribe', ['news.*'], ['mcp2:news.*']],
    ['punsubscribe', ['news.*'], ['mcp2:news.*']],
    ['pubsub', ['CHANNELS'], ['CHANNELS', 'mcp2:*']],
    ['pubsub', ['CHANNELS', 'n*'], ['CHANNELS', 'mcp2:n*']],
    ['pubsub', ['SHARDCHANNELS'], ['SHARDCHANNELS', 'mcp2:*']],
    ['pubsub', ['NUMSUB', 'a', 'b'], ['NUMSUB', 'mcp2:a', 'mcp2:b']],
    ['pubsub', ['SHARDNUMSUB', 'a'], ['SHARDNUMSUB', 'mcp2:a']],
    ['client', ['TRACKING', 'ON', 'BCAST'], ['TRACKING', 'ON', 'BCAST', 'PREFIX', 'mcp2:']],
    ['client', ['TRACKING', 'ON', 'BCAST', 'PREFIX', 'user:'], ['TRACKING', 'ON', 'BCAST', 'PREFIX', 'mcp2:user:']],
    ['client', ['TRACKING', 'ON', 'REDIRECT', '7'], ['TRACKING', 'ON', 'REDIRECT', '7']],
    ['watch', ['a', 'b'], ['mcp2:a', 'mcp2:b']],
    ['ping', [], []],
    ['info', ['memory'], ['memory']],
    ['client', ['SETNAME', 'svc'], ['SETNAME', 'mcp2:svc']],
    ['cluster', ['KEYSLOT', 'user:{7}'], ['KEYSLOT', 'mcp2:user:{7}']],
  ];

  it.each(cases)('%s %j', (command, args, expected) => {
    const before = [...args];
    expect(guard.rewrite(command, args)).toEqual(expected);
    expect(args).toEqual(before);
  });

  it.each([
    ['eval', ['return 1', '2', 'k1', 'k2', 'a'], ['return 1', '2', 'mcp2:k1', 'mcp2:k2', 'a']],
    ['evalsha', ['abc', '0', 'a'], ['abc', '0', 'a']],
    ['eval_ro', ['s', '1', 'k'], ['s', '1', 'mcp2:k']],
    ['evalsha_ro', ['s', '1', 'k'], ['s', '1', 'mcp2:k']],
    ['fcall', ['f', '1', 'k', 'arg'], ['f', '1', 'mcp2:k', 'arg']],
    ['fcall_ro', ['f', '1', 'k'], ['f', '1', 'mcp2:k']],
    ['function', ['LOAD', '#!lua name=lib\nredis.register_function("f", function() end)'], ['LOAD', '#!lua name=lib\nredis.register_function("f", function() end)']],
    ['function', ['LIST', 'LIBRARYNAME', 'x'], ['LIST', 'LIBRARYNAME', 'x']],
  ] as [string, RedisArg[], RedisArg[]][])("with scripts: 'trust', %s %j keeps the script and confines its KEYS", (command, args, expected) => {
    expect(trusting.rewrite(command, args)).toEqual(expected);
  });

  it('answers command names in any case', () => {
    for (const name of ['GET', 'get', 'Get', 'gEt']) expect(guard.rewrite(name, ['k'])).toEqual(['mcp2:k']);
    expect(guard.rewrite('Object', ['Encoding', 'k'])).toEqual(['Encoding', 'mcp2:k']);
  });

  it('keeps Buffer keys Buffers, turns number keys into text', () => {
    const out = guard.rewrite('get', [Buffer.from([0xff, 0x00])]);
    expect(Buffer.isBuffer(out[0])).toBe(true);
    expect(out[0]).toEqual(Buffer.concat([Buffer.from('mcp2:'), Buffer.from([0xff, 0x00])]));
    expect(guard.rewrite('set', [42, 'v'])).toEqual(['mcp2:42', 'v']);
    expect(guard.rewrite('object', [Buffer.from('ENCODING'), 'k'])).toEqual([Buffer.from('ENCODING'), 'mcp2:k']);
  });

  it('returns a private copy of the arguments, even when nothing changes: what the caller changes later is not sent', () => {
    const args: RedisArg[] = ['memory'];
    const out = guard.rewrite('info', args);
    expect(out).toEqual(['memory']);
    expect(out).not.toBe(args);
    args[0] = 'keyspace';
    expect(out).toEqual(['memory']);
  });

  it('copies the Buffers the caller holds and sends numbers as their decimal text', () => {
    const keyword = Buffer.from('STREAMS');
    const line: RedisArg[] = ['XREAD', 'COUNT', 5, keyword, 's', '0'];
    const out = guard.rewriteArgv(line);
    keyword.write('XXXXXXX');
    expect(out).toEqual(['XREAD', 'COUNT', '5', Buffer.from('STREAMS'), 'mcp2:s', '0']);
    const name = Buffer.from('PING');
    const ping = guard.rewriteArgv([name]);
    name.write('QUIT');
    expect(ping).toEqual([Buffer.from('PING')]);
  });

  it('rewrites a whole command line with rewriteArgv', () => {
    expect(guard.rewriteArgv(['GET', 'k'])).toEqual(['GET', 'mcp2:k']);
    const argv = ['PING'];
    expect(guard.rewriteArgv(argv)).toEqual(argv);
    expect(guard.rewriteArgv(argv)).not.toBe(argv);
    expect(() => guard.rewriteArgv([])).toThrow(MalformedCommandError);
  });
});

describe('refusals', () => {
  const refused = (fn: () => unknown): IsolationError => {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(IsolationError);
      return error as IsolationError;
    }
    throw new Error('expected a refusal');
  };

  it('refuses a key that already carries the own prefix, with the key and the command', () => {
    const error = refused(() => guard.rewrite('GET', ['mcp2:k']));
    expect(error).toBeInstanceOf(DoublePrefixError);
    expect(error).toMatchObject({ code: 'ERR_DOUBLE_PREFIX', command: 'get', namespace: 'mcp2', key: 'mcp2:k' });
    expect(error.message).toContain('pass the name without it');
  });

  it('refuses another namespace\'s keys, patterns and channels', () => {
    for (const [command, args] of [
      ['get', ['celery:task']],
      ['mset', ['a', '1', 'journal:b', '2']],
      ['rename', ['a', 'celery:a']],
      ['smove', ['a', 'celery:b', 'm']],
      ['lmove', ['journal:a', 'b', 'LEFT', 'LEFT']],
      ['sinterstore', ['d', 'a', 'celery:s']],
      ['copy', ['a', 'celery:a']],
      ['keys', ['celery:*']],
      ['scan', ['0', 'MATCH', 'journal:*']],
      ['publish', ['celery:events', 'x']],
      ['psubscribe', ['celery:*']],
      ['sort', ['l', 'BY', 'celery:w_*']],
      ['eval', ['s', '1', 'celery:x']],
    ] as [string, string[]][]) {
      const error = refused(() => guard.rewrite(command, args));
      expect(error, `${command} ${args.join(' ')}`).toBeInstanceOf(CrossNamespaceError);
      expect(error.code).toBe('ERR_CROSS_NAMESPACE');
    }
    const buffer = refused(() => guard.rewrite('get', [Buffer.from('celery:x')]));
    expect(buffer).toBeInstanceOf(CrossNamespaceError);
    expect(buffer.message).toContain('"celery:x"');
  });

  it.each([
    'flushdb', 'flushall', 'swapdb', 'randomkey', 'dbsize', 'debug', 'shutdown', 'monitor', 'select', 'reset', 'save',
  ])('blocks %s', (command) => {
    const error = refused(() => guard.rewrite(command, command === 'swapdb' ? ['0', '1'] : command === 'select' ? ['1'] : []));
    expect(error).toBeInstanceOf(BlockedCommandError);
    expect(error).toMatchObject({ code: 'ERR_BLOCKED_COMMAND', command, namespace: 'mcp2' });
  });

  it.each([
    ['config', 'GET', 'maxmemory'], ['config', 'SET', 'maxmemory', '1'], ['script', 'FLUSH'], ['script', 'KILL'],
    ['function', 'FLUSH'], ['function', 'RESTORE', 'x'], ['client', 'KILL', 'ID', '1'],
    ['client', 'PAUSE', '100'], ['pubsub', 'NUMPAT'], ['cluster', 'GETKEYSINSLOT', '1', '10'], ['acl', 'SETUSER', 'u'],
    ['slowlog', 'GET'], ['module', 'LOAD', '/x.so'],
  ])('blocks %s %s', (command, ...args) => {
    const error = refused(() => guard.rewrite(command, args));
    expect(error).toBeInstanceOf(BlockedCommandError);
    expect(error.command).toBe(`${command}|${args[0]?.toLowerCase()}`);
  });

  it.each([
    ['hello', '3'], ['auth', 'pw'], ['client', 'REPLY', 'OFF'], ['function', 'STATS'], ['function', 'DUMP'],
    ['unsubscribe'], ['punsubscribe'], ['sunsubscribe'],
  ])('refuses %s %s, which would reach every view of a shared connection', (command, ...args) => {
    expect(() => guard.rewrite(command, args)).toThrow(BlockedCommandError);
  });

  it.each([
    ['function', 'LOAD', 'REPLACE', 'code'], ['function', 'LIST', 'withcode'], ['function', 'DELETE', 'lib'],
  ])("with scripts: 'trust', refuses %s %s, which would reach other namespaces' libraries", (command, ...args) => {
    expect(() => trusting.rewrite(command, args)).toThrow(BlockedCommandError);
  });

  it('reads option keywords as Redis does: up to a NUL byte, ASCII case only', () => {
    // strcasecmp stops at NUL: 'STORE\0' is STORE to the server, so the key after it must be confined.
    expect(guard.rewrite('sort', ['l', 'STORE\0', 'd'])).toEqual(['mcp2:l', 'STORE\0', 'mcp2:d']);
    expect(() => guard.rewrite('sort', ['l', 'STORE\0', 'celery:d'])).toThrow(CrossNamespaceError);
    expect(guard.rewrite('sort_ro', ['l', 'GET\0x', 'o_*'])).toEqual(['mcp2:l', 'GET\0x', 'mcp2:o_*']);
    expect(guard.rewrite('georadius', ['g', '0', '0', '1', 'km', 'STORE\0', 'd'])).toEqual(['mcp2:g', '0', '0', '1', 'km', 'STORE\0', 'mcp2:d']);
    expect(guard.rewrite('scan', ['0', 'MATCH', 'x', 'MATCH\0', '*'])).toEqual(['0', 'MATCH', 'mcp2:x', 'MATCH\0', 'mcp2:*']);
    expect(guard.rewrite('client', ['TRACKING', 'ON', 'BCAST\0'])).toEqual(['TRACKING', 'ON', 'BCAST\0', 'PREFIX', 'mcp2:']);
    expect(guard.rewrite('migrate', ['h', '1', '', '0', '10', 'KEYS\0', 'k'])).toEqual(['h', '1', '', '0', '10', 'KEYS\0', 'mcp2:k']);
    expect(guard.rewrite('migrate', ['h', '1', '', '0', '10', Buffer.from('KEYS\0'), 'k'])[6]).toBe('mcp2:k');
    // Unicode case folding is not Redis's: 'ſtore' is not STORE to the server.
    expect(guard.rewrite('sort', ['l', 'ſtore', 'x'])).toEqual(['mcp2:l', 'ſtore', 'x']);
  });

  it('refuses nested arrays, which a driver would flatten after the keys were placed', () => {
    expect(() => guard.rewrite('blpop', ['q', ['celery:q', '0'] as unknown as string])).toThrow(MalformedCommandError);
    expect(() => guard.rewrite('mget', [['a', 'b'] as unknown as string])).toThrow(MalformedCommandError);
    expect(() => guard.rewrite('set', ['k', true as unknown as string])).toThrow(MalformedCommandError);
  });

  it('refuses the channels the server publishes for every namespace', () => {
    for (const [command, channel] of [
      ['subscribe', '__keyspace@0__:k'], ['psubscribe', '__keyevent@0__:*'], ['subscribe', '__redis__:invalidate'],
    ] as const) {
      expect(() => guard.rewrite(command, [channel])).toThrow(BlockedCommandError);
      expect(() => guard.rewrite(command, [Buffer.from(channel)])).toThrow(BlockedCommandError);
      expect(() => strict.rewrite(command, [channel])).toThrow(BlockedCommandError);
    }
    expect(guard.rewrite('subscribe', ['_single'])).toEqual(['mcp2:_single']);
  });

  it('refuses unknown commands and subcommands', () => {
    for (const [command, args, name] of [
      ['json.set', ['doc', '$', '{}'], 'json.set'],
      ['object', ['ENCODINGS', 'k'], 'object|encodings'],
      ['object', [], 'object'],
      ['nosuchcommand', [], 'nosuchcommand'],
    ] as [string, string[], string][]) {
      const error = refused(() => guard.rewrite(command, args));
      expect(error).toBeInstanceOf(UnknownCommandError);
      expect(error).toMatchObject({ code: 'ERR_UNKNOWN_COMMAND', command: name });
    }
  });

  it('refuses commands whose keys cannot be placed', () => {
    for (const [command, args] of [
      ['eval', ['s', '3', 'a']],
      ['eval', ['s', '-1', 'a']],
      ['eval', ['s', 'two', 'a']],
      ['zunionstore', ['d', '5', 'a']],
      ['lmpop', ['x', 'a', 'LEFT']],
      ['xread', ['COUNT', '1', 's', '0']],
      ['xread', ['STREAMS', 's1', 's2', '0']],
      ['migrate', ['h', '1', '', '0', '10']],
      ['sort', ['l', 'BY']],
      ['scan', ['0', 'MATCH']],
      ['georadius', ['k', '0', '0', '1', 'm', 'STORE']],
    ] as [string, string[]][]) {
      const error = refused(() => guard.rewrite(command, args));
      expect(error, `${command} ${args.join(' ')}`).toBeInstanceOf(MalformedCommandError);
      expect(error.code).toBe('ERR_MALFORMED_COMMAND');
    }
    expect(() => guard.rewrite('get', [null as unknown as string])).toThrow(MalformedCommandError);
    expect(() => guard.rewrite('get', [{} as unknown as string])).toThrow(MalformedCommandError);
  });
});

describe('strict mode', () => {
  it('passes keys that carry the prefix unchanged, in a copy the caller cannot alter', () => {
    const args = ['mcp2:a', '1', 'mcp2:b', '2'];
    expect(strict.rewrite('mset', args)).toEqual(args);
    expect(strict.rewrite('mset', args)).not.toBe(args);
    const key = Buffer.from('mcp2:x');
    const out = strict.rewrite('get', [key]);
    key.write('celery');
    expect(out).toEqual([Buffer.from('mcp2:x')]);
  });

  it('refuses keys without the prefix, and another namespace\'s as cross-namespace', () => {
    expect(() => strict.rewrite('get', ['k'])).toThrow(UnprefixedKeyError);
    expect(() => strict.rewrite('mset', ['mcp2:a', '1', 'b', '2'])).toThrow(UnprefixedKeyError);
    expect(() => strict.rewrite('get', ['celery:k'])).toThrow(CrossNamespaceError);
    expect(() => strict.rewrite('get', [Buffer.from('k')])).toThrow(UnprefixedKeyError);
  });

  it('requires patterns confined to the prefix and confines a bare SCAN', () => {
    expect(strict.rewrite('keys', ['mcp2:*'])).toEqual(['mcp2:*']);
    expect(() => strict.rewrite('keys', ['*'])).toThrow(UnprefixedKeyError);
    expect(() => strict.rewrite('keys', ['mcp2*'])).toThrow(UnprefixedKeyError);
    expect(() => strict.rewrite('scan', ['0', 'MATCH', 'celery:*'])).toThrow(CrossNamespaceError);
    expect(strict.rewrite('scan', ['0'])).toEqual(['0', 'MATCH', 'mcp2:*']);
    expect(strict.rewrite('sort', ['mcp2:l', 'BY', 'mcp2:w_*', 'GET', '#'])).toEqual(['mcp2:l', 'BY', 'mcp2:w_*', 'GET', '#']);
    expect(() => strict.rewrite('sort', ['mcp2:l', 'GET', 'o_*'])).toThrow(UnprefixedKeyError);
    expect(strict.rewrite('psubscribe', ['mcp2:n*'])).toEqual(['mcp2:n*']);
  });

  it('leaves replies alone', () => {
    expect(strict.unprefixReply('keys', ['mcp2:*'], ['mcp2:a'])).toEqual(['mcp2:a']);
    expect(strict.replyShape('keys', ['mcp2:*'])).toBeUndefined();
  });
});

describe('prefixes', () => {
  it('uses the separator, the hash tag and an explicit prefix', () => {
    expect(createGuard({ namespace: 'mcp2', separator: '/' }).rewrite('get', ['k'])).toEqual(['mcp2/k']);
    expect(createGuard({ namespace: 'mcp2', hashTag: true }).rewrite('get', ['k'])).toEqual(['{mcp2}:k']);
    expect(createGuard({ namespace: 'mcp2', prefix: 'svc-mcp2.' }).rewrite('get', ['k'])).toEqual(['svc-mcp2.k']);
  });

  it('escapes glob characters of the prefix in patterns, not in keys', () => {
    const odd = createGuard({ namespace: 't', prefix: 't[1]?:' });
    expect(odd.rewrite('get', ['k'])).toEqual(['t[1]?:k']);
    expect(odd.rewrite('keys', ['*'])).toEqual(['t\\[1\\]\\?:*']);
    expect(odd.rewrite('psubscribe', ['a*'])).toEqual(['t\\[1\\]\\?:a*']);
    expect(odd.rewrite('scan', ['0'])).toEqual(['0', 'MATCH', 't\\[1\\]\\?:*']);
    expect(odd.unprefixPattern('t\\[1\\]\\?:a*')).toBe('a*');
    expect(() => odd.rewrite('keys', ['t\\[1\\]\\?:*'])).toThrow(DoublePrefixError);
  });

  it('refuses SORT BY/GET when the prefix holds the "*" SORT substitutes', () => {
    const star = createGuard({ namespace: 'a', prefix: 'a*b:' });
    expect(() => star.rewrite('sort', ['l', 'BY', 'w_*'])).toThrow(BlockedCommandError);
    expect(star.rewrite('sort', ['l', 'GET', '#'])).toEqual(['a*b:l', 'GET', '#']);
  });

  it('refuses, at creation, names whose prefixes could overlap, and prefixes given by hand that do', () => {
    // A namespace holding the separator would be a prefix of another's (`a:` of `a:b:`).
    expect(() => createGuard({ namespace: 'a', namespaces: ['a', 'a:b'] })).toThrow(/"a:b" is refused: it contains the separator/);
    expect(() => createGuard({ namespace: 'mcp2:' })).toThrow(/contains the separator/);
    expect(() => createGuard({ namespace: 'a', separator: '::', namespaces: ['b:'] })).toThrow(/separator "::" \(or the start of it\)/);
    expect(() => createGuard({ namespace: 'mcp', namespaces: ['mcp2'], separator: '' })).toThrow(/separator must be a non-empty string/);
    for (const name of ['', ' ', 'a b', 'a*', 't[1]', 'x?', '{a}', 'a\\b', 'tab\t']) {
      expect(() => createGuard({ namespace: name }), JSON.stringify(name)).toThrow(IsolationConfigError);
    }
    expect(() => createGuard({ namespace: 'a', prefix: '' })).toThrow(IsolationConfigError);
    // A prefix given by hand may not start another namespace's, nor be started by one.
    expect(() => createGuard({ namespace: 'x', namespaces: ['ab'], prefix: 'a' })).toThrow(/overlaps "ab:"/);
    expect(() => createGuard({ namespace: 'x', namespaces: ['ab'], prefix: 'ab:x' })).toThrow(/overlaps "ab"/);
    expect(() => createGuard({ namespace: 'x', families: ['tenant-*'], prefix: 'tenant-9' })).toThrow(/overlaps family tenant-\*/);
    expect(() => createGuard({ namespace: 'celery', namespaces: ['mcp2'], prefix: 'celery:bull:' })).not.toThrow();
    expect(() => createGuard({ namespace: 'mcp', namespaces: ['mcp', 'mcp2'] })).not.toThrow();
  });
});

describe('registered commands', () => {
  const json = createGuard({
    namespace: 'mcp2',
    commands: {
      'JSON.SET': { firstKey: 0 },
      'json.mget': { firstKey: 0, lastKey: -2 },
      'ft.search': { keys: 'none' },
      'graph.query': { locate: (args, sink) => sink.at(0, 'key') },
      keys: { blocked: 'use SCAN in this service' },
      'client|list': { blocked: 'not here' },
    },
  });

  it('places the keys of module commands', () => {
    expect(json.rewrite('json.set', ['doc', '$', '{}'])).toEqual(['mcp2:doc', '$', '{}']);
    expect(json.rewrite('JSON.MGET', ['a', 'b', '$'])).toEqual(['mcp2:a', 'mcp2:b', '$']);
    expect(json.rewrite('ft.search', ['idx', '*'])).toEqual(['idx', '*']);
    expect(json.rewrite('graph.query', ['g', 'MATCH (n) RETURN n'])).toEqual(['mcp2:g', 'MATCH (n) RETURN n']);
    expect(json.describe(['JSON.SET', 'doc', '$', '{}']).keys).toEqual([1]);
  });

  it('can tighten built-ins, never loosen them, and leaves other guards alone', () => {
    expect(() => json.rewrite('keys', ['*'])).toThrow(/use SCAN in this service/);
    expect(() => json.rewrite('client', ['LIST'])).toThrow(BlockedCommandError);
    expect(json.rewrite('client', ['ID'])).toEqual(['ID']);
    expect(guard.rewrite('keys', ['*'])).toEqual(['mcp2:*']);
    expect(() => createGuard({ namespace: 'x', commands: { flushdb: { keys: 'none' } } })).toThrow(IsolationConfigError);
    expect(() => createGuard({ namespace: 'x', commands: { get: { firstKey: 1 } } })).toThrow(/can only be blocked/);
    expect(() => createGuard({ namespace: 'x', commands: { 'm.x': { firstKey: -1 } } })).toThrow(IsolationConfigError);
    expect(() => createGuard({ namespace: 'x', commands: { 'get|x': { blocked: 'no' } } })).toThrow(/no subcommands/);
  });
});

describe('key helpers', () => {
  it('prefixes and un-prefixes single names', () => {
    expect(guard.prefixKey('k')).toBe('mcp2:k');
    expect(guard.unprefixKey('mcp2:k')).toBe('k');
    expect(guard.unprefixKey('other')).toBe('other');
    expect(guard.unprefixKey(Buffer.from('mcp2:k'))).toEqual(Buffer.from('k'));
    expect(() => guard.prefixKey('celery:k')).toThrow(CrossNamespaceError);
  });
});
