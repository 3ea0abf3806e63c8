const GLOB_SPECIAL = /[*?[\]\\]/g;

/**
 * Escapes the characters Redis glob patterns give a meaning to (`* ? [ ] \`), so that `text`
 * matches only itself at the start of a KEYS, SCAN MATCH or PSUBSCRIBE pattern.
 *
 * @example
 * ```ts
 * escapeGlob('tenant[1]:'); // 'tenant\\[1\\]:'
 * ```
 */
export function escapeGlob(text: string): string {
  return text.replace(GLOB_SPECIAL, '\\$&');
}
