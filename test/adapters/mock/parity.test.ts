import RedisMock from 'ioredis-mock';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createIsolatedRedis, type Isolated } from '../../../src/index.js';
import { startRedisServer, type RunningRedis } from '../../support/redis-server.js';

/**
 * The mock view against the real ioredis adapter (ioredis 5, the version ioredis-mock runs on)
 * over a real redis-server: the same calls give the same replies and store the same keys and
 * values. What ioredis sends for `null`, booleans and objects is read back from the server.
 */
const namespaces = ['mcp2', 'celery'];

type Call = readonly [method: string, ...args: unknown[]];
type Method = (...args: unknown[]) => unknown;
const invoke = (client: object, [method, ...args]: Call): Promise<unknown> =>
  Promise.resolve()
    .then(() => ((client as Record<string, Method>)[method] as Method).apply(client, args))
    .catch((error: Error & { code?: string }) => ({ error: error.code ?? error.message }));

/** Every key of a raw client with its string value (or its type, for other types), sorted. */
async function stored(raw: Redis): Promise<Array<[string, string]>> {
  const keys = (await raw.keys('*')).sort();
  return Promise.all(keys.map(async (key): Promise<[string, string]> => {
    const type = await raw.type(key);
    return [key, type === 'string' ? ((await raw.get(key)) as string) : type];
  }));
}

describe('the mock view and the real ioredis adapter: parity', () => {
  let server: RunningRedis;
  let serverRaw: Redis;
  let real: Isolated<Redis>;
  let mockRaw: Redis;
  let mock: Isolated<Redis>;

  beforeAll(async () => {
    server = await startRedisServer();
    serverRaw = new Redis(server.url);
  });
  beforeEach(async () => {
    await serverRaw.flushall();
    real = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: serverRaw });
    mockRaw = new RedisMock({ host: `parity-${randomUUID()}` });
    mock = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: mockRaw });
  });
  afterAll(async () => {
    serverRaw?.disconnect();
    await server?.stop();
  });

  const both = async (calls: readonly Call[]): Promise<{ real: unknown[]; mock: unknown[] }> => {
    const onServer: unknown[] = [];
    const onMock: unknown[] = [];
    for (const call of calls) {
      onServer.push(await invoke(real, call));
      onMock.push(await invoke(mock, call));
    }
    return { real: onServer, mock: onMock };
  };

  it('null, undefined, booleans, bigints and objects: sent as ioredis writes them, on both', async () => {
    const calls: Call[] = [
      ['get', null],
      ['set', 'k-true', true],
      ['set', 'k-false', false],
      ['set', 'k-object', {}],
      ['set', 'k-null', null],
      ['set', 'k-undefined', undefined],
      ['set', null, 'empty-name'],
      ['get', null],
      ['get', undefined],
      ['hset', 'h', { a: null, b: true, c: 1.5 }],
      ['hgetall', 'h'],
      ['mset', { 'm-true': true, 'm-object': { x: 1 } }],
      ['call', 'set', 'c-true', true],
      ['call', 'get', null],
      ['append', 'k-true', { toString: () => '!' }],
      ['get', 'k-true'],
      ['set', 123n, 456n],
      ['get', 123n],
    ];
    const replies = await both(calls);
    expect(replies.mock).toEqual(replies.real);
    expect(await stored(mockRaw)).toEqual(await stored(serverRaw));
    // What ioredis 5 sends, as the server stored it:
    expect(Object.fromEntries(await stored(serverRaw))).toEqual({
      'mcp2:': 'empty-name',
      'mcp2:k-true': 'true!',
      'mcp2:k-false': 'false',
      'mcp2:k-object': '[object Object]',
      'mcp2:k-null': '',
      'mcp2:k-undefined': '',
      'mcp2:h': 'hash',
      'mcp2:m-true': 'true',
      'mcp2:m-object': '[object Object]',
      'mcp2:c-true': 'true',
      'mcp2:123': '456',
    });
    expect(await serverRaw.hgetall('mcp2:h')).toEqual({ a: '', b: 'true', c: '1.5' });
  });

  it('pipelines and MULTI take call() and callBuffer(), guarded like the rest', async () => {
    const run = async (client: Isolated<Redis>): Promise<unknown> => [
      await client.pipeline().call('set', 'a', '1').callBuffer('GET', 'a').call('incr', 'n').call('scan', '0', 'MATCH', 'a*').exec(),
      await client.multi().call('set', 'b', true as unknown as string).call('get', 'b').exec(),
      await client.pipeline().call('set', 'x', '1').call('get', 'celery:x').exec().catch((error: Error & { code: string }) => error.code),
      await client.pipeline().call('multi').exec().catch((error: Error & { code: string }) => error.code),
    ];
    const onServer = await run(real);
    expect(await run(mock)).toEqual(onServer);
    expect(onServer).toEqual([
      [[null, 'OK'], [null, Buffer.from('1')], [null, 1], [null, ['0', ['a']]]],
      [[null, 'OK'], [null, 'true']],
      'ERR_CROSS_NAMESPACE',
      'ERR_BLOCKED_COMMAND',
    ]);
    expect(await stored(mockRaw)).toEqual(await stored(serverRaw));
  });

  it("KEYS and SCAN MATCH: Redis's glob, names with a newline and patterns with parentheses included", async () => {
    const names = ['a\nb', 'a)b', 'x(y)', 'ab', 'a.b', 'a+b', 'é', 'a\\b', 'a[b'];
    const patterns = ['a*', 'a)*', '*)*', 'x(*', 'a[\n)]b', 'a?b', 'a.b', '?', '??', 'a\\\\b', 'a\\[b', '[a-b]*', '*'];
    for (const client of [real, mock]) for (const name of names) await client.set(name, name);
    await serverRaw.set('celery:a1', 'x');
    await mockRaw.set('celery:a1', 'x');
    const collect = async (client: Isolated<Redis>, match: string): Promise<string[]> => {
      const seen: string[] = [];
      for await (const batch of client.scanStream({ match, count: 3 })) seen.push(...(batch as string[]));
      return seen.sort();
    };
    for (const pattern of patterns) {
      const onServer = await collect(real, pattern);
      expect(await collect(mock, pattern), JSON.stringify(pattern)).toEqual(onServer);
      expect((await mock.keys(pattern)).sort(), JSON.stringify(pattern)).toEqual((await real.keys(pattern)).sort());
      expect(onServer.every((name) => names.includes(name))).toBe(true);
    }
    expect(await collect(mock, 'a*')).toEqual(['a\nb', 'a)b', 'a+b', 'a.b', 'a[b', 'ab', 'a\\b'].sort());
    expect(await collect(mock, 'a)*')).toEqual(['a)b']);
    // Bytes, not characters: `??` is two bytes, 'ab' or the UTF-8 of 'é'.
    expect((await mock.keysBuffer('??')).map(String).sort()).toEqual(['ab', 'é']);
  });

  it('HSCAN, SSCAN and ZSCAN MATCH look at the field or member, as on the server', async () => {
    const fill = async (client: Isolated<Redis>): Promise<void> => {
      await client.hset('h', 'f\n1', 'v1', 'g', 'w', 'f)2', 'v2');
      await client.sadd('s', 'm\n1', 'n', 'm)2');
      await client.zadd('z', 1, 'm\n1', 2, 'n', 3, 'm)2');
    };
    await fill(real);
    await fill(mock);
    const scans = async (client: Isolated<Redis>): Promise<unknown[]> => {
      const pairs = (reply: [string, string[]]): string[] => reply[1];
      return [
        pairs(await client.hscan('h', 0, 'MATCH', 'f*', 'COUNT', 100)),
        pairs(await client.hscan('h', 0, 'MATCH', 'g')),
        pairs(await client.sscan('s', 0, 'MATCH', 'm*')).sort(),
        pairs(await client.zscan('z', 0, 'MATCH', 'm)*')),
      ];
    };
    const onServer = await scans(real);
    expect(await scans(mock)).toEqual(onServer);
    expect(onServer).toEqual([['f\n1', 'v1', 'f)2', 'v2'], ['g', 'w'], ['m\n1', 'm)2'], ['m)2', '3']]);
  });
});
