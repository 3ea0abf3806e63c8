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
