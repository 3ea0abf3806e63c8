import { describe, expect, it } from 'vitest';
import { createGuard } from '../../src/index.js';

const guard = createGuard({ namespace: 'mcp2', namespaces: ['mcp2', 'celery'] });
const b = (text: string): Buffer => Buffer.from(text);

describe('reply un-prefixing', () => {
  it('strips KEYS and SCAN replies, strings and Buffers', () => {
    expect(guard.unprefixReply('keys', ['*'], ['mcp2:a', 'mcp2:b'])).toEqual(['a', 'b']);
    expect(guard.unprefixReply('KEYS', ['*'], [b('mcp2:a')])).toEqual([b('a')]);
    expect(guard.unprefixReply('scan', ['0'], ['17', ['mcp2:a', 'mcp2:mcp2:b']])).toEqual(['17', ['a', 'mcp2:b']]);
  });

  it('strips the key of blocking pops and *MPOP, never the values', () => {
    expect(guard.unprefixReply('blpop', ['q', '0'], ['mcp2:q', 'mcp2:value'])).toEqual(['q', 'mcp2:value']);
    expect(guard.unprefixReply('brpop', ['q', '0'], null)).toBeNull();
    expect(guard.unprefixReply('bzpopmin', ['z', '0'], ['mcp2:z', 'm', '1'])).toEqual(['z', 'm', '1']);
    expect(guard.unprefixReply('bzpopmax', ['z', '0'], ['mcp2:z', 'm', 1])).toEqual(['z', 'm', 1]);
    expect(guard.unprefixReply('lmpop', ['1', 'l', 'LEFT'], ['mcp2:l', ['mcp2:x']])).toEqual(['l', ['mcp2:x']]);
    expect(guard.unprefixReply('blmpop', ['0', '1', 'l', 'LEFT'], ['mcp2:l', ['a']])).toEqual(['l', ['a']]);
    expect(guard.unprefixReply('zmpop', ['1', 'z', 'MIN'], ['mcp2:z', [['m', '1']]])).toEqual(['z', [['m', '1']]]);
    expect(guard.unprefixReply('bzmpop', ['0', '1', 'z', 'MIN'], ['mcp2:z', [['m', 1]]])).toEqual(['z', [['m', 1]]]);
  });

  it('strips XREAD stream names in RESP2 arrays and RESP3 maps', () => {
    const entries = [['1-0', ['f', 'mcp2:v']]];
    const args = ['STREAMS', 's', '0'];
    expect(guard.unprefixReply('xread', args, [['mcp2:s', entries], ['mcp2:t', []]])).toEqual([['s', entries], ['t', []]]);
    expect(guard.unprefixReply('xread', args, new Map([['mcp2:s', entries]]))).toEqual(new Map([['s', entries]]));
    expect(guard.unprefixReply('xread', args, new Map([[b('mcp2:s'), entries]]))).toEqual(new Map([[b('s'), entries]]));
    expect(guard.unprefixReply('xreadgroup', ['GROUP', 'g', 'c', ...args], { 'mcp2:s': entries })).toEqual({ s: entries });
    expect(guard.unprefixReply('xread', args, null)).toBeNull();
    // node-redis 5 decodes RESP3 maps as objects without a prototype: the copy keeps that.
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { 'mcp2:s': entries });
    const stripped = guard.unprefixReply('xread', args, bare) as Record<string, unknown>;
    expect(Object.getPrototypeOf(stripped)).toBeNull();
    expect(Object.keys(stripped)).toEqual(['s']);
    // ioredis 6 (RESP3, legacy reply mapping) hands the map over flattened.
    expect(guard.unprefixReply('xread', args, ['mcp2:s', entries, b('mcp2:t'), []])).toEqual(['s', entries, b('t'), []]);
  });

  it('strips PUBSUB channel names and counts', () => {
    expect(guard.unprefixReply('pubsub', ['CHANNELS'], ['mcp2:a'])).toEqual(['a']);
    expect(guard.unprefixReply('pubsub', ['shardchannels'], ['mcp2:a'])).toEqual(['a']);
    expect(guard.unprefixReply('pubsub', ['NUMSUB', 'a', 'b'], ['mcp2:a', 1, 'mcp2:b', 0])).toEqual(['a', 1, 'b', 0]);
    expect(guard.unprefixReply('pubsub', ['SHARDNUMSUB', 'a'], { 'mcp2:a': 2 })).toEqual({ a: 2 });
    expect(guard.unprefixReply('pubsub', ['NUMSUB', 'a'], new Map([['mcp2:a', 2]]))).toEqual(new Map([['a', 2]]));
  });

  it('leaves replies of other commands, and errors, untouched', () => {
    expect(guard.unprefixReply('get', ['k'], 'mcp2:value')).toBe('mcp2:value');
    expect(guard.unprefixReply('lrange', ['k', '0', '-1'], ['mcp2:a'])).toEqual(['mcp2:a']);
    const error = new Error('WRONGTYPE');
    expect(guard.unprefixReply('blpop', ['q', '0'], error)).toBe(error);
    expect(guard.unprefixReply('nosuchcommand', [], 'x')).toBe('x');
  });

  it('reports the shape so adapters decide at send time', () => {
    expect(guard.replyShape('keys', ['*'])).toBe('key-list');
    expect(guard.replyShape('get', ['k'])).toBeUndefined();
    expect(guard.unprefixShape('key-first', ['mcp2:q', 'v'])).toEqual(['q', 'v']);
    const slot = { shape: undefined as ReturnType<typeof guard.replyShape> };
    guard.rewrite('blpop', ['q', '0'], slot);
    expect(slot.shape).toBe('key-first');
    guard.rewrite('get', ['k'], slot);
    expect(slot.shape).toBeUndefined();
  });
});
