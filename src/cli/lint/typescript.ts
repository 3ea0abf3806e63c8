import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as TS from 'typescript';
import { CliError } from '../errors.js';

/**
 * The project's own `typescript` (an optional peer dependency), for type-aware lint only: looked
 * for from each of `directories` (the tsconfig's folder first), then from this package. Fast lint
 * never loads it.
 *
 * @throws {@link CliError} `ERR_CLI_DEPENDENCY` when no `typescript` is installed, or when the one
 * found has no JavaScript compiler API (TypeScript 7, the native compiler, whose npm package
 * exports only its version).
 * @example
 * ```ts
 * const ts = loadCompilerApi([dirname(tsconfigPath)]);
 * ts.createProgram({ rootNames: ['src/a.ts'], options: {} });
 * ```
 */
export function loadCompilerApi(directories: readonly string[], options: { readonly includePackage?: boolean } = {}): typeof TS {
  const requirers = [...directories.map((directory) => createRequire(join(directory, 'package.json')))];
  if (options.includePackage !== false) requirers.push(createRequire(import.meta.url));
  let loaded: (Partial<typeof TS> & { version?: string }) | undefined;
  for (const require of requirers) {
    try {
      loaded = require('typescript') as Partial<typeof TS>;
      break;
    } catch {
      // Not installed where this one looks: try the next.
    }
  }
  if (!loaded) {
    throw new CliError(
      'ERR_CLI_DEPENDENCY',
      'type-aware lint (--project) needs the typescript package with its JavaScript compiler API (TypeScript 5.x or 6.x): npm install --save-dev typescript@6. ' +
        'Without --project, lint needs no TypeScript at all.',
    );
  }
  if (typeof loaded.createProgram !== 'function' || typeof loaded.readConfigFile !== 'function') {
    throw new CliError(
      'ERR_CLI_DEPENDENCY',
      `type-aware lint (--project) needs TypeScript's JavaScript compiler API, which typescript ${loaded.version ?? '(unknown version)'} does not have ` +
        '(TypeScript 7 is the native compiler: its npm package exports no compiler API). Install TypeScript 6 for the project being audited, ' +
        'or lint without --project (fast mode does not use TypeScript).',
    );
  }
  return loaded as typeof TS;
}
