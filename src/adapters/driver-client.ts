import { createRequire } from 'node:module';
import type * as IoredisModule from 'ioredis';
import { IsolationConfigError } from '../core/index.js';
import { parseRedisUrl, type ParsedRedisUrl } from '../core/redis-url.js';
import { ConnectionFailedError } from './connection-failed-error.js';

/** The client libraries isolated-redis can create clients with. */
export type Driver = 'ioredis' | 'node-redis';

/**
 * How a client the library creates from a URL opens its first connection: each attempt is
 * bounded by `connectTimeoutMs`, and after `connectAttempts` failed attempts (or at once when the
 * server refuses the credentials) the client gives up with a {@link ConnectionFailedError}
 * naming the URL, password masked. Once connected, a lost connection is re-established as the
 * driver does by default (retrying with a growing delay until the client is closed).
 *
 * @example
 * ```ts
 * const options: ConnectOptions = { connectTimeoutMs: 2000, connectAttempts: 5 };
 * ```
 */
export interface ConnectOptions {
  /**
   * How long the TCP (or TLS) connection of one attempt may take to open, in milliseconds. A
   * server that accepts connections and then never answers is bounded by `commandTimeoutMs`.
   * @defaultValue `10_000`
   */
  readonly connectTimeoutMs?: number;
  /**
   * Attempts to open the first connection before giving up, a positive integer; `Infinity`
   * keeps trying, as the drivers do by default. @defaultValue `3`
   */
  readonly connectAttempts?: number;
}

/**
 * What {@link ConnectOptions} default to.
 *
 * @example
 * ```ts
 * CONNECT_DEFAULTS.connectAttempts; // 3
 * ```
 */
export const CONNECT_DEFAULTS = { connectTimeoutMs: 10_000, connectAttempts: 3 } as const satisfies Required<ConnectOptions>;

/** Credentials the server refuses are refused again: no further attempt. */
const REFUSED_CREDENTIALS = /^(WRONGPASS|NOAUTH|NOPERM|ERR invalid password|ERR AUTH)/;
/** Messages that say a connection failed, but not why. */
const GENERIC = /^(Connection is closed|Failed to refresh slots cache|Socket closed unexpectedly)/;

/** The delay before attempt `failures + 1`: 100 ms, doubling, at most 2 s. */
const backoff = (failures: number): number => Math.min(100 * 2 ** (failures - 1), 2000);

/**
 * `options` with `defaults` applied, checked.
 *
 * @throws {@link IsolationConfigError} for a timeout or a number of attempts that is not a
 * positive whole number (attempts may be `Infinity`).
 * @example
 * ```ts
 * connectSettings({ connectAttempts: 5 }); // { connectTimeoutMs: 10000, connectAttempts: 5 }
 * ```
 */
export function connectSettings(options: ConnectOptions = {}, defaults: Required<ConnectOptions> = CONNECT_DEFAULTS): Required<ConnectOptions> {
  const connectTimeoutMs = options.connectTimeoutMs ?? defaults.connectTimeoutMs;
  const connectAttempts = options.connectAttempts ?? defaults.connectAttempts;
  if (typeof connectTimeoutMs !== 'number' || !Number.isInteger(connectTimeoutMs) || connectTimeoutMs < 1) {
    throw new IsolationConfigError(`connectTimeoutMs must be a positive whole number of milliseconds; got ${String(connectTimeoutMs)}`);
  }
  if (typeof connectAttempts !== 'number' || !(Number.isInteger(connectAttempts) || connectAttempts === Infinity) || connectAttempts < 1) {
    throw new IsolationConfigError(`connectAttempts must be a positive whole number, or Infinity; got ${String(connectAttempts)}`);
  }
  return { connectTimeoutMs, connectAttempts };
}

/**
 * The attempts of one client to open its first connection: what they met, and whether to try
 * again. Shared by both drivers, whose retry hooks differ only in how they count.
 *
 * @example
 * ```ts
 * const attempts = new ConnectAttempts(parseRedisUrl(url), connectSettings({ connectAttempts: 2 }));
 * attempts.next(1); // 100: wait 100 ms, then try again
 * attempts.next(2); // a ConnectionFailedError: give up
 * ```
 */
export class ConnectAttempts {
  #connected = false;
  #failures = 0;
  #reasons: Error[] = [];
  #failure: ConnectionFailedError | undefined;

  constructor(
    readonly target: ParsedRedisUrl,
    readonly settings: Required<ConnectOptions>,
  ) {}

  get connected(): boolean {
    return this.#connected;
  }

  /** Why the client gave up, once it has. */
  get failure(): ConnectionFailedError | undefined {
    return this.#failure;
  }

  ready(): void {
    this.#connected = true;
    this.#reasons = [];
  }

  /** An error the driver reported while connecting. */
  record(error: unknown): void {
    if (this.#connected || !(error instanceof Error)) return;
    this.#reasons.push(error);
    if (this.#reasons.length > 8) this.#reasons.shift();
  }

  /** Attempts made so far: those that failed, and the one in flight. */
  get made(): number {
    return this.#failures + 1;
  }

  /**
   * After `failures` failed attempts: the delay before the next one, or the error to give up
   * with; its reason is the last error that tells why, else `fallback`, else the last error.
   */
  next(failures: number, fallback?: string): number | ConnectionFailedError {
    this.#failures = failures;
    const telling = [...this.#reasons].reverse().find((error) => !GENERIC.test(error.message)) ?? (fallback === undefined ? this.#reasons.at(-1) : new Error(fallback));
    if (failures < this.settings.connectAttempts && !(telling && REFUSED_CREDENTIALS.test(telling.message))) return backoff(failures);
    this.#failure = this.giveUp(failures, telling);
    return this.#failure;
  }

  /** The error of a client that gave up after `attempts` attempts. */
  giveUp(attempts: number, telling: Error | undefined, reason?: string): ConnectionFailedError {
    const message = telling?.message.split('\n')[0] ?? 'the connection closed';
    const timedOut = /ETIMEDOUT|timeout/i.test(message) ? ` (no connection within ${this.settings.connectTimeoutMs} ms)` : '';
    this.#failure = new ConnectionFailedError({ url: this.target.masked, attempts, reason: reason ?? `${message}${timedOut}`, ...(telling ? { cause: telling } : {}) });
    return this.#failure;
  }
}

/** Loads an optional peer dependency, or explains how to install it. */
function loadPeer<M>(driver: string, packages: readonly string[]): M {
  const require = createRequire(import.meta.url);
  for (const name of packages) {
    try {
      return require(name) as M;
    } catch {
      // try the next one
    }
  }
  throw new IsolationConfigError(`driver '${driver}' needs the ${packages[0]} package: npm install ${packages[0]}`);
}

/**
 * Where and as whom an ioredis client connects, read from a checked URL: ioredis options.
 *
 * @example
 * ```ts
 * ioredisTarget(parseRedisUrl('rediss://:pw@cache:6380/2')); // { host: 'cache', port: 6380, tls: {}, password: 'pw', db: 2 }
 * ```
 */
export function ioredisTarget(target: ParsedRedisUrl): Record<string, unknown> {
  return {
    ...(target.scheme === 'unix' ? { path: target.path } : { host: target.host, port: target.port }),
    ...(target.tls ? { tls: {} } : {}),
    ...(target.family === undefined ? {} : { family: target.family }),
    ...(target.username === undefined ? {} : { username: target.username }),
    ...(target.password === undefined ? {} : { password: target.password }),
    db: target.db,
  };
}

/** Where and as whom a node-redis client connects, read from a checked URL. */
function nodeRedisTarget(target: ParsedRedisUrl): { socket: Record<string, unknown>; [option: string]: unknown } {
  return {
    socket:
      target.scheme === 'unix'
        ? { path: target.path }
        : { host: target.host, port: target.port, ...(target.tls ? { tls: true } : {}), ...(target.family === undefined ? {} : { family: target.family }) },
    ...(target.username === undefined ? {} : { username: target.username }),
    ...(target.password === undefined ? {} : { password: target.password }),
    ...(target.db === 0 ? {} : { database: target.db }),
  };
}

interface IoredisLike {
  readonly status: string;
  on(event: string, listener: (...args: never[]) => void): unknown;
  once(event: string, listener: (...args: never[]) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
  listenerCount(event: string): number;
  connect(): Promise<void>;
  disconnect(): void;
}

interface NodeRedisLike {
  on(event: string, listener: (...args: never[]) => void): unknown;
  once(event: string, listener: (...args: never[]) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
  connect(): Promise<unknown>;
  destroy(): void;
}

interface Opening {
  /** Connects when it is not connecting by itself: ioredis with `lazyConnect`, node-redis always. */
  readonly lazy: boolean;
  /** Keep the driver's errors to the caller, who reports the failure: no printing of unhandled ioredis errors. */
  readonly quiet: boolean;
  /** Re-establish a lost connection once connected (else commands fail at once: a CLI run is short). */
  readonly reconnect: boolean;
}

function createIoredis(target: ParsedRedisUrl, attempts: ConnectAttempts, opening: Opening): IoredisLike {
  const { Redis: RedisClass } = loadPeer<typeof IoredisModule>('ioredis', ['ioredis']);
  const client: IoredisLike = new RedisClass({
    ...ioredisTarget(target),
    lazyConnect: opening.lazy,
    connectTimeout: attempts.settings.connectTimeoutMs,
    retryStrategy: (times: number): number | null => {
      if (attempts.connected) return opening.reconnect ? Math.min(times * 50, 2000) : null; // ioredis's default
      const next = attempts.next(times);
      if (typeof next === 'number') return next;
      // Commands waiting for the connection fail with the reason, not ioredis's "Connection is
      // closed." (flushQueue is ioredis's own, private in its types, in v4 to v6 alike).
      (client as unknown as { flushQueue?: (error: Error) => void }).flushQueue?.(next);
      return null;
    },
  }) as unknown as IoredisLike;
  // The reasons of failed attempts are 'error' events. Listening to them would silence ioredis's
  // "Unhandled error event" print for a client whose user listens to none: print it as it would.
  const record = (error: Error): void => {
    attempts.record(error);
    if (!opening.quiet && client.listenerCount('error') === 1) console.error('[ioredis] Unhandled error event:', error.stack);
  };
  client.on('error', record);
  client.once('ready', () => {
    attempts.ready();
    client.off('error', record);
    if (opening.quiet) client.on('error', () => {});
  });
  return client;
}

function createNodeRedis(target: ParsedRedisUrl, attempts: ConnectAttempts, opening: Opening): NodeRedisLike {
  const { createClient } = loadPeer<{ createClient(options: object): NodeRedisLike }>('node-redis', ['redis', '@redis/client']);
  const options = nodeRedisTarget(target);
  const client = createClient({
    ...options,
    socket: {
      ...options.socket,
      connectTimeout: attempts.settings.connectTimeoutMs,
      // node-redis counts from 0: `retries` attempts failed before this one.
      reconnectStrategy: (retries: number, cause: Error): number | Error | false => {
        if (attempts.connected) return opening.reconnect ? Math.min(2 ** retries * 50, 2000) + Math.floor(Math.random() * 200) : false; // node-redis's default
        attempts.record(cause);
        return attempts.next(retries + 1);
      },
    },
  });
  client.once('ready', () => attempts.ready());
  if (opening.quiet) client.on('error', (error: Error) => attempts.record(error));
  return client;
}

/**
 * A new, raw client of `driver` for `url`, which {@link parseRedisUrl} checks first: a malformed
 * URL throws here, before any connection is attempted. Its first connection is bounded as
 * {@link ConnectOptions} say. ioredis clients connect by themselves; node-redis clients need
 * `connect()`, which rejects (with node-redis's `ReconnectStrategyError` wrapping a
 * {@link ConnectionFailedError}) once the attempts are spent.
 *
 * @throws {@link IsolationConfigError} for a malformed URL, invalid options or a driver that is
 * not installed.
 * @example
 * ```ts
 * const raw = createDriverClient('ioredis', 'redis://cache:6379/0', { connectAttempts: 5 });
 * ```
 */
export function createDriverClient(driver: Driver, url: string, options: ConnectOptions = {}): object {
  if (driver !== 'ioredis' && driver !== 'node-redis') {
    throw new IsolationConfigError(`unknown driver ${JSON.stringify(driver)}: use 'ioredis' or 'node-redis'`);
  }
  const target = parseRedisUrl(url, '`url`');
  const attempts = new ConnectAttempts(target, connectSettings(options));
  const opening: Opening = { lazy: false, quiet: false, reconnect: true };
  return driver === 'ioredis' ? createIoredis(target, attempts, opening) : createNodeRedis(target, attempts, opening);
}

/**
 * Options of {@link connectDriverClient}.
 *
 * @example
 * ```ts
 * const options: ConnectClientOptions = { connectAttempts: 1, label: '--from', reconnect: false };
 * ```
 */
export interface ConnectClientOptions extends ConnectOptions {
  /** How messages about a malformed URL name it (`'--from'`). @defaultValue `` '`url`' `` */
  readonly label?: string;
  /** Once connected, re-establish a lost connection as the driver does. @defaultValue `true` */
  readonly reconnect?: boolean;
}

/**
 * A raw client of `driver` for `url`, connected: resolves once the server answered (credentials
 * and database accepted), or rejects with a {@link ConnectionFailedError} after
 * `connectAttempts` attempts of at most `connectTimeoutMs` each, or at once when the server
 * refuses the credentials; no error event goes unhandled meanwhile. For the library's own
 * connections (moving a namespace) and the CLI.
 *
 * @throws {@link IsolationConfigError} (as a rejection) for a malformed URL or invalid options.
 * @example
 * ```ts
 * const source = (await connectDriverClient('ioredis', from, { connectAttempts: 2 })) as Redis;
 * ```
 */
export async function connectDriverClient(driver: Driver, url: string, options: ConnectClientOptions = {}): Promise<object> {
  if (driver !== 'ioredis' && driver !== 'node-redis') {
    throw new IsolationConfigError(`unknown driver ${JSON.stringify(driver)}: use 'ioredis' or 'node-redis'`);
  }
  const target = parseRedisUrl(url, options.label ?? '`url`');
  const attempts = new ConnectAttempts(target, connectSettings(options));
  const opening: Opening = { lazy: true, quiet: true, reconnect: options.reconnect ?? true };
  if (driver === 'ioredis') {
    const client = createIoredis(target, attempts, opening);
    await untilConnected(attempts, () => client.disconnect(), (settle) => {
      client.once('ready', () => settle());
      client.once('end', () => settle(attempts.failure ?? attempts.giveUp(attempts.made, undefined)));
      client.connect().catch(() => {}); // the outcome is the 'ready' or 'end' event: connect() rejects at the first failed attempt
    });
    return client;
  }
  const client = createNodeRedis(target, attempts, opening);
  await untilConnected(attempts, () => client.destroy(), (settle) => {
    client.connect().then(
      () => settle(),
      (error: unknown) => settle(attempts.failure ?? (error instanceof Error ? error : new Error(String(error)))),
    );
  });
  return client;
}

/**
 * Waits for `start` to settle, bounded by every attempt's timeout and the delays between them
 * (plus a second): a server that accepts the connection and never answers fails too.
 */
async function untilConnected(attempts: ConnectAttempts, drop: () => void, start: (settle: (error?: Error) => void) => void): Promise<void> {
  const { connectAttempts, connectTimeoutMs } = attempts.settings;
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      const settle = (error?: Error): void => (error ? reject(error) : resolve());
      if (connectAttempts !== Infinity) {
        let delays = 0;
        for (let failures = 1; failures < connectAttempts; failures++) delays += backoff(failures);
        const deadline = connectAttempts * connectTimeoutMs + delays + 1000;
        timer = setTimeout(() => settle(attempts.giveUp(attempts.made, undefined, `no answer within ${deadline} ms`)), deadline);
      }
      start(settle);
    });
  } catch (error) {
    try {
      drop();
    } catch {
      // node-redis 5 refuses to destroy a client that gave up: it is closed already
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
