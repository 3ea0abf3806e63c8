import { maskRedisUrl, parseRedisUrl } from '../../core/redis-url.js';

/**
 * A URL fit to print: the userinfo password and `?password=` (and the like) replaced by `***`.
 * Works on any string.
 */
export const redactRedisUrl = (url: string): string => maskRedisUrl(url);

/** Every credential a URL carries, as given and percent-decoded, to mask wherever it appears. */
export function urlSecrets(url: string): string[] {
  const found = new Set<string>();
  const add = (value: string | undefined): void => {
    if (!value) return;
    found.add(value);
    found.add(encodeURIComponent(value));
  };
  try {
    add(parseRedisUrl(url).password);
  } catch {
    // an invalid URL is refused before anything connects; mask what its shape tells
  }
  for (const match of url.matchAll(/[?&;](?:password|pass|pwd|passwd|secret|token|auth)=([^&;#]*)/gi)) add(match[1]);
  const userinfo = /\/\/[^/@]*?:([^@]*)@/.exec(url)?.[1];
  add(userinfo);
  return [...found];
}

/** Replaces every occurrence of the given secrets in a text by `***`. */
export type Masker = (text: string) => string;

/** A {@link Masker} for the credentials of these URLs. */
export function maskerFor(urls: readonly string[]): Masker {
  const secrets = [...new Set(urls.flatMap(urlSecrets))].sort((a, b) => b.length - a.length);
  return (text) => secrets.reduce((masked, secret) => masked.split(secret).join('***'), text);
}

const MAX_SHOWN = 80;

/**
 * A key name fit for one line of text: printable ASCII as is, other bytes as `\xNN`, at most
 * 80 characters (then `...` and the full length).
 */
export function showKey(key: Buffer): string {
  let shown = '';
  for (const byte of key) {
    shown += byte >= 0x20 && byte < 0x7f && byte !== 0x5c ? String.fromCharCode(byte) : byte === 0x5c ? '\\\\' : `\\x${byte.toString(16).padStart(2, '0')}`;
    if (shown.length >= MAX_SHOWN) return `${shown.slice(0, MAX_SHOWN)}... (${key.length} bytes)`;
  }
  return shown;
}
