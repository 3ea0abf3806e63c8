import { createIsolatedRedis, type Isolated } from '../adapters/index.js';
import { createDriverClient, type Driver } from '../adapters/driver-client.js';
import { closeViewConnections } from '../adapters/own-connections.js';
import { IsolationConfigError, type NamespaceSet } from '../core/index.js';
import { parseRedisUrl } from '../core/redis-url.js';
import { createInstrumentation, type InstrumentationOptions } from '../instrument/index.js';
import type { EntryOf, LayoutClient, LayoutDefaults, LayoutNamespace, LayoutOptions, ServedNamespace } from './types.js';
import { redactUrl, resolveLayout, type ResolvedNamespace } from './validate.js';

/** What the layout needs of the raw clients it creates, whichever the driver. */
interface RawClient {
  on(event: 'error', listener: (error: Error) => void): unknown;
  /** ioredis: `'ready'` once connected. */
  readonly status?: string;
  /** node-redis: whether the connection is ready. */
  readonly isReady?: boolean;
  connect?(): Promise<unknown>;
  quit?(): Promise<unknown>;
  close?(): Promise<unknown>;
  disconnect?(): unknown;
  destroy?(): unknown;
}

/**
 * One place that declares every namespace of a deployment and the instance it lives on. It
 * checks everything when it is defined (see {@link defineLayout}); clients are created on first
 * use. Namespaces on the same instance (same driver and URL) share one connection, as views;
 * each distinct instance gets its own. The layout's namespaces (and `knownNamespaces`) are what
 * every guard knows as the deployment's namespaces.
 *
 * @example
 * ```ts
 * const layout = defineLayout({ namespaces: { mcp2: { url: MCP_URL }, celery: { url: CELERY_URL } } });
 * await layout.client('celery').lpush('queue', job);
 * await layout.quit();
 * ```
 */
export class Layout<N extends Readonly<Record<string, LayoutNamespace>> = Readonly<Record<string, LayoutNamespace>>, D extends LayoutDefaults = LayoutDefaults> {
  /** The namespaces this layout has clients for, in declaration order. */
  readonly namespaces: readonly (keyof N & string)[];
  readonly #entries: ReadonlyMap<string, ResolvedNamespace>;
  /** Every namespace the guards know: the layout's, its families and the known ones, shared by every view. */
  readonly namespaceSet: NamespaceSet;
  /** Namespaces served elsewhere: never a client here, even when a served family covers them. */
  readonly #elsewhere: ReadonlySet<string>;
  readonly #onError: NonNullable<LayoutOptions['onError']>;
  readonly #instrumentation: LayoutOptions['instrumentation'];
  /** The families whose pressure monitor runs: one per family (its connection), not one per member view. */
  readonly #familyMonitors = new Set<string>();
  readonly #connections = new Map<string, RawClient>();
  readonly #clients = new Map<string, Isolated<object>>();
  /** Connections being closed: what they report while closing (node-redis reports its own close) is not an error. */
  readonly #closing = new WeakSet<RawClient>();

  constructor(options: LayoutOptions<N> & { readonly defaults?: D }) {
    const resolved = resolveLayout(options);
    this.#entries = new Map(resolved.entries.map((entry) => [entry.namespace, entry]));
    this.namespaces = resolved.entries.map((entry) => entry.namespace) as (keyof N & string)[];
    this.namespaceSet = resolved.namespaces;
    this.#elsewhere = new Set((options.knownNamespaces ?? []).filter((name) => !this.#entries.has(name)));
    this.#instrumentation = options.instrumentation;
    this.#onError = options.onError ?? ((error, where) => console.error(`[isolated-redis] ${where.driver} ${redactUrl(where.url)}: ${error.message}`));
  }

  /**
   * The isolated client of `namespace`, created (with its connection, unless another namespace
   * on the same instance already opened it) on first use. node-redis clients are connected by
   * the layout: commands sent before the connection is ready wait for it.
   *
   * A member of a family the layout serves (`layout.client('tenant-42')` with `'tenant-*'` in
   * `namespaces`) gets a new view over the family's connection at each call: a view costs a few
   * microseconds and, once dropped, leaves nothing behind (close it when it ran blocking commands
   * or subscribed, as those open connections of the view's own).
   *
   * @throws {@link IsolationConfigError} for a namespace the layout does not declare.
   */
  client<K extends ServedNamespace<N>>(namespace: K): LayoutClient<N[EntryOf<N, K>], D> {
    const existing = this.#clients.get(namespace);
    if (existing) return existing as LayoutClient<N[EntryOf<N, K>], D>;
    const family = this.#entries.has(namespace) ? undefined : this.namespaceSet.familyOf(namespace);
    const entry = this.#entries.get(family ?? namespace);
    if (this.#elsewhere.has(namespace)) {
      throw new IsolationConfigError(`layout: namespace ${JSON.stringify(namespace)} is one of \`knownNamespaces\`, served elsewhere; this layout has no client for it`);
    }
    if (!entry) {
      throw new IsolationConfigError(`layout: unknown namespace ${JSON.stringify(namespace)}; it declares ${this.namespaces.map((n) => JSON.stringify(n)).join(', ')}`);
    }
    const connection = this.#connection(entry.driver, entry.url);
    const instrumentation = family === undefined ? this.#instrumentationOf(namespace) : this.#memberInstrumentation(family, namespace, connection);
    const client = createIsolatedRedis({
      ...instrumentation,
      namespace,
      namespaces: this.namespaceSet,
      mode: entry.mode,
      scripts: entry.scripts,
      ...(entry.commands ? { commands: entry.commands } : {}),
      client: connection,
    });
    // A family's members are not kept: there may be a million of them.
    if (family === undefined) this.#clients.set(namespace, client);
    return client as LayoutClient<N[EntryOf<N, K>], D>;
  }

  #instrumentationOf(namespace: string): InstrumentationOptions | undefined {
    return typeof this.#instrumentation === 'function' ? this.#instrumentation(namespace) : this.#instrumentation;
  }

  /**
   * A family member's instrumentation without the pressure monitor, which watches the family's
   * connection once (reporting as the family, `tenant-*`): a view per member must not start a
   * timer each.
   */
  #memberInstrumentation(family: string, namespace: string, connection: RawClient): InstrumentationOptions | undefined {
    const options = this.#instrumentationOf(namespace);
    if (!options?.pressure) return options;
    if (!this.#familyMonitors.has(family)) {
      this.#familyMonitors.add(family);
      const familyOptions = this.#instrumentationOf(family);
      if (familyOptions?.pressure) createInstrumentation(family, familyOptions, connection);
    }
    const perView: { -readonly [K in keyof InstrumentationOptions]?: InstrumentationOptions[K] } = { ...options };
    delete perView.pressure;
    return perView;
  }

  /** Where each namespace lives (URLs without passwords), and which share a connection. */
  describe(): Array<{ namespace: string; url: string; driver: Driver; mode: string; prefix: string; sharesConnectionWith: string[] }> {
    const entries = [...this.#entries.values()];
    return entries.map((entry) => ({
      namespace: entry.namespace,
      url: redactUrl(entry.url),
      driver: entry.driver,
      mode: entry.mode,
      prefix: entry.prefix,
      sharesConnectionWith: entries
        .filter((other) => other !== entry && connectionKey(other.driver, other.url) === connectionKey(entry.driver, entry.url))
        .map((other) => other.namespace),
    }));
  }

  /**
   * Closes every connection the layout opened, then forgets its clients. A ready connection is
   * closed gracefully (pending replies arrive) within `timeoutMs`, then dropped; one that is not
   * ready (its instance unreachable) is dropped at once, failing its pending commands.
   */
  async quit(timeoutMs = 5000): Promise<void> {
    const connections = [...this.#connections.values()];
    const views = [...this.#clients.values()] as unknown as RawClient[];
    for (const connection of connections) this.#closing.add(connection);
    this.#connections.clear();
    this.#clients.clear();
    // The connections views opened for themselves (blocking commands, WATCH, subscriptions): a
    // view over a shared connection closes only those with quit(). Views of a family's members
    // are not kept: what they opened is closed through their connection.
    let viewsTimer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...views.map((view) => view.quit?.()), ...connections.map((connection) => closeViewConnections(connection))]),
      new Promise((resolve) => {
        viewsTimer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(viewsTimer);
    const drop = (connection: RawClient): void => {
      if (typeof connection.destroy === 'function') connection.destroy();
      else connection.disconnect?.();
    };
    await Promise.all(
      connections.map(async (connection) => {
        const ready = connection.status === 'ready' || connection.isReady === true;
        if (!ready) return drop(connection);
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), timeoutMs);
        });
        const closing = (typeof connection.close === 'function' ? connection.close() : (connection.quit?.() ?? Promise.resolve())).catch(() => 'failed' as const);
        const outcome = await Promise.race([closing, timedOut]);
        clearTimeout(timer);
        if (outcome === 'timeout' || outcome === 'failed') drop(connection);
      }),
    );
  }

  #connection(driver: Driver, url: string): RawClient {
    const key = connectionKey(driver, url);
    let connection = this.#connections.get(key);
    if (!connection) {
      // A layout's connections outlive a Redis that starts after the service: keep trying, as the
      // drivers do by default (onError reports every failed attempt).
      const opened = createDriverClient(driver, url, { connectAttempts: Infinity }) as RawClient;
      const report = (error: Error): void => {
        if (!this.#closing.has(opened)) this.#onError(error, { url, driver });
      };
      opened.on('error', report);
      if (driver === 'node-redis') opened.connect?.().catch(report);
      connection = opened;
      this.#connections.set(key, connection);
    }
    return connection;
  }
}

/** Two namespaces share a connection when they use the same driver on the same server, database and credentials. */
const connectionKey = (driver: Driver, url: string): string => {
  const { scheme, host, port, path, username, password, db, family } = parseRedisUrl(url);
  return `${driver} ${JSON.stringify([scheme, host, port, path, username, password, db, family])}`;
};

/**
 * Declares every namespace of a deployment, the Redis instance it lives on, its driver and its
 * options, and checks them all at once: an invalid layout (a malformed URL, an unknown driver or
 * mode, overlapping or duplicate prefixes) throws here, at start-up, naming the entry.
 *
 * @throws {@link IsolationConfigError} for an invalid layout.
 * @example
 * ```ts
 * import { defineLayout } from 'isolated-redis';
 *
 * export const redis = defineLayout({
 *   namespaces: {
 *     mcp2: { url: 'redis://mcp-redis:6379/0' },
 *     celery: { url: 'redis://celery-redis:6379/0', mode: 'strict' },
 *     journal: { url: 'redis://journal-redis:6379/0', driver: 'node-redis' },
 *   },
 * });
 * await redis.client('mcp2').set('payload:1', data); // mcp2:payload:1 on mcp-redis
 * ```
 */
export function defineLayout<const N extends Readonly<Record<string, LayoutNamespace>>, const D extends LayoutDefaults = LayoutDefaults>(
  options: LayoutOptions<N> & { readonly defaults?: D },
): Layout<N, D> {
  return new Layout(options);
}
