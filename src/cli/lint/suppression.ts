import type { Finding } from './rules.js';

const DIRECTIVE = /(?:\/\/|\/\*)\s*isolated-redis-disable-next-line\b([^*\n]*)/;

/**
 * Drops the findings that an `// isolated-redis-disable-next-line [rule, ...]` comment on the
 * line before silences (every rule when none is named).
 *
 * @example
 * ```ts
 * // isolated-redis-disable-next-line unprefixed-key -- legacy key, migrated in #42
 * await redis.get('legacy');
 * ```
 */
export function applySuppressions(text: string, findings: readonly Finding[]): Finding[] {
  if (!text.includes('isolated-redis-disable-next-line')) return [...findings];
  const lines = text.split('\n');
  return findings.filter((finding) => {
    const directive = DIRECTIVE.exec(lines[finding.line - 2] ?? '');
    if (!directive) return true;
    const rules = (directive[1] ?? '').split('--')[0]?.split(/[\s,]+/).filter(Boolean) ?? [];
    return rules.length > 0 && !rules.includes(finding.rule);
  });
}
