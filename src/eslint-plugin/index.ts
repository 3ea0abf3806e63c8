import { dirname } from 'node:path';
import type { ESLint, Linter, Rule } from 'eslint';
import type * as TS from 'typescript';
import { CliError } from '../cli/errors.js';
import { KeyUsageAnalyzer } from '../cli/lint/analyze.js';
import type { ClientOracle } from '../cli/lint/client-detection.js';
import { findConfigSync, resolveConfig, type AuditConfig, type ResolvedConfig } from '../cli/lint/config.js';
import { RULES, RULE_IDS, type Finding, type RuleId } from '../cli/lint/rules.js';
import { TypeOracle } from '../cli/lint/type-oracle.js';

/**
 * Settings of the plugin, under `settings['isolated-redis']` in the flat config. Without them the
 * plugin reads `isolated-redis.config.json` or package.json's `"isolated-redis"` key, found from
 * ESLint's working directory up (`.js` configuration files are for the CLI only).
 *
 * @example
 * ```ts
 * const settings: IsolatedRedisSettings = { namespace: 'mcp2', namespaces: ['mcp2', 'celery'] };
 * ```
 */
export interface IsolatedRedisSettings extends AuditConfig {
  /** Every linted file owns this namespace (like `lint --namespace`). */
  readonly namespace?: string;
  /**
   * Use the type checker when the parser provides a program (`typescript-eslint` with
   * `parserOptions.projectService` or `project`), as `lint --project` does: clients known only by
   * their types (interfaces, generics, values returned by functions) are then recognised.
   * @defaultValue `true`
   */
  readonly typeAware?: boolean;
}

/**
 * The plugin object: the rules of `isolated-redis lint`, and a `recommended` flat config. Typed
 * with ESLint's own types (`eslint` is a peer dependency of the plugin), so that it fits a
 * type-checked `eslint.config.ts`.
 *
 * @example
 * ```ts
 * const config: Linter.Config = plugin.configs.recommended;
 * ```
 */
export interface IsolatedRedisPlugin extends ESLint.Plugin {
  readonly meta: { readonly name: string };
  readonly rules: Readonly<Record<RuleId, Rule.RuleModule>>;
  readonly configs: { readonly recommended: Linter.Config };
}

/** One analysis per file for all the rules: ESLint gives every rule the same `sourceCode` object. */
const analyses = new WeakMap<object, Finding[]>();
const configs = new Map<string, ResolvedConfig>();

function configFor(context: Rule.RuleContext): ResolvedConfig {
  const settings = context.settings['isolated-redis'] as IsolatedRedisSettings | undefined;
  if (settings) {
    const id = JSON.stringify(settings);
    let resolved = configs.get(id);
    if (!resolved) {
      const { namespace, ...config } = settings;
      resolved = resolveConfig(config, context.cwd, namespace === undefined ? {} : { override: namespace });
      configs.set(id, resolved);
    }
    return resolved;
  }
  const found = findConfigSync(context.cwd);
  if (!found) {
    throw new CliError(
      'ERR_CLI_CONFIG',
      `isolated-redis/eslint-plugin: no configuration: set settings['isolated-redis'] ({ namespace } or { namespaces, owners }) ` +
        `in the ESLint config, or write isolated-redis.config.json (or an "isolated-redis" key in package.json) in ${context.cwd} or above`,
    );
  }
  return resolveConfig(found.config, dirname(found.file), { source: found.file });
}

/** The type checker's view of the file, when the parser built a program (typescript-eslint's parserServices). */
function oracleFor(context: Rule.RuleContext): ClientOracle | undefined {
  const settings = context.settings['isolated-redis'] as IsolatedRedisSettings | undefined;
  if (settings?.typeAware === false) return undefined;
  const program = (context.sourceCode.parserServices as { program?: TS.Program | null } | undefined)?.program;
  const sourceFile = program?.getSourceFile(context.filename);
  return program && sourceFile ? new TypeOracle(program, sourceFile) : undefined;
}

function findingsOf(context: Rule.RuleContext): Finding[] {
  let findings = analyses.get(context.sourceCode);
  if (!findings) {
    const config = configFor(context);
    const oracle = oracleFor(context);
    // A fresh analyzer per file: imported modules are read again, as the editor may have changed them.
    findings = new KeyUsageAnalyzer().analyze(context.sourceCode.text, {
      fileName: context.filename,
      namespace: config.namespaceOf(context.filename),
      layout: config.layout,
      typedClients: config.typedClientsOf(context.filename),
      ...(config.commands ? { commands: config.commands } : {}),
      ...(oracle ? { oracle } : {}),
    });
    analyses.set(context.sourceCode, findings);
  }
  return findings;
}

function ruleFor(id: RuleId): Rule.RuleModule {
  return {
    meta: { type: 'problem', docs: { description: RULES[id].description }, schema: [] },
    create(context) {
      return {
        'Program:exit'() {
          for (const finding of findingsOf(context)) {
            if (finding.rule !== id) continue;
            context.report({
              loc: { start: { line: finding.line, column: finding.column - 1 }, end: { line: finding.endLine, column: finding.endColumn - 1 } },
              message: finding.message,
            });
          }
        },
      };
    },
  };
}

const rules = Object.fromEntries(RULE_IDS.map((id) => [id, ruleFor(id)])) as Record<RuleId, Rule.RuleModule>;

/**
 * `isolated-redis/eslint-plugin`: the rules of `isolated-redis lint` on the same analysis, so
 * editors show its findings as you type. It parses files with the parser this package ships, so
 * it works whatever TypeScript is installed (or none), on ESLint 9 and 10; with
 * typescript-eslint's type information it is type-aware too.
 *
 * @example
 * ```js
 * // eslint.config.js
 * import isolatedRedis from 'isolated-redis/eslint-plugin';
 * export default [
 *   isolatedRedis.configs.recommended,
 *   { settings: { 'isolated-redis': { namespaces: ['mcp2', 'celery'], owners: [{ files: 'src/mcp2/**', namespace: 'mcp2' }] } } },
 * ];
 * ```
 */
export const plugin: IsolatedRedisPlugin = {
  meta: { name: 'isolated-redis' },
  rules,
  configs: {
    recommended: {
      get plugins() {
        return { 'isolated-redis': plugin };
      },
      rules: Object.fromEntries(RULE_IDS.map((id) => [`isolated-redis/${id}`, RULES[id].severity === 'error' ? 'error' : 'warn'])),
    },
  },
};

export default plugin;
export type { RuleId } from '../cli/lint/rules.js';
export type { TypedClients } from '../cli/lint/analyze.js';
