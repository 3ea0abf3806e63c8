import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IsolationConfigError, defineLayout, layoutOptionsFromEnv } from '../../src/index.js';
import { startRedisServer, type RunningRedis } from '../support/redis-server.js';

describe('layout URLs are checked when the layout is defined', () => {
  it.each([
    ['redis//celery:6379', /^layout namespace "celery": url "redis\/\/celery:6379" is not a valid URL/],
    ['http://celery', /^layout namespace "celery": url "http:\/\/celery" must start with redis:\/\/, rediss:\/\/ or unix:\/\//],
    ['redis://celery:notaport', /^layout namespace "celery": url "redis:\/\/celery:notaport" is not a valid URL/],
    ['redis://', /names no host/],
    ['/run/redis.sock', /is a path: write a Unix socket as unix:\/\/\/run\/redis\.sock/],
    ['redis://celery?timeout=5', /has query parameter "timeout"/],
    ['redis://svc:s3cret@celery:6379/x', /^layout namespace "celery": url "redis:\/\/svc:\*\*\*@celery:6379\/x" names database "x"/],
  ])('%s', (url, message) => {
    expect(() => defineLayout({ namespaces: { celery: { url } } })).toThrow(IsolationConfigError);
    expect(() => defineLayout({ namespaces: { celery: { url } } })).toThrow(message);
  });

  it('checks defaults.url too, and never shows a password', () => {
    expect(() => defineLayout({ namespaces: { mcp2: {} }, defaults: { url: 'redis//:s3cret@shared' } })).toThrow(/^layout namespace "mcp2": url "redis\/\/:\*\*\*@shared" is not a valid URL/);
    expect(() => defineLayout({ namespaces: { mcp2: { url: 'redis://shared?password=s3cret&x=1' } } })).toThrow(/password=\*\*\*/);
  });

  it('names the environment variable a malformed URL came from', () => {
    expect(() => layoutOptionsFromEnv({ REDIS_NAMESPACE: 'mcp2', REDIS_URL: 'mcp-redis:6379' })).toThrow(/^namespace "mcp2": REDIS_URL "mcp-redis:6379" is not a valid URL/);
    expect(() => layoutOptionsFromEnv({ REDIS_NAMESPACE: 'mcp2', REDIS_URL: 'redis://ok', REDIS_URL_MCP2: 'redis://:s3cret@mcp-redis:port' })).toThrow(
      /^namespace "mcp2": REDIS_URL_MCP2 "redis:\/\/:\*\*\*@mcp-redis:port" is not a valid URL/,
    );
  });

  it('accepts rediss://, IPv6 hosts, ?db= and unix:// sockets', () => {
    const layout = defineLayout({
      namespaces: {
        a: { url: 'rediss://svc:pw@cache.example.com:6380/1' },
        b: { url: 'redis://[::1]:6379?db=2' },
        c: { url: 'unix://:pw@/run/redis.sock?db=3', driver: 'node-redis' },
      },
    });
    expect(layout.describe().map(({ namespace, url }) => [namespace, url])).toEqual([
      ['a', 'rediss://svc:***@cache.example.com:6380/1'],
      ['b', 'redis://[::1]:6379?db=2'],
      ['c', 'unix://:***@/run/redis.sock?db=3'],
    ]);
  });

  it('shares one connection between URLs that name the same server, database and user', () => {
    const layout = defineLayout({
      namespaces: {
        a: { url: 'redis://cache:6379/0' },
        b: { url: 'redis://cache' },
        c: { url: 'redis://cache?db=0' },
        d: { url: 'redis://cache/1' },
        e: { url: 'redis://other:pw@cache/0' },
      },
    });
    const shares = Object.fromEntries(layout.describe().map((entry) => [entry.namespace, entry.sharesConnectionWith]));
    expect(shares).toEqual({ a: ['b', 'c'], b: ['a', 'c'], c: ['a', 'b'], d: [], e: [] });
  });
});

describe('a layout over a Unix socket', () => {
  const dir = mkdtempSync(join(tmpdir(), 'isolated-redis-layout-socket-'));
  const socket = join(dir, 'redis.sock');
  let server: RunningRedis;
  beforeAll(async () => {
    server = await startRedisServer(['--unixsocket', socket, '--unixsocketperm', '700']);
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['ioredis', 'node-redis'] as const)('%s: reaches the server through the socket, on the database of the URL', async (driver) => {
    const layout = defineLayout({ namespaces: { mcp2: { url: `unix://${socket}?db=7`, driver } } });
    try {
      const client = layout.client('mcp2') as unknown as { set(key: string, value: string): Promise<unknown>; get(key: string): Promise<string | null> };
      await client.set('via-socket', driver);
      expect(await client.get('via-socket')).toBe(driver);
      const { Redis } = await import('ioredis');
      const raw = new Redis({ port: server.port, host: '127.0.0.1', db: 7 });
      try {
        expect(await raw.get('mcp2:via-socket')).toBe(driver);
      } finally {
        raw.disconnect();
      }
    } finally {
      await layout.quit();
    }
  });
});
