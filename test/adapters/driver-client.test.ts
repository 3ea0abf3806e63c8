import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectDriverClient, createDriverClient, type Driver } from '../../src/adapters/driver-client.js';
import { ConnectionFailedError, createIsolatedRedis, IsolationConfigError } from '../../src/index.js';
import { freePort, infoFields, startRedisServer, type RunningRedis } from '../support/redis-server.js';
import { startFaultyEndpoint, type FaultyEndpoint } from '../support/tcp-faults.js';

/** What both drivers' raw clients offer these tests. */
interface Raw {
  on(event: 'error', listener: (error: Error) => void): unknown;
  connect(): Promise<unknown>;
  sendCommand?(args: string[]): Promise<unknown>;
  call?(...args: string[]): Promise<unknown>;
  disconnect?(): void;
  destroy?(): void;
  readonly status?: string;
  readonly isOpen?: boolean;
}

const DRIVERS: readonly Driver[] = ['ioredis', 'node-redis'];

const command = (client: Raw, ...args: string[]): Promise<unknown> => (client.call ? client.call(...args) : (client.sendCommand as (args: string[]) => Promise<unknown>)(args));
const close = (client: Raw): void => (client.destroy ? client.destroy() : client.disconnect?.());

/**
 * A client made by `createDriverClient`, and how its first connection ended: ioredis connects by
 * itself and fails the commands waiting for it; node-redis fails `connect()`.
 */
async function firstOutcome(driver: Driver, url: string, options: Parameters<typeof createDriverClient>[2]): Promise<{ client: Raw; error: unknown }> {
  const client = createDriverClient(driver, url, options) as Raw;
  client.on('error', () => {}); // node-redis throws an error event nobody listens to
  const error = await (driver === 'ioredis' ? command(client, 'PING') : client.connect()).then(
    () => undefined,
    (failure: unknown) => failure,
  );
  return { client, error };
}

/** The library's error, also where node-redis wraps it (`ReconnectStrategyError.originalError`). */
const failureOf = (error: unknown): ConnectionFailedError => {
  const found = error instanceof ConnectionFailedError ? error : (error as { originalError?: unknown }).originalError;
  expect(found).toBeInstanceOf(ConnectionFailedError);
  return found as ConnectionFailedError;
};

let server: RunningRedis;
// Known when the test table is built: a Unix socket in a directory of its own.
const socketDir = mkdtempSync(join(tmpdir(), 'isolated-redis-socket-'));
let admin: Redis;

beforeAll(async () => {
  server = await startRedisServer(['--bind', '127.0.0.1 ::1', '--unixsocket', join(socketDir, 'redis.sock'), '--unixsocketperm', '700', '--requirepass', 'pw']);
  admin = new Redis(server.url, { password: 'pw' });
});
afterAll(async () => {
  admin?.disconnect();
  await server?.stop();
  rmSync(socketDir, { recursive: true, force: true });
});

const connectionsReceived = async (): Promise<number> => Number(infoFields(await admin.info('stats')).get('total_connections_received'));

describe.each(DRIVERS)('%s: a client created from a URL fails fast', (driver) => {
  let endpoint: FaultyEndpoint;
  beforeAll(async () => {
    endpoint = await startFaultyEndpoint('close');
  });
  afterAll(async () => {
    await endpoint?.stop();
  });

  it('makes connectAttempts attempts, each a connection, then fails with the URL, password masked', async () => {
    const before = endpoint.connections;
    const { client, error } = await firstOutcome(driver, `redis://:s3cret@127.0.0.1:${endpoint.port}`, { connectAttempts: 3, connectTimeoutMs: 1000 });
    const failure = failureOf(error);
    expect(endpoint.connections - before).toBe(3);
    expect(failure.message).toMatch(new RegExp(`^cannot connect to redis://:\\*\\*\\*@127\\.0\\.0\\.1:${endpoint.port} after 3 attempts: `));
    expect(failure.message).not.toContain('s3cret');
    expect((error as Error).message).toBe(failure.message);
    expect(failure).toMatchObject({ code: 'ERR_CONNECTION_FAILED', attempts: 3, url: `redis://:***@127.0.0.1:${endpoint.port}` });
    // It has given up: no attempt is left running.
    expect(driver === 'ioredis' ? client.status : client.isOpen).toBe(driver === 'ioredis' ? 'end' : false);
    close(client);
  });

  it('makes one attempt with connectAttempts: 1, and says what it met', async () => {
    const port = await freePort();
    const { client, error } = await firstOutcome(driver, `redis://127.0.0.1:${port}`, { connectAttempts: 1 });
    expect(failureOf(error).message).toBe(`cannot connect to redis://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`);
    close(client);
  });

  it('gives up at once when the server refuses the credentials, whatever connectAttempts allows', async () => {
    const before = await connectionsReceived();
    const { client, error } = await firstOutcome(driver, `redis://:wrong@127.0.0.1:${server.port}`, { connectAttempts: 5 });
    if (driver === 'ioredis') {
      // ioredis fails the waiting commands with the server's refusal itself, then the client stops.
      expect((error as Error).message).toMatch(/^WRONGPASS/);
      await vi.waitFor(() => expect(client.status).toBe('end'));
    } else {
      expect(failureOf(error).message).toMatch(new RegExp(`^cannot connect to redis://:\\*\\*\\*@127\\.0\\.0\\.1:${server.port}: WRONGPASS`));
    }
    expect((await connectionsReceived()) - before).toBe(1);
    close(client);
  });

  it('refuses a malformed URL or invalid options before any connection', () => {
    const before = endpoint.connections;
    for (const url of [`redis//127.0.0.1:${endpoint.port}`, `127.0.0.1:${endpoint.port}`, `redis://127.0.0.1:${endpoint.port}/zero`, `redis://127.0.0.1:${endpoint.port}?tls=yes`, 'http://127.0.0.1', 'redis://h:notaport', '/tmp/redis.sock']) {
      expect(() => createDriverClient(driver, url), url).toThrow(IsolationConfigError);
    }
    for (const options of [{ connectAttempts: 0 }, { connectAttempts: 1.5 }, { connectAttempts: -1 }, { connectAttempts: Number.NaN }, { connectTimeoutMs: 0 }, { connectTimeoutMs: Infinity }]) {
      expect(() => createDriverClient(driver, `redis://127.0.0.1:${endpoint.port}`, options), JSON.stringify(options)).toThrow(IsolationConfigError);
    }
    expect(endpoint.connections).toBe(before);
  });

  it.each([
    ['the database in the path, IPv6 host', () => `redis://:pw@[::1]:${server.port}/2`, 'db=2'],
    ['?db= and ?password=', () => `redis://127.0.0.1:${server.port}?password=pw&db=5`, 'db=5'],
    ['a user and password', () => `redis://default:pw@127.0.0.1:${server.port}/6`, 'db=6'],
    ['a Unix socket', () => `unix://:pw@${join(socketDir, 'redis.sock')}?db=3`, `laddr=${join(socketDir, 'redis.sock')}:0`],
  ])('connects to what the URL names: %s', async (_, url, expected) => {
    const client = createDriverClient(driver, url()) as Raw;
    try {
      if (driver === 'node-redis') await client.connect();
      const info = String(await command(client, 'CLIENT', 'INFO'));
      expect(info).toContain(expected);
      if (url().startsWith('redis://:pw@[::1]')) expect(info).toMatch(/ laddr=\[::1\]:/);
    } finally {
      close(client);
    }
  });

  it('bounds the first connection only: once connected, a lost connection comes back', async () => {
    const client = createDriverClient(driver, `redis://:pw@127.0.0.1:${server.port}`, { connectAttempts: 1 }) as Raw;
    const errors: Error[] = [];
    client.on('error', (error) => errors.push(error));
    try {
      if (driver === 'node-redis') await client.connect();
      const id = String(await command(client, 'CLIENT', 'ID'));
      await admin.call('CLIENT', 'KILL', 'ID', id);
      await vi.waitFor(async () => expect(String(await command(client, 'CLIENT', 'ID'))).not.toBe(id), { timeout: 10_000, interval: 50 });
    } finally {
      close(client);
    }
  });
});

describe.each(DRIVERS)('%s: connectDriverClient', (driver) => {
  it('resolves once the server answered, on the database of the URL', async () => {
    const client = (await connectDriverClient(driver, `redis://:pw@127.0.0.1:${server.port}/4`)) as Raw;
    try {
      expect(String(await command(client, 'CLIENT', 'INFO'))).toContain(' db=4 ');
    } finally {
      close(client);
    }
  });

  it('rejects with ConnectionFailedError after the attempts, the URL masked', async () => {
    const endpoint = await startFaultyEndpoint('close');
    try {
      const error = await connectDriverClient(driver, `redis://u:s3cret@127.0.0.1:${endpoint.port}`, { connectAttempts: 2 }).catch((failure: unknown) => failure);
      expect(error).toBeInstanceOf(ConnectionFailedError);
      expect((error as Error).message).toMatch(new RegExp(`^cannot connect to redis://u:\\*\\*\\*@127\\.0\\.0\\.1:${endpoint.port} after 2 attempts: `));
      expect(endpoint.connections).toBe(2);
    } finally {
      await endpoint.stop();
    }
  });

  it('rejects when the server accepts the connection and never answers', async () => {
    const endpoint = await startFaultyEndpoint('silent');
    try {
      const error = await connectDriverClient(driver, `redis://127.0.0.1:${endpoint.port}`, { connectAttempts: 2, connectTimeoutMs: 100 }).catch((failure: unknown) => failure);
      expect(error).toBeInstanceOf(ConnectionFailedError);
      expect((error as Error).message).toMatch(new RegExp(`^cannot connect to redis://127\\.0\\.0\\.1:${endpoint.port}: no answer within \\d+ ms$`));
    } finally {
      await endpoint.stop();
    }
  });

  it('rejects a malformed URL with IsolationConfigError, naming it with the label given', async () => {
    await expect(connectDriverClient(driver, 'redis//:s3cret@cache', { label: '--from' })).rejects.toThrow(/^--from "redis\/\/:\*\*\*@cache" is not a valid URL/);
    await expect(connectDriverClient(driver, 'redis//:s3cret@cache')).rejects.toBeInstanceOf(IsolationConfigError);
  });
});

describe('createIsolatedRedis({ driver, url }) fails fast', () => {
  it('ioredis: the commands waiting for the first connection reject with ConnectionFailedError', async () => {
    const port = await freePort();
    const redis = createIsolatedRedis({ namespace: 'mcp2', driver: 'ioredis', url: `redis://:s3cret@127.0.0.1:${port}`, connectAttempts: 2, connectTimeoutMs: 1000 });
    redis.on('error', () => {});
    try {
      const error = await redis.get('k').catch((failure: unknown) => failure);
      expect(error).toBeInstanceOf(ConnectionFailedError);
      expect((error as Error).message).toBe(`cannot connect to redis://:***@127.0.0.1:${port} after 2 attempts: connect ECONNREFUSED 127.0.0.1:${port}`);
    } finally {
      redis.disconnect();
    }
  });

  it('node-redis: connect() rejects with the same message', async () => {
    const port = await freePort();
    const redis = createIsolatedRedis({ namespace: 'mcp2', driver: 'node-redis', url: `redis://:s3cret@127.0.0.1:${port}`, connectAttempts: 2 });
    redis.on('error', () => {});
    try {
      const error = await redis.connect().catch((failure: unknown) => failure);
      expect(failureOf(error).message).toBe(`cannot connect to redis://:***@127.0.0.1:${port} after 2 attempts: connect ECONNREFUSED 127.0.0.1:${port}`);
    } finally {
      redis.destroy();
    }
  });

  it('refuses a malformed URL as an IsolationConfigError, password masked, before creating a client', () => {
    const create = (driver: Driver, url: string, connectAttempts?: number) =>
      driver === 'ioredis' ? createIsolatedRedis({ namespace: 'mcp2', driver, url, ...(connectAttempts === undefined ? {} : { connectAttempts }) }) : createIsolatedRedis({ namespace: 'mcp2', driver, url, ...(connectAttempts === undefined ? {} : { connectAttempts }) });
    for (const driver of DRIVERS) {
      expect(() => create(driver, 'redis//:s3cret@cache:6379')).toThrow(IsolationConfigError);
      expect(() => create(driver, 'redis//:s3cret@cache:6379')).toThrow('`url` "redis//:***@cache:6379" is not a valid URL');
      expect(() => create(driver, 'redis://cache', 0)).toThrow(/connectAttempts must be a positive whole number/);
    }
  });
});
