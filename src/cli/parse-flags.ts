import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './errors.js';

/**
 * `node:util` parseArgs, strict, with its errors (unknown flags, and positionals unless
 * `allowPositionals`) turned into `ERR_CLI_USAGE`.
 *
 * @example
 * ```ts
 * parseFlags(['--format', 'json', 'src'], { format: { type: 'string' } }).values.format; // 'json'
 * ```
 */
export function parseFlags<O extends NonNullable<ParseArgsConfig['options']>>(args: readonly string[], options: O, allowPositionals = true) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals, strict: true });
  } catch (error) {
    throw new CliError('ERR_CLI_USAGE', (error as Error).message, { cause: error });
  }
}

/**
 * `a,b , c` as `['a', 'b', 'c']`; `[]` for no value.
 *
 * @example
 * ```ts
 * commaList('mcp2, celery'); // ['mcp2', 'celery']
 * ```
 */
export function commaList(value: string | undefined): string[] {
  return (value ?? '').split(',').map((item) => item.trim()).filter(Boolean);
}

/**
 * Checks that `value` is one of `allowed`; `fallback` when it is not given.
 *
 * @throws {@link CliError} `ERR_CLI_USAGE` for any other value.
 * @example
 * ```ts
 * oneOf('--format', 'json', ['stylish', 'json'], 'stylish'); // 'json'
 * ```
 */
export function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new CliError('ERR_CLI_USAGE', `${flag} must be one of ${allowed.join(', ')}; got "${value}"`);
  return value as T;
}

/**
 * The connection flags of the commands that reach a server (keyspace, acl, move); usage.ts
 * lists them as `CONNECT_FLAGS_USAGE`.
 *
 * @example
 * ```ts
 * const OPTIONS = { url: { type: 'string' }, ...CONNECT_FLAGS } as const;
 * ```
 */
export const CONNECT_FLAGS = {
  'connect-timeout': { type: 'string' },
  'connect-attempts': { type: 'string' },
} as const;

/**
 * A CLI run connects once, and gives up after 10 s: a user waiting at a terminal, or a CI job,
 * wants the failure, not a retry loop.
 *
 * @example
 * ```ts
 * CLI_CONNECT_DEFAULTS.connectAttempts; // 1
 * ```
 */
export const CLI_CONNECT_DEFAULTS = { connectTimeoutMs: 10_000, connectAttempts: 1 } as const;

const wholePositive = (flag: string, value: string | undefined, fallback: number): number => {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < 1) throw new CliError('ERR_CLI_USAGE', `${flag} takes a positive whole number; got "${value}"`);
  return number;
};

/**
 * `--connect-timeout MS` and `--connect-attempts N` as connection options, with the CLI's
 * defaults (10 000 ms, one attempt).
 *
 * @throws {@link CliError} `ERR_CLI_USAGE` for a value that is not a positive whole number.
 * @example
 * ```ts
 * connectFlags({ 'connect-attempts': '3' }); // { connectTimeoutMs: 10000, connectAttempts: 3 }
 * ```
 */
export function connectFlags(values: { readonly 'connect-timeout'?: string | undefined; readonly 'connect-attempts'?: string | undefined }): {
  connectTimeoutMs: number;
  connectAttempts: number;
} {
  return {
    connectTimeoutMs: wholePositive('--connect-timeout', values['connect-timeout'], CLI_CONNECT_DEFAULTS.connectTimeoutMs),
    connectAttempts: wholePositive('--connect-attempts', values['connect-attempts'], CLI_CONNECT_DEFAULTS.connectAttempts),
  };
}
