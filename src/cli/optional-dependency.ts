import { createRequire } from 'node:module';
import { CliError } from './errors.js';

/**
 * Loads an optional peer dependency when a command first needs it, so that the library itself
 * never pulls in `typescript`, `eslint` or `ioredis`.
 *
 * @throws {@link CliError} `ERR_CLI_DEPENDENCY`, naming the install command, when it is missing.
 * @example
 * ```ts
 * const ts = loadOptional<typeof import('typescript')>('typescript', 'isolated-redis lint');
 * ```
 */
export function loadOptional<T>(name: string, neededBy: string): T {
  try {
    return createRequire(import.meta.url)(name) as T;
  } catch (error) {
    throw new CliError('ERR_CLI_DEPENDENCY', `${neededBy} needs the ${name} package: npm install --save-dev ${name}`, { cause: error });
  }
}
