import { countBySeverity, type LintResult } from './lint-result.js';

/**
 * ESLint's "stylish" layout: the file, then one line per finding (`line:col  severity  message  rule`),
 * then a total. Empty when nothing was found.
 *
 * @example
 * ```ts
 * formatStylish({ files: 1, findings: [] }); // ''
 * ```
 */
export function formatStylish(result: LintResult): string {
  if (result.findings.length === 0) return '';
  const out: string[] = [];
  let file: string | undefined;
  const width = Math.max(...result.findings.map((f) => `${f.line}:${f.column}`.length));
  for (const finding of result.findings) {
    if (finding.file !== file) {
      if (file !== undefined) out.push('');
      file = finding.file;
      out.push(file);
    }
    out.push(`  ${`${finding.line}:${finding.column}`.padEnd(width)}  ${finding.severity.padEnd(7)}  ${finding.message}  ${finding.rule}`);
  }
  const { errors, warnings } = countBySeverity(result.findings);
  const total = errors + warnings;
  out.push('', `✖ ${total} problem${total === 1 ? '' : 's'} (${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'})`);
  return `${out.join('\n')}\n`;
}
