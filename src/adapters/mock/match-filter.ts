import type { RedisArg } from '../../core/index.js';
import { redisGlobMatch } from './glob-match.js';

/** Cursor position of each scan command: SCAN cursor ..., HSCAN key cursor ... */
const SCAN_CURSOR: Readonly<Record<string, number>> = { scan: 0, sscan: 1, hscan: 1, zscan: 1 };
/** Replies of field-value (HSCAN) and member-score (ZSCAN) pairs: MATCH looks at the first of each. */
const PAIRED: ReadonlySet<string> = new Set(['hscan', 'zscan']);

/** A command whose pattern the view matches itself: what the mock runs, and how its reply is filtered. */
export interface ViewMatch {
  readonly args: readonly RedisArg[];
  readonly filter: (reply: unknown) => unknown;
}

type Name = string | Uint8Array;
const patternOf = (arg: RedisArg | undefined): Name => (typeof arg === 'string' || arg instanceof Uint8Array ? arg : String(arg));

function keepMatching(items: readonly unknown[], step: number, pattern: Name): unknown[] {
  const kept: unknown[] = [];
  for (let i = 0; i < items.length; i += step) {
    if (redisGlobMatch(pattern, items[i] as Name)) kept.push(...items.slice(i, i + step));
  }
  return kept;
}

/**
 * KEYS and the SCAN family with MATCH, as the view runs them on ioredis-mock: the mock is asked
 * without the pattern (KEYS `*`; SCAN without MATCH, so with the same COUNT and cursor) and
 * the view keeps what Redis's glob matches ({@link redisGlobMatch}). The mock's own matching
 * turns SCAN patterns into a regular expression: a name with a newline never matches, a `)`
 * throws, and HSCAN/ZSCAN match the pair's text instead of the field or member. Like Redis, the
 * filter applies after COUNT, and the last MATCH counts. Undefined for other commands.
 *
 * @example
 * ```ts
 * matchedOnView('scan', ['0', 'MATCH', 'mcp2:*', 'COUNT', '10'])?.args; // ['0', 'COUNT', '10']
 * ```
 */
export function matchedOnView(command: string, sent: readonly RedisArg[]): ViewMatch | undefined {
  const name = command.toLowerCase();
  if (name === 'keys') {
    const pattern = patternOf(sent[0]);
    return { args: ['*'], filter: (reply) => (reply as Name[]).filter((key) => redisGlobMatch(pattern, key)) };
  }
  const cursor = SCAN_CURSOR[name];
  if (cursor === undefined) return undefined;
  const args = sent.slice(0, cursor + 1);
  let pattern: Name | undefined;
  for (let i = cursor + 1; i < sent.length; i += 2) {
    if (String(sent[i]).toUpperCase() === 'MATCH') pattern = patternOf(sent[i + 1]);
    else args.push(...sent.slice(i, i + 2));
  }
  if (pattern === undefined) return undefined;
  const step = PAIRED.has(name) ? 2 : 1;
  const matching = pattern;
  return {
    args,
    filter: (reply) => {
      const [next, items] = reply as [unknown, unknown[]];
      return [next, keepMatching(items, step, matching)];
    },
  };
}
