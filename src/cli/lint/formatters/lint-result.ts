import type { Finding } from '../rules.js';

/**
 * What one `lint` run found, as every formatter takes it.
 *
 * @example
 * ```ts
 * const result: LintResult = { files: 12, findings: [] };
 * ```
 */
export interface LintResult {
  /** How many files were analysed. */
  readonly files: number;
  /** Sorted by file, line, column. */
  readonly findings: readonly Finding[];
}

/**
 * How many findings are errors and how many warnings.
 *
 * @example
 * ```ts
 * countBySeverity(result.findings); // { errors: 2, warnings: 1 }
 * ```
 */
export function countBySeverity(findings: readonly Finding[]): { errors: number; warnings: number } {
  let errors = 0;
  for (const finding of findings) if (finding.severity === 'error') errors++;
  return { errors, warnings: findings.length - errors };
}
