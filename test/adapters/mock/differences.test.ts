import RedisMock from 'ioredis-mock';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IsolationConfigError, createIsolatedRedis, type Isolated } from '../../../src/index.js';
import { startRedisServer, type RunningRedis } from '../../support/redis-server.js';

/**
 * The README's list of what still differs between the mock view and a real server: each item
 * is asserted here against the installed ioredis-mock (and against a real server where Redis's
 * answer is fixed), and the list must name exactly the items checked here. When a release of
 * the mock fixes one, its check fails and the list is updated.
 */
interface Clients {
  /** An isolated view over a fresh ioredis-mock. */
  readonly mock: Isolated<Redis>;
  /** An isolated view over the real server (flushed before each check), ioredis 5 like the mock. */
  readonly real: Isolated<Redis>;
}

const settle = (promise: Promise<unknown>): Promise<unknown> => promise.then((value) => value, (error: Error) => ({ error: error.message }));

const CHECKS: Record<string, (c: Clients) => Promise<void>> = {
  'Commands and options it cannot run': async ({ mock, real }) => {
    await mock.rpush('list', '2', '1');
    await real.rpush('list', '2', '1');
    await expect(mock.sort('list')).rejects.toMatchObject({ code: 'ERR_MOCK_UNSUPPORTED', command: 'sort' });
    expect(await real.sort('list')).toEqual(['1', '2']);
    await expect(mock.blpop('list', 1)).rejects.toMatchObject({ code: 'ERR_MOCK_UNSUPPORTED', command: 'blpop' });
    await expect(mock.scan(0, 'TYPE', 'string')).rejects.toMatchObject({ code: 'ERR_MOCK_UNSUPPORTED', option: 'TYPE' });
  },

  'Wrong types and bad numbers are not refused': async ({ mock, real }) => {
    for (const client of [mock, real]) await client.set('s', 'abc');
    await expect(real.hget('s', 'f')).rejects.toThrow(/^WRONGTYPE/);
    expect(await mock.hget('s', 'f')).toBeNull();
    await expect(real.lpush('s', 'x')).rejects.toThrow(/^WRONGTYPE/);
    await expect(mock.lpush('s', 'x')).rejects.toThrow(/does not contain a list/);
    await expect(real.incr('s')).rejects.toThrow(/not an integer/);
    await mock.incr('s');
    expect(await mock.get('s')).toBe('NaN');
    await expect(real.set('e', 'v', 'EX', 0)).rejects.toThrow(/invalid expire time/);
    expect(await mock.set('e', 'v', 'EX', 0)).toBe('OK');
  },

  'A failing command fails the whole pipeline': async ({ mock, real }) => {
    for (const client of [mock, real]) await client.set('s', 'abc');
    const onServer = (await real.pipeline().set('a', '1').lpush('s', 'x').get('a').exec()) ?? [];
    expect(onServer.map(([error, reply]) => (error ? 'error' : reply))).toEqual(['OK', 'error', '1']);
    await expect(mock.multi().set('a', '2').lpush('s', 'x').get('a').exec()).rejects.toThrow(/does not contain a list/);
    expect(await mock.get('a')).toBe('2'); // the commands before the failing one ran
  },

  'Explicit stream IDs get a third part': async ({ mock, real }) => {
    expect(await real.xadd('st', '1-1', 'f', 'v')).toBe('1-1');
    expect(await mock.xadd('st', '1-1', 'f', 'v')).toBe('1-1-0');
    expect(await mock.xrange('st', '-', '+')).toEqual([['1-1-0', ['f', 'v']]]);
  },

  'TYPE of a stream is list': async ({ mock, real }) => {
    for (const client of [mock, real]) await client.xadd('st', '*', 'f', 'v');
    expect(await real.type('st')).toBe('stream');
    expect(await mock.type('st')).toBe('list');
  },

  "OBJECT ENCODING is the mock's own": async ({ mock, real }) => {
    const long = Array.from({ length: 200 }, () => 'x'.repeat(100));
    for (const client of [mock, real]) await client.rpush('l', ...long);
    expect(await real.object('ENCODING', 'l')).toBe('quicklist');
    expect(await mock.object('ENCODING', 'l')).toBe('listpack');
  },

  'An emptied set or sorted set stays': async ({ mock, real }) => {
    for (const client of [mock, real]) {
      await client.sadd('set', 'a');
      await client.spop('set');
      await client.zadd('z', 1, 'a');
      await client.zrem('z', 'a');
    }
    expect(await real.exists('set', 'z')).toBe(0);
    expect(await mock.exists('set', 'z')).toBe(2);
    expect((await mock.keys('*')).sort()).toEqual(['set', 'z']);
  },

  'SCAN misses names when others are deleted': async ({ mock, real }) => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    /** Scans with COUNT 2, deleting the first name of the first page; what it saw, and what stayed all along. */
    const scanDeletingOne = async (client: Isolated<Redis>): Promise<{ seen: string[]; stayed: string[] }> => {
      for (const name of names) await client.set(name, '1');
      const seen: string[] = [];
      let deleted: string | undefined;
      let cursor = '0';
      do {
        const [next, batch] = await client.scan(cursor, 'COUNT', 2);
        seen.push(...batch);
        if (deleted === undefined && batch[0] !== undefined) await client.del((deleted = batch[0]));
        cursor = next;
      } while (cursor !== '0');
      return { seen, stayed: names.filter((name) => name !== deleted) };
    };
    const onServer = await scanDeletingOne(real);
    expect(onServer.stayed.filter((name) => !onServer.seen.includes(name))).toEqual([]);
    const onMock = await scanDeletingOne(mock);
    expect(onMock.stayed.filter((name) => !onMock.seen.includes(name))).toEqual(['c']);
  },

  'PSUBSCRIBE patterns match characters, not bytes': async ({ mock, real }) => {
    const counts: number[] = [];
    for (const client of [real, mock]) {
      const subscriber = client.duplicate();
      await subscriber.psubscribe('news:?');
      counts.push(await client.publish('news:é', 'x'));
      subscriber.disconnect();
    }
    expect(counts).toEqual([0, 1]);
  },

  'INFO is a fixed text': async ({ mock }) => {
    const before = await mock.info('memory');
    await mock.set('big', 'x'.repeat(1_000_000));
    expect(await mock.info('memory')).toBe(before);
    const raw = new RedisMock({ host: `differences-${randomUUID()}` }) as unknown as Redis;
    expect(() => createIsolatedRedis({ namespace: 'mcp2', client: raw, pressure: true })).toThrow(IsolationConfigError);
  },
};

/** The bold titles of the README's list, under "What still differs from a real server". */
async function listedInReadme(): Promise<string[]> {
  const readme = await readFile('README.md', 'utf8');
  const start = readme.indexOf('### What still differs from a real server');
  expect(start).toBeGreaterThan(0);
  const rest = readme.slice(start + 1);
  const end = rest.search(/\n#{2,3} /);
  const section = end === -1 ? rest : rest.slice(0, end);
  return [...section.matchAll(/^- \*\*(.+?)\.\*\*/gm)].map((match) => match[1] as string);
}

describe('what still differs between the mock view and a real server (the README list)', () => {
  let server: RunningRedis;
  let raw: Redis;
  let clients: Clients;

  beforeAll(async () => {
    server = await startRedisServer();
    raw = new Redis(server.url);
  });
  beforeEach(async () => {
    await raw.flushall();
    const mockRaw = new RedisMock({ host: `differences-${randomUUID()}` }) as unknown as Redis;
    clients = { mock: createIsolatedRedis({ namespace: 'mcp2', client: mockRaw }), real: createIsolatedRedis({ namespace: 'mcp2', client: raw }) };
  });
  afterAll(async () => {
    raw?.disconnect();
    await server?.stop();
  });

  it('the README lists exactly the differences checked here', async () => {
    expect((await listedInReadme()).sort()).toEqual(Object.keys(CHECKS).sort());
  });

  it.each(Object.keys(CHECKS))('%s', async (title) => {
    await (CHECKS[title] as (c: Clients) => Promise<void>)(clients);
  });

  it('the cases the view fixed stay fixed: the same replies as the real adapter', async () => {
    const run = async (client: Isolated<Redis>): Promise<unknown[]> => [
      await settle(client.set('k', true as unknown as string)),
      await settle(client.get('k')),
      await settle(client.set('a\nb', '1')),
      await settle(client.scan(0, 'MATCH', 'a*', 'COUNT', 100)),
      await settle(client.scan(0, 'MATCH', 'a)*')),
      await settle(client.pipeline().call('get', 'k').exec()),
    ];
    expect(await run(clients.mock)).toEqual(await run(clients.real));
  });
});
