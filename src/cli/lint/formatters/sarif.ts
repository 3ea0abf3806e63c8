import { RULES, RULE_IDS } from '../rules.js';
import type { LintResult } from './lint-result.js';

const PARSE_ERROR = { id: 'parse-error', shortDescription: { text: 'The file could not be parsed.' }, defaultConfiguration: { level: 'error' } };

/**
 * The findings as a SARIF 2.1.0 log, for code-scanning uploads. File URIs are relative to the
 * directory `lint` ran in (`%SRCROOT%`).
 *
 * @example
 * ```ts
 * JSON.parse(formatSarif({ files: 1, findings: [] })).version; // '2.1.0'
 * ```
 */
export function formatSarif(result: LintResult): string {
  const rules = [
    ...RULE_IDS.map((id) => ({ id, shortDescription: { text: RULES[id].description }, defaultConfiguration: { level: RULES[id].severity } })),
    PARSE_ERROR,
  ];
  const ruleIndex = new Map(rules.map((rule, i) => [rule.id, i]));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'isolated-redis', informationUri: 'https://www.npmjs.com/package/isolated-redis', rules } },
        columnKind: 'utf16CodeUnits',
        results: result.findings.map((finding) => ({
          ruleId: finding.rule,
          ruleIndex: ruleIndex.get(finding.rule),
          level: finding.severity,
          message: { text: finding.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: encodeURI(finding.file.split('\\').join('/')), uriBaseId: '%SRCROOT%' },
                region: { startLine: finding.line, startColumn: finding.column, endLine: finding.endLine, endColumn: finding.endColumn },
              },
            },
          ],
        })),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
