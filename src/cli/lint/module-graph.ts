import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type * as B from '@babel/types';
import { collectModuleFacts, type Binding, type ModuleFacts } from './module-facts.js';
import { parseSource, type ParseFailure } from './parse.js';

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
 * A found binding and the module that declares it.
 *
 * @example
 * ```ts
 * const found: Resolved | undefined = graph.resolve(module, identifier);
 * found?.binding.init; // the literal of `export const PREFIX = 'mcp2:'` in ./keys.ts
 * ```
 */
export interface Resolved {
  readonly binding: Binding;
  readonly module: ModuleFacts;
}

/**
 * The modules of the linted project, parsed on demand and once each, so that a constant
 * imported from `./keys.js` resolves to the literal written there. Only relative imports are
 * followed (no `paths`, no packages): anything else stays unresolved, i.e. dynamic.
 *
 * @example
 * ```ts
 * const graph = new ModuleGraph();
 * const module = graph.add('/repo/src/a.ts', text);
 * ```
 */
export class ModuleGraph {
  private readonly modules = new Map<string, ModuleFacts | undefined>();

  constructor(private readonly readFile: (path: string) => string | undefined = readSourceFile) {}

  /** Parses and registers a module whose text the caller already has (the file being linted). */
  add(fileName: string, text: string): ModuleFacts | ParseFailure {
    const parsed = parseSource(fileName, text);
    if (!('program' in parsed)) {
      this.modules.set(resolve(fileName), undefined);
      return parsed;
    }
    const facts = collectModuleFacts(fileName, text, parsed);
    this.modules.set(resolve(fileName), facts);
    return facts;
  }

  /** The facts of the module `specifier` names from `from`, when it is a relative import of a readable, parseable file. */
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
      const added = this.add(candidate, text);
      return 'file' in added ? added : undefined;
    }
    return undefined;
  }

  /**
   * What an identifier refers to: its binding in the innermost scope that declares it, with
   * relative imports followed to the exporting module. A package import stays an import binding.
   */
  resolve(module: ModuleFacts, identifier: B.Identifier): Resolved | undefined {
    const binding = module.lookup(identifier);
    return binding ? this.follow({ binding, module }) : undefined;
  }

  /** What module `module` exports as `name`, following re-exports. */
  exported(module: ModuleFacts, name: string, seen = new Set<string>()): Resolved | undefined {
    const key = `${module.fileName}\0${name}`;
    if (seen.has(key)) return undefined;
    seen.add(key);
    const entry = module.exports.get(name);
    if (entry && 'local' in entry) {
      const binding = module.topLevel.get(entry.local);
      return binding ? this.follow({ binding, module }, seen) : undefined;
    }
    if (entry) {
      const target = this.imported(module, entry.specifier);
      if (!target) return { binding: { name, kind: 'import', node: module.file, imported: entry, assigned: [] }, module };
      return entry.imported === '*' ? { binding: { name, kind: 'import', node: module.file, imported: entry, assigned: [] }, module } : this.exported(target, entry.imported, seen);
    }
    for (const specifier of module.starExports) {
      const target = this.imported(module, specifier);
      const found = target && this.exported(target, name, seen);
      if (found) return found;
    }
    return undefined;
  }

  /** The module a namespace import (`import * as keys from './keys.js'`) stands for. */
  namespaceOf(found: Resolved): ModuleFacts | undefined {
    const imported = found.binding.imported;
    return imported?.imported === '*' ? this.imported(found.module, imported.specifier) : undefined;
  }

  private follow(found: Resolved, seen = new Set<string>()): Resolved | undefined {
    const imported = found.binding.imported;
    if (found.binding.kind !== 'import' || !imported || imported.imported === '*') return found;
    const target = this.imported(found.module, imported.specifier);
    return target ? this.exported(target, imported.imported, seen) : found;
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
