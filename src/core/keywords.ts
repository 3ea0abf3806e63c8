import type { RedisArg } from './types.js';

/**
 * An option keyword as Redis reads it: ASCII case-insensitive, up to a NUL byte (so `STORE\0`
 * cannot pass for something else than what Redis sees).
 */
export const upperKeyword = (arg: RedisArg | undefined): string => {
  if (arg === undefined) return '';
  const text = String(arg);
  const nul = text.indexOf('\0');
  return (nul === -1 ? text : text.slice(0, nul)).replace(/[a-z]+/g, (letters) => letters.toUpperCase());
};

/** How many arguments each option of XREAD takes before STREAMS. */
export const XREAD_OPTIONS: Readonly<Record<string, number>> = { COUNT: 1, BLOCK: 1 };
/** How many arguments each option of XREADGROUP takes before STREAMS (GROUP group consumer). */
export const XREADGROUP_OPTIONS: Readonly<Record<string, number>> = { GROUP: 2, COUNT: 1, BLOCK: 1, CLAIM: 1 };
