import { IsolationConfigError, namespacePrefix, type IsolationMode } from '../core/index.js';
import { assertDisjointPrefixes } from '../core/namespace.js';
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
}

const DRIVERS: readonly Driver[] = ['ioredis', 'node-redis'];
const MODES: readonly IsolationMode[] = ['prefix', 'strict'];

const fail = (entry: string, problem: string): never => {
  throw new IsolationConfigError(`layout ${entry}: ${problem}`);
};

/** Checks a `redis://` / `rediss://` URL; returns it as given. Credentials never appear in errors. */
export function checkRedisUrl(url: unknown, entry: string): string {
  if (typeof url !== 'string' || url.length === 0) return fail(entry, 'has no url (set one, or defaults.url)');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail(entry, `url ${JSON.stringify(redactUrl(url))} is not a valid URL`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    fail(entry, `url ${JSON.stringify(redactUrl(url))} must start with redis:// or rediss://`);
  }
  if (parsed.hostname === '') fail(entry, `url ${JSON.stringify(redactUrl(url))} names no host`);
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) fail(entry, `url ${JSON.stringify(redactUrl(url))}: the path must be a database number`);
  return url;
}

/** The URL with its password replaced, for messages and reports. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@');
  }
}

/**
 * Every namespace of `options`, resolved and checked: an unknown driver or mode, a malformed
 * URL, a namespace that is a prefix of another (`mcp` and `mcp2` with separator `''`, or `a`
 * and `a:b`), two namespaces with the same prefix: each fails here, naming the entry.
 */
export function resolveLayout(options: LayoutOptions): ResolvedNamespace[] {
  if (typeof options !== 'object' || options === null) fail('options', 'must be an object');
  const { namespaces, defaults = {}, knownNamespaces = [] } = options;
  if (typeof namespaces !== 'object' || namespaces === null || Object.keys(namespaces).length === 0) {
    fail('options', '`namespaces` must name at least one namespace');
  }
  const rule = { separator: defaults.separator ?? ':', hashTag: defaults.hashTag ?? false };
  const resolved = Object.entries(namespaces).map(([namespace, entry]): ResolvedNamespace => {
    const where = `namespace ${JSON.stringify(namespace)}`;
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(namespace)) fail(where, 'a namespace is letters, digits, _, . and - (starting with a letter or digit)');
    if (typeof entry !== 'object' || entry === null) fail(where, 'must be an object ({ url, driver?, mode? })');
    const driver = entry.driver ?? defaults.driver ?? 'ioredis';
    if (!DRIVERS.includes(driver)) fail(where, `driver ${JSON.stringify(driver)} is not one of ${DRIVERS.join(', ')}`);
    const mode = entry.mode ?? defaults.mode ?? 'prefix';
    if (!MODES.includes(mode)) fail(where, `mode ${JSON.stringify(mode)} is not one of ${MODES.join(', ')}`);
    const url = checkRedisUrl(entry.url ?? defaults.url, where);
    return { namespace, url, driver, mode, prefix: namespacePrefix(namespace, rule), commands: entry.commands };
  });

  const prefixes = new Map<string, string>();
  const served = new Set(resolved.map((entry) => entry.namespace));
  for (const name of [...served, ...knownNamespaces.filter((known) => !served.has(known))]) {
    const prefix = namespacePrefix(name, rule);
    const twin = [...prefixes].find(([, other]) => other === prefix);
    if (twin) fail(`namespaces ${JSON.stringify(twin[0])} and ${JSON.stringify(name)}`, `both have the prefix ${JSON.stringify(prefix)}`);
    prefixes.set(name, prefix);
  }
  try {
    assertDisjointPrefixes(prefixes);
  } catch (error) {
    fail('options', (error as Error).message);
  }
  return resolved;
}
