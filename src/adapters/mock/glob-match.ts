/**
 * Redis's glob matcher (`stringmatchlen` in util.c, Redis 7.0) over bytes, for the mock's KEYS
 * and SCAN MATCH: ioredis-mock turns SCAN patterns into a regular expression, which misses names
 * holding a newline and throws on a `(` or `)`. Bytes as Redis sees them: a string is matched as
 * its UTF-8 encoding (what the drivers send), so `?` matches one byte, not one character.
 *
 * Compared with a real server by test/adapters/mock/glob-match.test.ts.
 */

/** x86 compilers make C's `char` signed: class ranges compare bytes above 0x7f as negative. */
const signed = (byte: number): number => (byte > 0x7f ? byte - 0x100 : byte);

const STAR = 0x2a;
const QUESTION = 0x3f;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const BACKSLASH = 0x5c;
const CARET = 0x5e;
const DASH = 0x2d;

/** Redis's protection against abusive patterns (7.2+): past this depth of `*`, no match. */
const MAX_NESTING = 1000;

interface Search {
  /** Set once a `*` found no match for the rest of the pattern anywhere: longer matches are hopeless. */
  skipLongerMatches: boolean;
}

function matchAt(p: Uint8Array, pi: number, s: Uint8Array, si: number, search: Search, nesting: number): boolean {
  if (nesting > MAX_NESTING) return false;
  while (pi < p.length && si < s.length) {
    const c = p[pi] as number;
    if (c === STAR) {
      while (pi + 1 < p.length && p[pi + 1] === STAR) pi++;
      if (pi + 1 === p.length) return true;
      for (; si < s.length; si++) {
        if (matchAt(p, pi + 1, s, si, search, nesting + 1)) return true;
        if (search.skipLongerMatches) return false;
      }
      search.skipLongerMatches = true;
      return false;
    } else if (c === QUESTION) {
      si++;
    } else if (c === OPEN) {
      pi++;
      const not = p[pi] === CARET;
      if (not) pi++;
      let matched = false;
      for (;;) {
        if (pi < p.length && p[pi] === BACKSLASH && pi + 1 < p.length) {
          pi++;
          if (p[pi] === s[si]) matched = true;
        } else if (pi < p.length && p[pi] === CLOSE) {
          break;
        } else if (pi >= p.length) {
          // An unterminated class: Redis steps back onto its last byte.
          pi--;
          break;
        } else if (pi + 2 < p.length && p[pi + 1] === DASH) {
          let start = signed(p[pi] as number);
          let end = signed(p[pi + 2] as number);
          const ch = signed(s[si] as number);
          if (start > end) [start, end] = [end, start];
          pi += 2;
          if (ch >= start && ch <= end) matched = true;
        } else if (p[pi] === s[si]) {
          matched = true;
        }
        pi++;
      }
      if (not) matched = !matched;
      if (!matched) return false;
      si++;
    } else {
      if (c === BACKSLASH && pi + 1 < p.length) pi++;
      if (p[pi] !== s[si]) return false;
      si++;
    }
    pi++;
    if (si === s.length) {
      while (pi < p.length && p[pi] === STAR) pi++;
      break;
    }
  }
  return pi >= p.length && si === s.length;
}

const bytesOf = (value: string | Uint8Array): Uint8Array => (typeof value === 'string' ? Buffer.from(value, 'utf8') : value);

/**
 * Whether `name` matches the Redis glob `pattern` (`*`, `?`, `[...]`, `[^...]`, `[a-z]`, `\`
 * escapes), exactly as KEYS and SCAN MATCH decide on a Redis 7 server (a lone `*` matches every
 * name, the empty one too).
 *
 * @example
 * ```ts
 * redisGlobMatch('mcp2:*', 'mcp2:a\nb'); // true
 * redisGlobMatch('mcp2:a)*', 'mcp2:a)b'); // true
 * ```
 */
export function redisGlobMatch(pattern: string | Uint8Array, name: string | Uint8Array): boolean {
  const p = bytesOf(pattern);
  // KEYS and SCAN take a lone `*` as "everything" without matching: the empty name included.
  if (p.length === 1 && p[0] === STAR) return true;
  return matchAt(p, 0, bytesOf(name), 0, { skipLongerMatches: false }, 0);
}
