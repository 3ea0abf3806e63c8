import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The version in this package's own `package.json`, found from this module's directory up:
 * `dist/` once built, `src/cli/` when run from the sources. The package's name must match, so a
 * project's `package.json` further up is never read by mistake.
 *
 * @example
 * ```ts
 * io.stdout(`${packageVersion()}\n`); // 1.2.0
 * ```
 */
export function packageVersion(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (manifest.name === 'isolated-redis' && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // No (readable) package.json here: look further up.
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}
