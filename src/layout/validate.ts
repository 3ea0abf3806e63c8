import { IsolationConfigError, NamespaceSet, type IsolationMode } from '../core/index.js';
import { maskRedisUrl, parseRedisUrl } from '../core/redis-url.js';
import type { Driver } from '../adapters/driver-client.js';
import type { LayoutOptions } from './types.js';

/** One namespace of a layout with every default applied and every value checked. */
export interface ResolvedNamespace {
  readonly namespace: string;
  readonly url: string;
  readonly driver: Driver;
  readonly mode: IsolationMode;
  readonly prefix: string;
  readonly commands: LayoutOptions['namespaces'][string]['commands'];
  readonly scripts: 'confine' | 'trust';
}

const DRIVERS: readonly Driver[] = ['ioredis', 'node-redis'];
const MODES: readonly IsolationMode[] = ['prefix', 'strict'];

const fail = (entry: string, problem: string): never => {
  throw new IsolationConfigError(`layout ${entry}: ${problem}`);
};

/**
 * Checks a Redis URL of a layout entry with {@link parseRedisUrl} (`redis://`, `rediss://`,
 * `unix://`); returns it as given. Credentials never appear in errors.
 *
 * @throws {@link IsolationConfigError} `layout <entry>: url "..." <what is wrong>`.
 */
export function checkRedisUrl(url: unknown, entry: string): string {
  if (typeof url !== 'string' || url.length === 0) return fail(entry, 'has no url (set one, or defaults.url)');
  try {
    parseRedisUrl(url, 'url');
  } catch (error) {
    if (error instanceof IsolationConfigError) fail(entry, error.message);
    throw error;
  }
  return url;
}

/** The URL with its password masked, for messages and reports (see {@link maskRedisUrl}). */
export function redactUrl(url: string): string {
  return maskRedisUrl(url);
}

/** A layout resolved and checked: its namespaces, and the namespace set every guard shares. */
export interface ResolvedLayout {
  readonly entries: readonly ResolvedNamespace[];
  readonly namespaces: NamespaceSet;
}

/**
 * Every namespace of `options`, resolved and checked: an unknown driver or mode, a malformed
 * URL, an invalid namespace name or family, two families that overlap: each fails here, naming
 * the entry. A key of `namespaces` ending in `*` serves a family (`'tenant-*'`: every
 * `tenant-<id>`). The namespace set holds the served namespaces and families, and the known ones.
 */
export function resolveLayout(options: LayoutOptions): ResolvedLayout {
  if (typeof options !== 'object' || options === null) fail('options', 'must be an object');
  const { namespaces, defaults = {}, knownNamespaces = [], knownFamilies = [] } = options;
  if (typeof namespaces !== 'object' || namespaces === null || Object.keys(namespaces).length === 0) {
    fail('options', '`namespaces` must name at least one namespace');
  }
  const names = Object.keys(namespaces);
  for (const name of names) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*\*?$/.test(name)) {
      fail(`${name.endsWith('*') ? 'family' : 'namespace'} ${JSON.stringify(name)}`, 'a namespace is letters, digits, _, . and - (starting with a letter or digit); a family ends in *');
    }
  }
  const served = names.filter((name) => !name.endsWith('*'));
  const families = names.filter((name) => name.endsWith('*'));
  let set: NamespaceSet;
  try {
    set = new NamespaceSet({
      namespaces: [...served, ...knownNamespaces],
      families: [...families, ...knownFamilies],
      separator: defaults.separator ?? ':',
      hashTag: defaults.hashTag ?? false,
    });
  } catch (error) {
    return fail('options', (error as Error).message);
  }
  const entries = Object.entries(namespaces).map(([namespace, entry]): ResolvedNamespace => {
    const where = `${namespace.endsWith('*') ? 'family' : 'namespace'} ${JSON.stringify(namespace)}`;
    if (typeof entry !== 'object' || entry === null) fail(where, 'must be an object ({ url, driver?, mode? })');
    const driver = entry.driver ?? defaults.driver ?? 'ioredis';
    if (!DRIVERS.includes(driver)) fail(where, `driver ${JSON.stringify(driver)} is not one of ${DRIVERS.join(', ')}`);
    const mode = entry.mode ?? defaults.mode ?? 'prefix';
    if (!MODES.includes(mode)) fail(where, `mode ${JSON.stringify(mode)} is not one of ${MODES.join(', ')}`);
    const scripts = entry.scripts ?? defaults.scripts ?? 'confine';
    if (scripts !== 'confine' && scripts !== 'trust') fail(where, `scripts ${JSON.stringify(scripts)} is not 'confine' or 'trust'`);
    const url = checkRedisUrl(entry.url ?? defaults.url, where);
    // A family's prefix reads as the pattern of its members' (`tenant-*:`).
    const prefix = namespace.endsWith('*') ? (set.hashTag ? `{${namespace}}${set.separator}` : `${namespace}${set.separator}`) : set.prefixOf(namespace);
    return { namespace, url, driver, mode, prefix, commands: entry.commands, scripts };
  });
  return { entries, namespaces: set };
}
