import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliError } from '../errors.js';
import { SOURCE_EXTENSIONS } from './module-graph.js';

const isSource = (name: string) => SOURCE_EXTENSIONS.some((extension) => name.endsWith(extension)) && !name.endsWith('.d.ts');

/**
 * The source files under `paths` (files or directories), sorted, skipping `node_modules`,
 * dot-directories, declaration files and whatever `isIgnored` says.
 *
 * @throws {@link CliError} `ERR_CLI_USAGE` for a path that does not exist.
 * @example
 * ```ts
 * collectSourceFiles(['src'], () => false); // ['/repo/src/a.ts', '/repo/src/b/c.mjs']
 * ```
 */
export function collectSourceFiles(paths: readonly string[], isIgnored: (file: string) => boolean): string[] {
  const files = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && isSource(entry.name) && !isIgnored(path)) files.add(path);
    }
  };
  for (const path of paths) {
    const absolute = resolve(path);
    let stats;
    try {
      stats = statSync(absolute);
    } catch {
      throw new CliError('ERR_CLI_USAGE', `${path} does not exist`);
    }
    if (stats.isDirectory()) walk(absolute);
    else files.add(absolute);
  }
  return [...files].sort();
}
