import { BlockedCommandError, SharedConnectionError, type NamespaceGuard } from '../../core/index.js';
import { stateOf } from './view-state.js';

/** What node-redis's `BasicClientSideCache` (5 and 6) offers that the facade reads. */
interface ClientSideCache {
  invalidate(key: string | Buffer | null): void;
  get(cacheKey: string): unknown;
  has(cacheKey: string): boolean;
  delete(cacheKey: string): void;
  size(): number;
  stats(): unknown;
  trackingOn(): unknown;
  keySetEntries?(): IterableIterator<[string, Set<string>]>;
  entryEntries?(): IterableIterator<[string, unknown]>;
  readonly ttl?: number;
  readonly maxEntries?: number;
  readonly lru?: boolean;
}

/** What a view's `clientSideCache` answers: the namespace's part of the client's cache. */
export interface NamespaceCache {
  /** Drops the cached replies that read `key` (a key of the namespace, as the view names it); `null`: every entry of the namespace. */
  invalidate(key: string | Buffer | null): void;
  /** Drops every entry of the namespace (other namespaces' entries stay). */
  clear(): void;
  /** The number of cached replies of the namespace. */
  size(): number;
  /** Whether `cacheKey` (node-redis's key of a cached command line) is an entry of the namespace. */
  has(cacheKey: string): boolean;
  /** The entry of the namespace under `cacheKey`, or `undefined` (also for other namespaces' entries). */
  get(cacheKey: string): unknown;
  /** Drops the entry of the namespace under `cacheKey` (other namespaces' entries are left alone). */
  delete(cacheKey: string): void;
  /** The namespace's entries, `[cacheKey, entry]`. */
  entryEntries(): IterableIterator<[string, unknown]>;
  /** The namespace's keys (as stored) with the cache keys of the replies that read them. */
  keySetEntries(): IterableIterator<[string, Set<string>]>;
  /** The cache's counters: only on a view with a connection (and cache) of its own. */
  stats(): unknown;
  trackingOn(): unknown;
  readonly ttl: number | undefined;
  readonly maxEntries: number | undefined;
  readonly lru: boolean | undefined;
}

const WRITERS = ['set', 'handleCache', 'createValueEntry', 'createPromiseEntry', 'onError', 'onClose', 'onPoolClose', 'deleteOldest', 'disable', 'enable'];
const EMITTER = ['on', 'once', 'addListener', 'prependListener', 'prependOnceListener', 'off', 'removeListener', 'removeAllListeners', 'emit', 'listeners', 'rawListeners'];

/**
 * A view's `clientSideCache` (RESP3 client-side caching). node-redis keeps one cache per
 * connection (or per pool), keyed by command line, whose entries hold the replies every view of
 * that connection read: handed out as is, it would let one namespace list, read, overwrite
 * (`set`) or drop another's cached replies. The facade reaches only the entries whose keys are
 * all the namespace's: listing, reading and invalidating are confined; writing entries, the
 * lifecycle hooks and the cache's events (which carry every namespace's keys) are refused; the
 * cache's counters, which count every namespace's reads, only on a connection of the view's own.
 * node-redis itself keeps using the real cache: the view's commands are cached under their
 * prefixed keys, and the server's invalidations reach them.
 */
function namespaceCache(cache: ClientSideCache, guard: NamespaceGuard, ownConnection: boolean): NamespaceCache {
  // prefixKey refuses another namespace's key (and, in strict mode, checks the prefix is there).
  const stored = (key: string | Buffer): string => String(guard.prefixKey(key));
  /** The cache keys of the namespace: read only keys of the namespace (an entry that read a foreign key too is not its). */
  const ownCacheKeys = (): Set<string> => {
    const own = new Set<string>();
    const foreign = new Set<string>();
    for (const [key, cacheKeys] of cache.keySetEntries?.() ?? []) {
      const target = key.startsWith(guard.prefix) ? own : foreign;
      for (const cacheKey of cacheKeys) target.add(cacheKey);
    }
    for (const cacheKey of foreign) own.delete(cacheKey);
    return own;
  };
  const invalidateAll = (): void => {
    for (const [key] of [...(cache.keySetEntries?.() ?? [])]) if (key.startsWith(guard.prefix)) cache.invalidate(key);
  };
  const facade: NamespaceCache = {
    invalidate(key) {
      if (key === null) invalidateAll();
      else cache.invalidate(stored(key));
    },
    clear: invalidateAll,
    size: () => ownCacheKeys().size,
    has: (cacheKey) => ownCacheKeys().has(cacheKey) && cache.has(cacheKey),
    get: (cacheKey) => (ownCacheKeys().has(cacheKey) ? cache.get(cacheKey) : undefined),
    delete(cacheKey) {
      if (ownCacheKeys().has(cacheKey)) cache.delete(cacheKey);
    },
    *entryEntries() {
      const own = ownCacheKeys();
      for (const entry of cache.entryEntries?.() ?? []) if (own.has(entry[0])) yield entry;
    },
    *keySetEntries() {
      const own = ownCacheKeys();
      for (const [key, cacheKeys] of cache.keySetEntries?.() ?? []) {
        if (key.startsWith(guard.prefix)) yield [key, new Set([...cacheKeys].filter((cacheKey) => own.has(cacheKey)))];
      }
    },
    stats() {
      if (ownConnection) return cache.stats();
      throw new SharedConnectionError(
        `clientSideCache.stats() is refused in namespace "${guard.namespace}": the cache's counters count the reads of every namespace on the shared connection; ` +
          'a client of the namespace\'s own (`duplicate()`) has a cache of its own',
        { command: 'client-side-cache', namespace: guard.namespace },
      );
    },
    trackingOn: () => cache.trackingOn(),
    get ttl() {
      return cache.ttl;
    },
    get maxEntries() {
      return cache.maxEntries;
    },
    get lru() {
      return cache.lru;
    },
  };
  for (const name of [...WRITERS, ...EMITTER]) {
    Object.defineProperty(facade, name, {
      value: () => {
        throw new BlockedCommandError(
          `clientSideCache.${name}() is refused in namespace "${guard.namespace}": ` +
            (EMITTER.includes(name) ? "the cache's events carry every namespace's keys" : "it would write or reset entries other namespaces' reads share"),
          { command: 'client-side-cache', namespace: guard.namespace },
        );
      },
      enumerable: false,
    });
  }
  return Object.freeze(facade);
}

/**
 * `clientSideCache` of the views of `base` (over a client or a pool): the namespace's part of the
 * cache, made on first access per view; `owned`: the views own the client or pool, so the
 * cache's counters are the namespace's.
 */
export function defineClientSideCache(base: object, client: Record<string, unknown>, owned: boolean): void {
  if (!('clientSideCache' in client)) return;
  Object.defineProperty(base, 'clientSideCache', {
    get(this: unknown) {
      const cache = client.clientSideCache as object | undefined;
      if (!cache) return undefined;
      const state = stateOf(this);
      const made = state.parts?.cache;
      if (made?.of === cache) return made.facade;
      const facade = namespaceCache(cache as ClientSideCache, state.guard, owned);
      state.own().cache = { of: cache, facade };
      return facade;
    },
    configurable: true,
    enumerable: false,
  });
}
