import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import AjvDraft04 from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { formatJson } from '../../../src/cli/lint/formatters/json.js';
import { formatSarif } from '../../../src/cli/lint/formatters/sarif.js';
import { formatStylish } from '../../../src/cli/lint/formatters/stylish.js';
import type { LintResult } from '../../../src/cli/lint/formatters/lint-result.js';

const result: LintResult = {
  files: 3,
  findings: [
    { file: 'src/a b.ts', line: 3, column: 17, endLine: 3, endColumn: 29, rule: 'unprefixed-key', severity: 'error', message: 'GET: the key \'x\' carries no namespace prefix' },
    { file: 'src/a b.ts', line: 12, column: 5, endLine: 12, endColumn: 9, rule: 'dynamic-key', severity: 'warning', message: 'GET: the key id has a namespace prefix that cannot be resolved statically' },
    { file: 'src/c.ts', line: 1, column: 1, endLine: 1, endColumn: 1, rule: 'parse-error', severity: 'error', message: "')' expected." },
  ],
};

// ajv-draft-04 is CommonJS: under NodeNext its default import is the module, whose `default` is the class.
const Ajv = AjvDraft04.default;

/** The SARIF 2.1.0 (rtm.5) JSON schema, as the @microsoft/jest-sarif package ships it. */
function sarifSchema(): object {
  const path = createRequire(import.meta.url).resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  return JSON.parse(readFileSync(path, 'utf8')) as object;
}

describe('lint output formats', () => {
  it('stylish groups findings by file, like ESLint, and ends with the totals', () => {
    expect(formatStylish(result)).toBe(
      [
        'src/a b.ts',
        "  3:17  error    GET: the key 'x' carries no namespace prefix  unprefixed-key",
        '  12:5  warning  GET: the key id has a namespace prefix that cannot be resolved statically  dynamic-key',
        '',
        'src/c.ts',
        "  1:1   error    ')' expected.  parse-error",
        '',
        '✖ 3 problems (2 errors, 1 warning)',
        '',
      ].join('\n'),
    );
    expect(formatStylish({ files: 2, findings: [] })).toBe('');
  });

  it('json carries the counts and every finding', () => {
    expect(JSON.parse(formatJson(result))).toEqual({ files: 3, errorCount: 2, warningCount: 1, findings: result.findings });
  });

  it('sarif is a valid SARIF 2.1.0 log', () => {
    // The schema's language-tag pattern is not valid in unicode mode; its `uri` formats are not checked.
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false, validateFormats: false });
    const validate = ajv.compile(sarifSchema());
    const log = JSON.parse(formatSarif(result)) as unknown;
    validate(log);
    expect(validate.errors ?? []).toEqual([]);
    const empty = JSON.parse(formatSarif({ files: 0, findings: [] })) as unknown;
    expect(validate(empty)).toBe(true);
    // The validator does check: a level SARIF does not define is refused.
    const wrong = JSON.parse(formatSarif(result).replace('"level": "warning"', '"level": "warn"')) as unknown;
    expect(validate(wrong)).toBe(false);
  });

  it('sarif names the rule, level and region of each finding, with URIs relative to the source root', () => {
    const log = JSON.parse(formatSarif(result)) as {
      runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string; ruleIndex: number; level: string; locations: unknown[] }[] }[];
    };
    const [run] = log.runs;
    expect(run?.results.map((r) => [r.ruleId, run.tool.driver.rules[r.ruleIndex]?.id, r.level])).toEqual([
      ['unprefixed-key', 'unprefixed-key', 'error'],
      ['dynamic-key', 'dynamic-key', 'warning'],
      ['parse-error', 'parse-error', 'error'],
    ]);
    expect(run?.results[0]?.locations).toEqual([
      {
        physicalLocation: {
          artifactLocation: { uri: 'src/a%20b.ts', uriBaseId: '%SRCROOT%' },
          region: { startLine: 3, startColumn: 17, endLine: 3, endColumn: 29 },
        },
      },
    ]);
  });
});
