import { readFileSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { KeyUsageAnalyzer } from './analyze.js';
import { collectSourceFiles } from './collect-files.js';
import type { ResolvedConfig } from './config.js';
import type { LintResult } from './formatters/lint-result.js';
import type { Finding } from './rules.js';
import { TypeAwareProject } from './type-aware-project.js';

/**
 * How `lint` runs beyond its configuration.
 *
 * @example
 * ```ts
 * const options: LintOptions = { project: 'tsconfig.json' };
 * ```
 */
export interface LintOptions {
  /** A tsconfig.json: type-aware mode, with the project's own TypeScript (5.x or 6.x). */
  readonly project?: string;
}

/**
 * Lints every source file under `paths`: one analyzer (and one cache of parsed modules) for the
 * whole run, findings reported with paths relative to `cwd`.
 *
 * @example
 * ```ts
 * const result = lintPaths(['src'], resolveConfig({ namespaces: ['mcp2'] }, cwd, { override: 'mcp2' }), cwd);
 * result.findings.length; // 0 when every key is confined
 * ```
 */
export function lintPaths(paths: readonly string[], config: ResolvedConfig, cwd: string, options: LintOptions = {}): LintResult {
  const project = options.project === undefined ? undefined : TypeAwareProject.open(options.project, cwd);
  const files = collectSourceFiles(paths.map((path) => resolve(cwd, path)), (file) => config.isIgnored(file));
  const analyzer = new KeyUsageAnalyzer();
  const findings: Finding[] = [];
  for (const file of files) {
    const shown = relative(cwd, file).split(sep).join('/');
    const text = readFileSync(file, 'utf8');
    const oracle = project?.oracleFor(file);
    const found = analyzer.analyze(text, {
      fileName: file,
      namespace: config.namespaceOf(file),
      layout: config.layout,
      typedClients: config.typedClientsOf(file),
      ...(config.commands ? { commands: config.commands } : {}),
      ...(oracle ? { oracle } : {}),
    });
    for (const finding of found) findings.push({ ...finding, file: shown });
  }
  return { files: files.length, findings };
}
