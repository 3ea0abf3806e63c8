// '#ioredis', '#redis': the drivers' types, optional in the published declarations (package.json "imports").
import type { Redis } from '#ioredis';
import type { RedisClientType } from '#redis';
import type { GuardOptions, IsolationMode } from '../core/index.js';
import type { InstrumentationOptions } from '../instrument/index.js';
import type { Isolated } from '../adapters/index.js';
import type { Driver } from '../adapters/driver-client.js';

/**
 * One namespace of a deployment: where it lives and how its client confines it.
 *
 * @example
 * ```ts
 * const celery: LayoutNamespace = { url: 'redis://celery-redis:6379/0', mode: 'strict' };
 * ```
 */
export interface LayoutNamespace {
  /** `redis://` or `rediss://` URL of the instance. @defaultValue the layout's `defaults.url` */
  readonly url?: string;
  /** @defaultValue the layout's `defaults.driver`, else `'ioredis'` */
  readonly driver?: Driver;
  /** @defaultValue the layout's `defaults.mode`, else `'prefix'` */
  readonly mode?: IsolationMode;
  /** Module commands and extra refusals for this namespace's guard (see `GuardOptions.commands`). */
  readonly commands?: GuardOptions['commands'];
  /** @defaultValue the layout's `defaults.scripts`, else `'confine'` (see `GuardOptions.scripts`) */
  readonly scripts?: GuardOptions['scripts'];
}

/**
 * Settings every namespace of a layout shares, unless its own entry says otherwise.
 *
 * @example
 * ```ts
 * const defaults: LayoutDefaults = { url: 'redis://shared-redis:6379/0', driver: 'node-redis' };
 * ```
 */
export interface LayoutDefaults {
  readonly url?: string;
  readonly driver?: Driver;
  readonly mode?: IsolationMode;
  /** @defaultValue `'confine'` (see `GuardOptions.scripts`) */
  readonly scripts?: GuardOptions['scripts'];
  /** How namespaces become prefixes, the same for the whole deployment. @defaultValue `':'` */
  readonly separator?: string;
  /** Prefix every namespace as a Cluster hash tag (`{mcp2}:`). @defaultValue `false` */
  readonly hashTag?: boolean;
}

/**
 * Every namespace of a deployment, the instance each lives on, and its options.
 *
 * @example
 * ```ts
 * const options: LayoutOptions = {
 *   namespaces: { mcp2: { url: 'redis://mcp-redis:6379/0' }, celery: { url: 'redis://celery-redis:6379/0', mode: 'strict' } },
 *   knownNamespaces: ['journal'],
 * };
 * ```
 */
export interface LayoutOptions<N extends Readonly<Record<string, LayoutNamespace>> = Readonly<Record<string, LayoutNamespace>>> {
  readonly namespaces: N;
  readonly defaults?: LayoutDefaults;
  /**
   * Namespaces of the deployment this process has no client for: their prefixes are still
   * known to every guard, so their keys are refused as another namespace's.
   */
  readonly knownNamespaces?: readonly string[];
  /**
   * Families of namespaces this process has no client for (`'tenant-*'`: every `tenant-<id>`):
   * keys of any member are refused as another namespace's, without listing the members.
   */
  readonly knownFamilies?: readonly string[];
  /**
   * Connection errors of the clients the layout creates (node-redis throws an `error` event
   * nobody listens to). @defaultValue logs the error with `console.error`
   */
  readonly onError?: (error: Error, where: { readonly url: string; readonly driver: Driver }) => void;
  /**
   * Instrumentation of every client the layout creates (hooks, `commandTimeoutMs`, `pressure`,
   * `logger`), or a function giving each namespace its own.
   */
  readonly instrumentation?: InstrumentationOptions | ((namespace: string) => InstrumentationOptions);
}

/**
 * The driver of a namespace entry `E` of a layout whose defaults are `D`: the entry's own, else
 * the default, else ioredis.
 *
 * @example
 * ```ts
 * type J = DriverOf<{ url: string; driver: 'node-redis' }, LayoutDefaults>; // 'node-redis'
 * ```
 */
export type DriverOf<E, D> = E extends { readonly driver: infer X extends Driver } ? X : D extends { readonly driver: infer Y extends Driver } ? Y : 'ioredis';

/** The isolated client type of one namespace entry: an ioredis `Redis` or a node-redis client. */
export type LayoutClient<E = LayoutNamespace, D = LayoutDefaults> =
  DriverOf<E, D> extends 'node-redis' ? Isolated<RedisClientType> : Isolated<Redis>;

/**
 * The namespaces a layout with entries `N` serves: each entry's name, and for an entry that is a
 * family (`'tenant-*'`) every name of the family (`tenant-${string}`).
 *
 * @example
 * ```ts
 * type S = ServedNamespace<{ mcp2: LayoutNamespace; 'tenant-*': LayoutNamespace }>; // 'mcp2' | `tenant-${string}`
 * ```
 */
export type ServedNamespace<N> = { [K in keyof N & string]: K extends `${infer Stem}*` ? `${Stem}${string}` : K }[keyof N & string];

/**
 * The entry of a layout with entries `N` that serves namespace `K`: its own, else its family's.
 *
 * @example
 * ```ts
 * type E = EntryOf<{ 'tenant-*': LayoutNamespace }, 'tenant-42'>; // 'tenant-*'
 * ```
 */
export type EntryOf<N, K extends string> = K extends keyof N
  ? K
  : { [F in keyof N & string]: F extends `${infer Stem}*` ? (K extends `${Stem}${string}` ? F : never) : never }[keyof N & string];
