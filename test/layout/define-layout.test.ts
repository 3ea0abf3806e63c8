import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Redis } from 'ioredis';
import { CrossNamespaceError, IsolationConfigError, defineLayout } from '../../src/index.js';
import { startRedisServer, type RunningRedis } from '../support/redis-server.js';

/** The runbook's setup: one instance per workload (MCP cache, Celery broker, journal streams). */
let mcpRedis: RunningRedis;
let celeryRedis: RunningRedis;
let journalRedis: RunningRedis;
const raw: Redis[] = [];
const rawClient = (server: RunningRedis): Redis => {
  const client = new Redis(server.url);
  raw.push(client);
  return client;
};

beforeAll(async () => {
  [mcpRedis, celeryRedis, journalRedis] = await Promise.all([startRedisServer(), startRedisServer(), startRedisServer()]);
});
afterAll(async () => {
  raw.forEach((client) => client.disconnect());
  await Promise.all([mcpRedis, celeryRedis, journalRedis].map((server) => server.stop()));
});

/** The runbook's layout: both MCP services on the MCP instance, Celery and the journal on their own. */
const runbookLayout = () =>
  defineLayout({
    namespaces: {
      mcp2: { url: `${mcpRedis.url}/0` },
      mcp3: { url: `${mcpRedis.url}/0` },
      celery: { url: `${celeryRedis.url}/0`, mode: 'strict' },
      journal: { url: `${journalRedis.url}/0`, driver: 'node-redis' },
    },
  });

describe('defineLayout over three redis-servers', () => {
  let layout: ReturnType<typeof runbookLayout>;
  const clients = (server: RunningRedis): Promise<string> => rawClient(server).client('LIST') as Promise<string>;

  beforeAll(() => {
    layout = runbookLayout();
  });
  afterAll(async () => {
    await layout.quit();
  });

  it("puts each namespace's keys on its own instance only", async () => {
    await layout.client('mcp2').set('payload:1', 'a');
    await layout.client('mcp3').set('payload:1', 'b');
    await layout.client('celery').lpush('celery:queue', 'job');
    await layout.client('journal').xAdd('events', '*', { kind: 'login' });
    expect((await rawClient(mcpRedis).keys('*')).sort()).toEqual(['mcp2:payload:1', 'mcp3:payload:1']);
    expect(await rawClient(celeryRedis).keys('*')).toEqual(['celery:queue']);
    expect(await rawClient(journalRedis).keys('*')).toEqual(['journal:events']);
  });

  it('shares one connection between namespaces on one instance, one per distinct instance', async () => {
    expect(layout.client('mcp2')).toBe(layout.client('mcp2'));
    expect(Object.getPrototypeOf(layout.client('mcp2'))).toBe(Object.getPrototypeOf(layout.client('mcp3')));
    expect(layout.describe().find((entry) => entry.namespace === 'mcp2')?.sharesConnectionWith).toEqual(['mcp3']);
    const onDb7 = defineLayout({ namespaces: { mcp2: { url: `${mcpRedis.url}/7` }, mcp3: { url: `${mcpRedis.url}/7` }, celery: { url: `${celeryRedis.url}/7` } } });
    await Promise.all([onDb7.client('mcp2').ping(), onDb7.client('mcp3').ping(), onDb7.client('celery').ping()]);
    const onDatabase7 = async (server: RunningRedis): Promise<number> => (await clients(server)).split('\n').filter((line) => line.includes(' db=7 ')).length;
    expect([await onDatabase7(mcpRedis), await onDatabase7(celeryRedis)]).toEqual([1, 1]);
    await onDb7.quit();
  });

  it("refuses one layout client another namespace's keys, the layout's namespaces being the known ones", async () => {
    await expect(layout.client('mcp2').get('celery:queue')).rejects.toBeInstanceOf(CrossNamespaceError);
    await expect(layout.client('journal').get('mcp3:payload:1')).rejects.toBeInstanceOf(CrossNamespaceError);
    await expect(layout.client('celery').get('queue')).rejects.toMatchObject({ code: 'ERR_UNPREFIXED_KEY' });
    expect(() => (layout.client as (name: string) => unknown)('mcp4')).toThrow(/unknown namespace "mcp4"/);
  });

  it('closes every connection on quit()', async () => {
    const short = defineLayout({ namespaces: { a: { url: celeryRedis.url }, b: { url: journalRedis.url, driver: 'node-redis' } } });
    await short.client('a').set('k', '1');
    await short.client('b').set('k', '1');
    const [a, b] = [short.client('a'), short.client('b')];
    await short.quit();
    await vi.waitFor(() => expect([a.status, b.isOpen]).toEqual(['end', false]));
  });

  it('also closes the connections its clients opened for themselves (blocking commands, subscriptions) on quit()', async () => {
    const server = await startRedisServer();
    try {
      const own = defineLayout({ namespaces: { a: { url: server.url }, b: { url: server.url, driver: 'node-redis' } } });
      const [a, b] = [own.client('a'), own.client('b')];
      await a.blpop('q', 0.01);
      await a.subscribe('news');
      await b.blPop('q', 0.01);
      await b.subscribe('news', () => undefined);
      const observer = new Redis(server.url);
      const others = async (): Promise<number> => String(await observer.client('LIST')).trim().split('\n').length - 1;
      expect(await others()).toBe(6); // a's and b's shared connections, and an exclusive and a subscriber connection each
      await own.quit();
      await vi.waitFor(async () => expect(await others()).toBe(0));
      observer.disconnect(); // before the server stops: a reconnecting client would log each attempt
    } finally {
      await server.stop();
    }
  });
});

describe('a layout serving a family of namespaces', () => {
  it("gives each member a view over the family's connection, refusing every other member's keys", async () => {
    const server = await startRedisServer();
    const tenants = defineLayout({ namespaces: { mcp2: { url: server.url }, 'tenant-*': { url: server.url, driver: 'node-redis' } } });
    try {
      const t1 = tenants.client('tenant-1');
      const t2 = tenants.client('tenant-2');
      expect(tenants.client('tenant-1')).not.toBe(t1); // members are not kept: a view is cheap
      await t1.set('cart', 'a');
      await t2.set('cart', 'b');
      await expect(t2.get('tenant-1:cart')).rejects.toBeInstanceOf(CrossNamespaceError);
      await expect(tenants.client('mcp2').get('tenant-2:cart')).rejects.toBeInstanceOf(CrossNamespaceError);
      expect(await t1.get('cart')).toBe('a');
      const observer = new Redis(server.url);
      expect((await observer.keys('*')).sort()).toEqual(['tenant-1:cart', 'tenant-2:cart']);
      observer.disconnect();
      expect(tenants.describe().map((entry) => entry.prefix)).toEqual(['mcp2:', 'tenant-*:']);
      expect(() => (tenants.client as (name: string) => unknown)('tenant-')).toThrow(/unknown namespace "tenant-"/);
      expect(() => (tenants.client as (name: string) => unknown)('team-1')).toThrow(/unknown namespace "team-1"/);
    } finally {
      await tenants.quit();
      await server.stop();
    }
  });
});

describe("a family's connections and pressure monitor", () => {
  it('runs one pressure monitor per family, not per member, and quit() closes what dropped member views opened', async () => {
    const server = await startRedisServer();
    const samples: string[] = [];
    const tenants = defineLayout({
      namespaces: { 'tenant-*': { url: server.url } },
      instrumentation: { pressure: { intervalMs: 50 }, hooks: { onPressureSample: (event) => samples.push(event.namespace) } },
    });
    try {
      for (let i = 0; i < 30; i++) await tenants.client(`tenant-${i}`).set('k', 'v');
      // Member views that open connections of their own, then are dropped without quit().
      await tenants.client('tenant-1').blpop('q', 0.01);
      await tenants.client('tenant-2').subscribe('news');
      await vi.waitFor(() => expect(samples.length).toBeGreaterThanOrEqual(3));
      expect(new Set(samples)).toEqual(new Set(['tenant-*']));
      const observer = new Redis(server.url);
      const others = async (): Promise<number> => String(await observer.client('LIST')).trim().split('\n').length - 1;
      expect(await others()).toBe(3); // the family's connection, tenant-1's exclusive one, the shared subscriber
      await tenants.quit();
      await vi.waitFor(async () => expect(await others()).toBe(0));
      observer.disconnect();
    } finally {
      await tenants.quit();
      await server.stop();
    }
  });
});

describe('quit() with an unreachable instance', () => {
  it('settles at once, failing the commands that wait for it', async () => {
    const errors: Error[] = [];
    const layout = defineLayout({ namespaces: { down: { url: 'redis://127.0.0.1:1/0' }, gone: { url: 'redis://127.0.0.1:1/0', driver: 'node-redis' } }, onError: (error) => errors.push(error) });
    const pending = [layout.client('down').get('k'), layout.client('gone').get('k')].map((p) => p.then(() => 'replied', () => 'failed'));
    await layout.quit();
    expect(await Promise.all(pending)).toEqual(['failed', 'failed']);
  });
});

describe('invalid layouts fail when they are defined, naming the entry', () => {
  const url = 'redis://127.0.0.1:6379/0';
  const cases: Array<[string, Parameters<typeof defineLayout>[0], RegExp]> = [
    ['no namespaces', { namespaces: {} }, /at least one namespace/],
    ['a malformed URL', { namespaces: { celery: { url: 'redis//celery:6379' } } }, /namespace "celery": url "redis\/\/celery:6379" is not a valid URL/],
    ['another scheme', { namespaces: { celery: { url: 'http://celery:6379' } } }, /namespace "celery": .*must start with redis:\/\//],
    ['a database that is not a number', { namespaces: { celery: { url: 'redis://celery:6379/zero' } } }, /namespace "celery": .*database number/],
    ['no URL', { namespaces: { celery: {} } }, /namespace "celery": has no url/],
    ['an unknown driver', { namespaces: { mcp2: { url, driver: 'redis-om' as 'ioredis' } } }, /namespace "mcp2": driver "redis-om"/],
    ['an unknown mode', { namespaces: { mcp2: { url, mode: 'loose' as 'strict' } } }, /namespace "mcp2": mode "loose"/],
    ['no separator, so that a namespace could be a prefix of another', { namespaces: { mcp: { url }, mcp2: { url } }, defaults: { separator: '' } }, /separator must be a non-empty string/],
    ['nested namespaces', { namespaces: { a: { url }, 'a:b': { url } } }, /namespace "a:b": a namespace is letters/],
    ['a known namespace holding the separator', { namespaces: { mcp: { url } }, knownNamespaces: ['mcp:2'] }, /"mcp:2" is refused: it contains the separator/],
    ['overlapping families', { namespaces: { 'tenant-*': { url } }, knownFamilies: ['tenant-eu-*'] }, /families "tenant-\*" and "tenant-eu-\*" overlap/],
    ['a family that is not a stem and a star', { namespaces: { 't*x': { url } } }, /"t\*x": a namespace is letters/],
  ];
  it.each(cases)('%s', (_, options, message) => {
    expect(() => defineLayout(options)).toThrow(IsolationConfigError);
    expect(() => defineLayout(options)).toThrow(message);
  });

  it('keeps passwords out of its messages', () => {
    expect(() => defineLayout({ namespaces: { celery: { url: 'http://user:secret@celery:6379' } } })).toThrow(/user:\*\*\*@/);
  });

  it('accepts mcp and mcp2 with a separator: their prefixes mcp: and mcp2: cannot address each other', () => {
    expect(defineLayout({ namespaces: { mcp: { url }, mcp2: { url } } }).namespaces).toEqual(['mcp', 'mcp2']);
  });
});
