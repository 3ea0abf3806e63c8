import { parse, type ParserPlugin } from '@babel/parser';
import type { File } from '@babel/types';

/**
 * A file that could not be parsed: where, and why (1-based line and column).
 *
 * @example
 * ```ts
 * const failure: ParseFailure = { line: 2, column: 24, message: 'Unexpected token' };
 * ```
 */
export interface ParseFailure {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** Decorators (legacy and TC39, with `accessor` fields), everywhere. */
const COMMON: readonly ParserPlugin[] = ['decorators-legacy', 'decoratorAutoAccessors'];

/**
 * Parses one source file with the parser `lint` ships with (`@babel/parser`, a dependency of
 * this package), never the project's own `typescript`: lint and the ESLint plugin then read
 * files the same way whatever TypeScript is installed (5.x, 6.x, the native 7.x, or none).
 * TypeScript syntax for `.ts .mts .cts .tsx`, JSX for `.tsx .js .jsx .mjs .cjs`, decorators
 * everywhere (a JavaScript file that only parses with type annotations is read as TypeScript,
 * as TypeScript's own parser does); ESM or CommonJS is told from the file itself, and top-level
 * `await` and `return` are accepted. Syntax errors the parser recovers from are not reported.
 *
 * @example
 * ```ts
 * const parsed = parseSource('a.ts', "const x: number = 1;");
 * if ('program' in parsed) parsed.program.body.length; // 1
 * ```
 */
export function parseSource(fileName: string, text: string): File | ParseFailure {
  const typed = /\.[cm]?tsx?$/.test(fileName);
  // `<T>value` is a type assertion in .ts and a JSX element in .tsx: only .tsx gets JSX.
  const plugins: ParserPlugin[] = typed ? ['typescript', ...COMMON, ...(fileName.endsWith('.tsx') ? (['jsx'] as const) : [])] : ['jsx', ...COMMON];
  const first = tryParse(text, plugins);
  // A .js file with type annotations (what TypeScript's own parser accepts, and an ESLint parser may hand over).
  if (!typed && !('program' in first)) {
    const retried = tryParse(text, ['typescript', 'jsx', ...COMMON]);
    if ('program' in retried) return retried;
  }
  return first;
}

function tryParse(text: string, plugins: ParserPlugin[]): File | ParseFailure {
  try {
    return parse(text, {
      sourceType: 'unambiguous',
      allowAwaitOutsideFunction: true,
      allowReturnOutsideFunction: true,
      allowImportExportEverywhere: true,
      allowNewTargetOutsideFunction: true,
      allowSuperOutsideMethod: true,
      allowUndeclaredExports: true,
      errorRecovery: true,
      attachComment: false,
      plugins,
    });
  } catch (error) {
    const { loc, message } = error as { loc?: { line: number; column: number }; message: string };
    return { line: loc?.line ?? 1, column: (loc?.column ?? 0) + 1, message: message.replace(/ \(\d+:\d+\)$/, '') };
  }
}
