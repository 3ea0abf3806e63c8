import { dirname } from 'node:path';
import { EXIT, type CliIo } from '../io.js';
import { commaList, oneOf, parseFlags } from '../parse-flags.js';
import { findConfig, loadConfigFile, resolveConfig } from './config.js';
import { formatJson } from './formatters/json.js';
import { countBySeverity, type LintResult } from './formatters/lint-result.js';
import { formatSarif } from './formatters/sarif.js';
import { formatStylish } from './formatters/stylish.js';
import { lintPaths } from './run-lint.js';

const FORMATTERS: Readonly<Record<'stylish' | 'json' | 'sarif', (result: LintResult) => string>> = {
  stylish: formatStylish,
  json: formatJson,
  sarif: formatSarif,
};

/**
 * `isolated-redis lint [paths...] [--namespace ns] [--namespaces a,b] [--config file] [--format stylish|json|sarif] [--typed-clients raw|isolated] [--project tsconfig.json]`.
 * `--project` is type-aware mode: the project's TypeScript (5.x or 6.x) tells which values are Redis clients.
 * Returns the exit code: 0 clean (warnings allowed), 1 errors found, 2 a file could not be parsed.
 *
 * @example
 * ```ts
 * const code = await runLintCommand(['src', '--namespace', 'mcp2'], processIo());
 * ```
 */
export async function runLintCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    namespace: { type: 'string' },
    namespaces: { type: 'string' },
    config: { type: 'string' },
    format: { type: 'string' },
    'typed-clients': { type: 'string' },
    project: { type: 'string' },
  });
  const typedClients = values['typed-clients'] === undefined ? undefined : oneOf('--typed-clients', values['typed-clients'], ['raw', 'isolated'], 'raw');
  const format = oneOf('--format', values.format, ['stylish', 'json', 'sarif'], 'stylish');
  const found = values.config === undefined ? await findConfig(io.cwd) : await loadConfigFile(values.config);
  const config = resolveConfig(found?.config ?? {}, found ? dirname(found.file) : io.cwd, {
    ...(values.namespace === undefined ? {} : { override: values.namespace }),
    extraNamespaces: commaList(values.namespaces),
    ...(typedClients === undefined ? {} : { typedClients }),
    ...(found ? { source: found.file } : {}),
  });
  const result = lintPaths(positionals.length > 0 ? positionals : ['.'], config, io.cwd, values.project === undefined ? {} : { project: values.project });
  io.stdout(FORMATTERS[format](result));
  if (result.findings.some((finding) => finding.rule === 'parse-error')) return EXIT.usage;
  return countBySeverity(result.findings).errors > 0 ? EXIT.findings : EXIT.clean;
}
