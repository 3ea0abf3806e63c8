import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { IsolationConfigError } from '../core/index.js';
import { parseRedisUrl } from '../core/redis-url.js';
import { defineLayout, type Layout } from './define-layout.js';
import type { LayoutNamespace, LayoutOptions } from './types.js';

/** The environment variables the layout reads, as `process.env` has them. */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * `REDIS_URL_<NAMESPACE>`: the namespace upper-cased, every character other than a letter or a
 * digit turned into `_` (`mcp-2` reads `REDIS_URL_MCP_2`); a family without its `*`
 * (`tenant-*` reads `REDIS_URL_TENANT_`).
 *
 * @example
 * ```ts
 * namespaceUrlVariable('mcp2'); // 'REDIS_URL_MCP2'
 * ```
 */
export function namespaceUrlVariable(namespace: string): string {
  return `REDIS_URL_${namespace.replace(/\*$/, '').toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** A variable's value; an empty one (`X=` in a compose file) counts as unset. */
const read = (env: Environment, name: string): string | undefined => {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
};

/** A URL read from `variable`, checked here so that the message names the variable to fix. */
const urlFrom = (namespace: string, variable: string, value: string): string => {
  parseRedisUrl(value, `namespace ${JSON.stringify(namespace)}: ${variable}`);
  return value;
};

const list = (value: string | undefined): string[] => (value ?? '').split(',').map((item) => item.trim()).filter(Boolean);

function readLayoutFile(path: string, cwd: string): LayoutOptions {
  const file = resolve(cwd, path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new IsolationConfigError(`ISOLATED_REDIS_LAYOUT: cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as LayoutOptions;
  } catch (error) {
    throw new IsolationConfigError(`ISOLATED_REDIS_LAYOUT: ${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * The layout the environment describes, so that deployments differ by environment only:
 *
 * - `ISOLATED_REDIS_LAYOUT=./redis-layout.json`: a JSON file with {@link LayoutOptions};
 * - otherwise one namespace, `REDIS_NAMESPACE` (or `ISOLATED_REDIS_NAMESPACE`) on `REDIS_URL`,
 *   with `ISOLATED_REDIS_DRIVER` and `ISOLATED_REDIS_MODE` when set, and
 *   `ISOLATED_REDIS_NAMESPACES=mcp2,celery,journal,tenant-*` naming the deployment's other
 *   namespaces, and its families of namespaces (ending in `*`);
 * - in both cases `REDIS_URL_<NAMESPACE>` (see {@link namespaceUrlVariable}) overrides one
 *   namespace's URL.
 *
 * @throws {@link IsolationConfigError} when the variables are missing or invalid, naming them.
 * @example
 * ```ts
 * // REDIS_URL=redis://mcp-redis:6379/0 REDIS_NAMESPACE=mcp3
 * const options = layoutOptionsFromEnv(process.env); // { namespaces: { mcp3: { url: 'redis://mcp-redis:6379/0' } } }
 * ```
 */
export function layoutOptionsFromEnv(env: Environment = process.env, cwd = process.cwd()): LayoutOptions {
  let options: LayoutOptions;
  const layoutFile = read(env, 'ISOLATED_REDIS_LAYOUT');
  if (layoutFile) {
    options = readLayoutFile(layoutFile, cwd);
  } else {
    const namespace = read(env, 'ISOLATED_REDIS_NAMESPACE') ?? read(env, 'REDIS_NAMESPACE');
    if (!namespace) throw new IsolationConfigError('set REDIS_NAMESPACE (or ISOLATED_REDIS_NAMESPACE), or ISOLATED_REDIS_LAYOUT=<layout.json>');
    const variable = read(env, namespaceUrlVariable(namespace)) === undefined ? 'REDIS_URL' : namespaceUrlVariable(namespace);
    const url = read(env, variable);
    if (!url) throw new IsolationConfigError(`set REDIS_URL (or ${namespaceUrlVariable(namespace)}) for namespace ${JSON.stringify(namespace)}`);
    const entry: LayoutNamespace = {
      url: urlFrom(namespace, variable, url),
      ...(read(env, 'ISOLATED_REDIS_DRIVER') ? { driver: read(env, 'ISOLATED_REDIS_DRIVER') as NonNullable<LayoutNamespace['driver']> } : {}),
      ...(read(env, 'ISOLATED_REDIS_MODE') ? { mode: read(env, 'ISOLATED_REDIS_MODE') as NonNullable<LayoutNamespace['mode']> } : {}),
    };
    const known = list(read(env, 'ISOLATED_REDIS_NAMESPACES'));
    options = {
      namespaces: { [namespace]: entry },
      knownNamespaces: known.filter((name) => !name.endsWith('*')),
      knownFamilies: known.filter((name) => name.endsWith('*')),
    };
  }
  if (typeof options.namespaces !== 'object' || options.namespaces === null) return options; // defineLayout names the problem
  const variables = new Map<string, string>();
  const namespaces: Record<string, LayoutNamespace> = {};
  for (const [namespace, entry] of Object.entries(options.namespaces)) {
    const variable = namespaceUrlVariable(namespace);
    const twin = variables.get(variable);
    if (twin) throw new IsolationConfigError(`namespaces ${JSON.stringify(twin)} and ${JSON.stringify(namespace)} both read ${variable}; rename one of them`);
    variables.set(variable, namespace);
    const override = read(env, variable);
    namespaces[namespace] = override ? { ...entry, url: urlFrom(namespace, variable, override) } : entry;
  }
  return { ...options, namespaces };
}

/**
 * {@link defineLayout} of {@link layoutOptionsFromEnv}: the whole configuration from the
 * environment, checked at once.
 *
 * @example
 * ```ts
 * const layout = layoutFromEnv(); // ISOLATED_REDIS_LAYOUT=./redis-layout.json
 * const celery = layout.client('celery');
 * ```
 */
export function layoutFromEnv(env: Environment = process.env, cwd = process.cwd(), extra: LayoutExtras = {}): Layout {
  return defineLayout({ ...layoutOptionsFromEnv(env, cwd), ...extra });
}

/**
 * What code adds to a layout from the environment: what cannot come from variables (hooks,
 * a logger, an error handler).
 *
 * @example
 * ```ts
 * const extra: LayoutExtras = { instrumentation: { hooks: createPrometheusHooks({ registry }) } };
 * ```
 */
export type LayoutExtras = Pick<LayoutOptions, 'instrumentation' | 'onError'>;

/**
 * The isolated client of this service's namespace (`REDIS_NAMESPACE` or
 * `ISOLATED_REDIS_NAMESPACE`), from {@link layoutFromEnv}: a new MCP service is a copy of
 * another with other environment variables.
 *
 * @throws {@link IsolationConfigError} when the namespace is missing or not in the layout file.
 * @example
 * ```ts
 * // REDIS_URL=redis://mcp-redis:6379/0 REDIS_NAMESPACE=mcp3 ISOLATED_REDIS_NAMESPACES=mcp2,mcp3,celery,journal
 * const { client, layout } = isolatedRedisFromEnv();
 * await client.set('payload:1', data); // mcp3:payload:1
 * ```
 */
export function isolatedRedisFromEnv(
  env: Environment = process.env,
  cwd = process.cwd(),
  extra: LayoutExtras = {},
): { client: ReturnType<Layout['client']>; layout: Layout } {
  const namespace = read(env, 'ISOLATED_REDIS_NAMESPACE') ?? read(env, 'REDIS_NAMESPACE');
  if (!namespace) throw new IsolationConfigError('set REDIS_NAMESPACE (or ISOLATED_REDIS_NAMESPACE) to the namespace of this service');
  const layout = layoutFromEnv(env, cwd, extra);
  return { client: layout.client(namespace), layout };
}
