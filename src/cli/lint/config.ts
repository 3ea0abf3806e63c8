import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildCommandTable, type CommandRule } from '../../core/command-rules.js';
import { CliError } from '../errors.js';
import type { TypedClients } from './analyze.js';
import type { NamespaceLayout } from './classify.js';
import { fileGlob } from './file-glob.js';

/**
 * The `isolated-redis` configuration: in `isolated-redis.config.json`, as the default export of
 * `isolated-redis.config.js`, or under the `"isolated-redis"` key of `package.json`.
 *
 * @example
 * ```json
 * {
 *   "namespaces": ["mcp2", "celery", "journal"],
 *   "owners": [
 *     { "files": "services/mcp2/**", "namespace": "mcp2" },
 *     { "files": ["workers/**", "tasks/*.py.ts"], "namespace": "celery" }
 *   ],
 *   "ignore": ["**\/generated/**"]
 * }
 * ```
 */
export interface AuditConfig {
  /** Every namespace of the deployment: keys with one of their prefixes are never "unprefixed". */
  readonly namespaces?: readonly string[];
  /** Which files own which namespace; the first entry whose glob matches a file wins. */
  readonly owners?: readonly { readonly files: string | readonly string[]; readonly namespace: string; readonly typedClients?: TypedClients }[];
  /**
   * How to read a client known only by its type (`constructor(private redis: Redis)`): `"raw"`
   * (the default, before adoption) or `"isolated"` (code that receives clients made by
   * `createIsolatedRedis` in prefix mode). An owner entry can say otherwise for its files.
   */
  readonly typedClients?: TypedClients;
  /** Globs of files `lint` skips (node_modules and dot-directories are always skipped). */
  readonly ignore?: readonly string[];
  /** Put between namespace and key. @defaultValue `':'` */
  readonly separator?: string;
  /** Prefixes are `{namespace}:`. @defaultValue `false` */
  readonly hashTag?: boolean;
  /**
   * Rules for module commands, as `createIsolatedRedis`'s `commands` option takes them
   * (`{ "json.set": { "firstKey": 0 }, "ft.search": { "keys": "none" } }`): lint then checks their
   * keys instead of reporting them as `unknown-command`. A `.js` configuration can import the very
   * object the services pass to `createIsolatedRedis`.
   */
  readonly commands?: Readonly<Record<string, CommandRule>>;
}

/**
 * A configuration checked and compiled: it tells each file its namespace.
 *
 * @example
 * ```ts
 * const resolved = resolveConfig({ namespaces: ['mcp2'], owners: [{ files: 'src/**', namespace: 'mcp2' }] }, '/repo');
 * resolved.namespaceOf('/repo/src/a.ts'); // 'mcp2'
 * ```
 */
export interface ResolvedConfig {
  readonly layout: NamespaceLayout;
  /** The file the configuration came from, if any. */
  readonly source: string | undefined;
  /** The `commands` rules, checked. */
  readonly commands: Readonly<Record<string, CommandRule>> | undefined;
  namespaceOf(file: string): string | undefined;
  /** How the file's type-annotated clients are read (see `AuditConfig.typedClients`). */
  typedClientsOf(file: string): TypedClients;
  isIgnored(file: string): boolean;
}

/**
 * The configuration files looked for in each directory, in this order (then package.json).
 *
 * @example
 * ```ts
 * CONFIG_FILES[0]; // 'isolated-redis.config.json'
 * ```
 */
export const CONFIG_FILES = ['isolated-redis.config.json', 'isolated-redis.config.js'] as const;
const PACKAGE_KEY = 'isolated-redis';

/**
 * The configuration found in `directory` or one of its parents, and the file it came from.
 *
 * @example
 * ```ts
 * (await findConfig(process.cwd()))?.file; // '/repo/isolated-redis.config.json'
 * ```
 */
export async function findConfig(directory: string): Promise<{ config: AuditConfig; file: string } | undefined> {
  for (let dir = resolve(directory); ; dir = dirname(dir)) {
    const found = await configIn(dir);
    if (found) return found;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Like {@link findConfig}, but synchronous and without `.js` files (which need an async
 * import): what the ESLint plugin can use.
 *
 * @example
 * ```ts
 * findConfigSync(context.cwd)?.config.namespaces; // ['mcp2', 'celery']
 * ```
 */
export function findConfigSync(directory: string): { config: AuditConfig; file: string } | undefined {
  for (let dir = resolve(directory); ; dir = dirname(dir)) {
    const json = join(dir, CONFIG_FILES[0]);
    if (existsSync(json)) return { config: parseJson(json), file: json };
    const fromPackage = packageConfig(dir);
    if (fromPackage) return fromPackage;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Reads a configuration file named on the command line (`--config`).
 *
 * @example
 * ```ts
 * await loadConfigFile('ci/isolated-redis.config.json');
 * ```
 */
export async function loadConfigFile(file: string): Promise<{ config: AuditConfig; file: string }> {
  const path = resolve(file);
  if (!existsSync(path)) throw new CliError('ERR_CLI_CONFIG', `config file ${file} does not exist`);
  if (path.endsWith('package.json')) {
    const found = packageConfig(dirname(path));
    if (!found) throw new CliError('ERR_CLI_CONFIG', `${file} has no "${PACKAGE_KEY}" key`);
    return found;
  }
  return { config: path.endsWith('.json') ? parseJson(path) : await importConfig(path), file: path };
}

async function configIn(dir: string): Promise<{ config: AuditConfig; file: string } | undefined> {
  for (const name of CONFIG_FILES) {
    const file = join(dir, name);
    if (existsSync(file)) return loadConfigFile(file);
  }
  return packageConfig(dir);
}

function packageConfig(dir: string): { config: AuditConfig; file: string } | undefined {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return undefined;
  const json = parseJson(file) as Record<string, unknown>;
  const config = json[PACKAGE_KEY];
  return config === undefined ? undefined : { config: config as AuditConfig, file };
}

function parseJson(file: string): AuditConfig {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as AuditConfig;
  } catch (error) {
    throw new CliError('ERR_CLI_CONFIG', `${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

async function importConfig(file: string): Promise<AuditConfig> {
  try {
    const module = (await import(pathToFileURL(file).href)) as { default?: AuditConfig };
    return module.default ?? (module as AuditConfig);
  } catch (error) {
    throw new CliError('ERR_CLI_CONFIG', `${file} could not be loaded: ${(error as Error).message}`, { cause: error });
  }
}

function checkTypedClients(value: unknown, where: string): void {
  if (value !== undefined && value !== 'raw' && value !== 'isolated') throw new CliError('ERR_CLI_CONFIG', `${where} must be "raw" or "isolated"`);
}

function checkCommands(commands: unknown, where: string): void {
  if (commands === undefined) return;
  if (typeof commands !== 'object' || commands === null || Array.isArray(commands)) throw new CliError('ERR_CLI_CONFIG', `${where}: "commands" must be an object of command rules`);
  try {
    buildCommandTable(commands as Record<string, CommandRule>);
  } catch (error) {
    throw new CliError('ERR_CLI_CONFIG', `${where}: "commands": ${(error as Error).message}`, { cause: error });
  }
}

const isNamespace = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/**
 * Checks a configuration and compiles its globs, relative to `baseDir`. `override` is
 * `--namespace`: every file then owns that namespace. `extraNamespaces` is `--namespaces`.
 *
 * @throws {@link CliError} `ERR_CLI_CONFIG` for an invalid configuration, `ERR_CLI_USAGE` when no namespace is known at all.
 * @example
 * ```ts
 * resolveConfig({}, process.cwd(), { override: 'mcp2' }).namespaceOf('any.ts'); // 'mcp2'
 * ```
 */
export function resolveConfig(
  config: AuditConfig,
  baseDir: string,
  options: { readonly override?: string; readonly extraNamespaces?: readonly string[]; readonly source?: string; readonly typedClients?: TypedClients } = {},
): ResolvedConfig {
  const where = options.source ?? 'the configuration';
  if (typeof config !== 'object' || config === null) throw new CliError('ERR_CLI_CONFIG', `${where} must be an object`);
  const namespaces = new Set<string>();
  for (const name of [...(config.namespaces ?? []), ...(options.extraNamespaces ?? [])]) {
    if (!isNamespace(name)) throw new CliError('ERR_CLI_CONFIG', `${where}: "namespaces" must be non-empty strings`);
    namespaces.add(name);
  }
  const owners = (config.owners ?? []).map((owner, i) => {
    const files = typeof owner?.files === 'string' ? [owner.files] : owner?.files;
    if (!Array.isArray(files) || files.some((glob) => typeof glob !== 'string') || !isNamespace(owner.namespace)) {
      throw new CliError('ERR_CLI_CONFIG', `${where}: owners[${i}] must be { "files": glob or globs, "namespace": string }`);
    }
    if (config.namespaces && !namespaces.has(owner.namespace)) {
      throw new CliError('ERR_CLI_CONFIG', `${where}: owners[${i}] names namespace "${owner.namespace}", which is not in "namespaces"`);
    }
    namespaces.add(owner.namespace);
    checkTypedClients(owner.typedClients, `${where}: owners[${i}].typedClients`);
    return { globs: files.map(fileGlob), namespace: owner.namespace, typedClients: owner.typedClients };
  });
  checkTypedClients(config.typedClients, `${where}: "typedClients"`);
  if (options.override !== undefined) namespaces.add(options.override);
  if (namespaces.size === 0) {
    throw new CliError('ERR_CLI_USAGE', 'no namespace is known: pass --namespace, or write isolated-redis.config.json (see the README, "Auditing")');
  }
  const ignored = (config.ignore ?? []).map(fileGlob);
  checkCommands(config.commands, where);
  const relativePath = (file: string) => relative(baseDir, resolve(baseDir, file)).split(sep).join('/');
  const ownerOf = (file: string) => {
    const path = relativePath(file);
    return owners.find((owner) => owner.globs.some((glob) => glob.test(path)));
  };
  return {
    layout: {
      namespaces: [...namespaces],
      ...(config.separator === undefined ? {} : { separator: config.separator }),
      ...(config.hashTag === undefined ? {} : { hashTag: config.hashTag }),
    },
    source: options.source,
    commands: config.commands,
    namespaceOf(file) {
      if (options.override !== undefined) return options.override;
      return ownerOf(file)?.namespace;
    },
    typedClientsOf(file) {
      return ownerOf(file)?.typedClients ?? options.typedClients ?? config.typedClients ?? 'raw';
    },
    isIgnored(file) {
      const path = relativePath(file);
      return ignored.some((glob) => glob.test(path));
    },
  };
}
