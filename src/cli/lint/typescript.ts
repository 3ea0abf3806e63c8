import type * as TS from 'typescript';
import { loadOptional } from '../optional-dependency.js';

let cached: typeof TS | undefined;

/** The `typescript` package (an optional peer dependency), loaded on first use. */
export function loadTypeScript(): typeof TS {
  cached ??= loadOptional<typeof TS>('typescript', 'isolated-redis lint and its ESLint plugin');
  return cached;
}
