import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type * as TS from 'typescript';
import { collectModuleFacts, type ModuleFacts } from './module-facts.js';

/**
 * The extensions `lint` parses, and in which order an extensionless import is tried.
 *
 * @example
 * ```ts
 * SOURCE_EXTENSIONS.includes('.cts'); // true
 * ```
 */
export const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'] as const;

/** ESM imports name the emitted file (`./keys.js`); the source may be `./keys.ts`. */
const EMITTED_TO_SOURCE: Readonly<Record<string, readonly string[]>> = {
  '.js': ['.ts', '.tsx'],
  '.mjs': ['.mts'],
  '.cjs': ['.cts'],
};

/**
 * A found binding: the expression it is bound to and the module that expression is in.
 *
 * @example
 * ```ts
 * const binding: Binding | undefined = graph.lookup(module, 'PREFIX');
 * ```
 */
export interface Binding {
  readonly expression: TS.Expression;
  readonly module: ModuleFacts;
}

/**
 * The modules of the linted project, parsed on demand and once each, so that a constant
 * imported from `./keys.js` resolves to the literal written there. Only relative imports are
 * followed (no `paths`, no packages): anything else stays unresolved, i.e. dynamic.
 *
 * @example
 * ```ts
 * const graph = new ModuleGraph(ts);
 * const module = graph.add('/repo/src/a.ts', text);
 * graph.lookup(module, 'PREFIX')?.expression; // the literal of `export const PREFIX = 'mcp2:'` in ./keys.ts
 * ```
 */
export class ModuleGraph {
  private readonly modules = new Map<string, ModuleFacts | undefined>();

  constructor(
    private readonly ts: typeof TS,
    private readonly readFile: (path: string) => string | undefined = readSourceFile,
  ) {}

  /** Registers a module whose text the caller already has (the file being linted). */
  add(fileName: string, text: string): ModuleFacts {
    const facts = collectModuleFacts(this.ts, this.ts.createSourceFile(fileName, text, this.ts.ScriptTarget.Latest, true, scriptKind(this.ts, fileName)));
    this.modules.set(resolve(fileName), facts);
    return facts;
  }

  /** The facts of the module `specifier` names from `from`, when it is a relative import of a readable file. */
  imported(from: ModuleFacts, specifier: string): ModuleFacts | undefined {
    if (!specifier.startsWith('.')) return undefined;
    const base = resolve(dirname(from.fileName), specifier);
    for (const candidate of candidates(base)) {
      if (this.modules.has(candidate)) {
        const known = this.modules.get(candidate);
        if (known) return known;
        continue;
      }
      const text = this.readFile(candidate);
      if (text === undefined) {
        this.modules.set(candidate, undefined);
        continue;
      }
      return this.add(candidate, text);
    }
    return undefined;
  }

  /** What `name` is bound to in `module`: a local constant, or an import followed to its export. */
  lookup(module: ModuleFacts, name: string, seen = new Set<string>()): Binding | undefined {
    const key = `${module.fileName}\0${name}`;
    if (seen.has(key)) return undefined;
    seen.add(key);
    const constant = module.constants.get(name);
    if (constant) return { expression: constant, module };
    const imported = module.imports.get(name);
    if (!imported || imported.imported === '*') return undefined;
    const target = this.imported(module, imported.specifier);
    return target ? this.exported(target, imported.imported, seen) : undefined;
  }

  /** What module `module` exports as `name`, following re-exports. */
  exported(module: ModuleFacts, name: string, seen = new Set<string>()): Binding | undefined {
    const entry = module.exports.get(name);
    if (entry && 'local' in entry) return this.lookup(module, entry.local, seen);
    if (entry) {
      const target = this.imported(module, entry.specifier);
      return target ? this.exported(target, entry.imported, seen) : undefined;
    }
    for (const specifier of module.starExports) {
      const target = this.imported(module, specifier);
      const found = target && this.exported(target, name, seen);
      if (found) return found;
    }
    return undefined;
  }
}

function* candidates(base: string): Generator<string> {
  yield base;
  const dot = base.lastIndexOf('.');
  const extension = dot > base.lastIndexOf('/') ? base.slice(dot) : '';
  for (const source of EMITTED_TO_SOURCE[extension] ?? []) yield base.slice(0, dot) + source;
  for (const source of SOURCE_EXTENSIONS) yield base + source;
  for (const source of SOURCE_EXTENSIONS) yield `${base}/index${source}`;
}

function readSourceFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The script kind for a file name, so `.js` files with JSX and `.cts` parse as they should.
 *
 * @example
 * ```ts
 * scriptKind(ts, 'a.cjs') === ts.ScriptKind.JS; // true
 * ```
 */
export function scriptKind(ts: typeof TS, fileName: string): TS.ScriptKind {
  if (/\.(tsx)$/.test(fileName)) return ts.ScriptKind.TSX;
  if (/\.(jsx)$/.test(fileName)) return ts.ScriptKind.JSX;
  if (/\.(js|mjs|cjs)$/.test(fileName)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}
