/**
 * The rules of `isolated-redis lint` and of the ESLint plugin.
 *
 * @example
 * ```ts
 * const rule: RuleId = 'cross-namespace-key';
 * ```
 */
export type RuleId = 'unprefixed-key' | 'cross-namespace-key' | 'double-prefix' | 'dynamic-key' | 'blocked-command' | 'unknown-command' | 'raw-client';

/**
 * How serious a finding is: errors make `lint` exit with 1, warnings do not.
 *
 * @example
 * ```ts
 * const severity: Severity = 'warning';
 * ```
 */
export type Severity = 'error' | 'warning';

/**
 * What a rule checks, for `--help`, the SARIF rule list and the ESLint rule docs.
 *
 * @example
 * ```ts
 * RULES['dynamic-key'].severity; // 'warning'
 * ```
 */
export interface RuleInfo {
  readonly severity: Severity;
  readonly description: string;
}

/**
 * Every rule with its default severity and a one-line description.
 *
 * @example
 * ```ts
 * RULES['raw-client'].severity; // 'warning'
 * ```
 */
export const RULES: Readonly<Record<RuleId, RuleInfo>> = {
  'unprefixed-key': { severity: 'error', description: 'A key, pattern or channel without any namespace prefix, sent by a raw client.' },
  'cross-namespace-key': { severity: 'error', description: "A key, pattern or channel that carries another namespace's prefix than the one this code owns." },
  'double-prefix': { severity: 'error', description: 'An isolated client in prefix mode given a key that already carries its prefix.' },
  'dynamic-key': { severity: 'warning', description: 'A key whose prefix cannot be resolved statically (or whose position cannot be found).' },
  'blocked-command': {
    severity: 'error',
    description: "A command that acts on every namespace (FLUSHDB, FLUSHALL, RANDOMKEY, KEYS '*', SCAN without MATCH...).",
  },
  'unknown-command': {
    severity: 'error',
    description: 'A command the command table lacks (a module command such as JSON.SET) and no `commands` rule registers: an isolated client refuses it.',
  },
  'raw-client': { severity: 'warning', description: '`new Redis()` / `createClient()` used directly instead of through `createIsolatedRedis`.' },
};

/**
 * The rule ids, in a stable order.
 *
 * @example
 * ```ts
 * RULE_IDS[0]; // 'unprefixed-key'
 * ```
 */
export const RULE_IDS = Object.keys(RULES) as RuleId[];

/**
 * One problem found in one file. Lines and columns are 1-based, as editors show them.
 *
 * @example
 * ```ts
 * const finding: Finding = {
 *   file: 'src/jobs.ts', line: 3, column: 17, endLine: 3, endColumn: 29,
 *   rule: 'unprefixed-key', severity: 'error', message: 'GET: the key "payload:1" carries no namespace prefix',
 * };
 * ```
 */
export interface Finding {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  /** A rule id, or `parse-error` for a file that could not be parsed. */
  readonly rule: RuleId | 'parse-error';
  readonly severity: Severity;
  readonly message: string;
}
