import type * as TS from 'typescript';
import { loadOptional } from '../optional-dependency.js';

let cached: typeof TS | undefined;

/**
 * The `typescript` package (an optional peer dependency), loaded on first use.
 *
 * @throws {@link CliError} `ERR_CLI_DEPENDENCY` when it is not installed.
 * @example
 * ```ts
 * const ts = loadTypeScript();
 * ```
 */
export function loadTypeScript(): typeof TS {
  cached ??= loadOptional<typeof TS>('typescript', 'isolated-redis lint and its ESLint plugin');
  return cached;
}
