import { countBySeverity, type LintResult } from './lint-result.js';

/**
 * The findings as one JSON document: `{ files, errorCount, warningCount, findings: [...] }`.
 *
 * @example
 * ```ts
 * JSON.parse(formatJson({ files: 1, findings: [] })).errorCount; // 0
 * ```
 */
export function formatJson(result: LintResult): string {
  const { errors, warnings } = countBySeverity(result.findings);
  return `${JSON.stringify({ files: result.files, errorCount: errors, warningCount: warnings, findings: result.findings }, null, 2)}\n`;
}
