import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One ```ts block of an `@example` in the published declarations. */
export interface DocExample {
  /** `<n>-<symbol>.ts`: the example's rank, and the declaration its comment documents. */
  readonly name: string;
  readonly code: string;
}

/** The entry points, in the order an example's names are looked up (the main entry first). */
export const ENTRIES = ['index', 'testing', 'prometheus', 'eslint-plugin'] as const;

const SUBPATH: Readonly<Record<(typeof ENTRIES)[number], string>> = {
  index: 'isolated-redis',
  testing: 'isolated-redis/testing',
  prometheus: 'isolated-redis/prometheus',
  'eslint-plugin': 'isolated-redis/eslint-plugin',
};

/** Names the examples use from other packages, as a project imports them. */
const THIRD_PARTY: Readonly<Record<string, string>> = {
  Redis: "import { Redis } from 'ioredis';",
  Cluster: "import { Cluster } from 'ioredis';",
  RedisMock: "import RedisMock from 'ioredis-mock';",
  createClient: "import { createClient } from 'redis';",
  createCluster: "import { createCluster } from 'redis';",
  createClientPool: "import { createClientPool } from 'redis';",
  Registry: "import { Registry } from 'prom-client';",
  Linter: "import type { Linter } from 'eslint';",
  diagnostics_channel: "import diagnostics_channel from 'node:diagnostics_channel';",
  expect: "import { expect } from 'vitest';",
  beforeEach: "import { beforeEach } from 'vitest';",
  afterEach: "import { afterEach } from 'vitest';",
  describe: "import { describe } from 'vitest';",
  it: "import { it } from 'vitest';",
};

/** The ```ts examples of every `@example` in the ESM declarations under `dist` (chunks included), each once. */
export async function docExamples(dist: string): Promise<DocExample[]> {
  const seen = new Set<string>();
  const examples: DocExample[] = [];
  for (const file of (await readdir(dist)).filter((name) => name.endsWith('.d.ts')).sort()) {
    const text = await readFile(join(dist, file), 'utf8');
    for (const comment of text.matchAll(/\/\*\*([\s\S]*?)\*\/\s*\n\s*(?:export )?(?:declare )?(?:abstract )?(?:function|const|class|interface|type|let|var) (\w+)/g)) {
      const body = (comment[1] ?? '').split('\n').map((line) => line.replace(/^\s*\* ?/, '')).join('\n');
      for (const block of body.matchAll(/@example\s*\n```(?:ts|typescript)\n([\s\S]*?)```/g)) {
        const code = block[1] ?? '';
        if (seen.has(code)) continue;
        seen.add(code);
        examples.push({ name: `${String(examples.length + 1).padStart(3, '0')}-${comment[2] ?? 'example'}.ts`, code });
      }
    }
  }
  return examples;
}

/** The names each entry point exports (values and types), read from its declaration file's `export { ... }` lists. */
export async function entryExports(dist: string): Promise<Map<string, string>> {
  const owner = new Map<string, string>();
  for (const entry of ENTRIES) {
    const text = await readFile(join(dist, `${entry}.d.ts`), 'utf8');
    for (const list of text.matchAll(/^export \{([^}]*)\}/gm)) {
      for (const item of (list[1] ?? '').split(',')) {
        const name = item.trim().replace(/^type /, '').split(/\s+as\s+/).pop()?.trim();
        if (name && name !== 'default' && !owner.has(name)) owner.set(name, SUBPATH[entry]);
      }
    }
  }
  return owner;
}

/**
 * The example as a module of a project: the imports of the names it uses from the package and its
 * peers (those it does not import or declare itself), then the example, then `export {}`.
 */
export function asModule(code: string, exports: ReadonlyMap<string, string>): string {
  const declared = new Set<string>();
  for (const match of code.matchAll(/\b(?:const|let|var|function|class|type|interface|enum)\s+([A-Za-z_$][\w$]*)/g)) declared.add(match[1] ?? '');
  for (const match of code.matchAll(/\b(?:const|let|var)\s+\{([^}]*)\}/g)) for (const name of (match[1] ?? '').split(',')) declared.add(name.split(':').pop()?.trim() ?? '');
  for (const match of code.matchAll(/\bimport\s+(?:type\s+)?(\w+)?\s*,?\s*(?:\{([^}]*)\})?\s*from/g)) {
    declared.add(match[1] ?? '');
    for (const name of (match[2] ?? '').split(',')) declared.add(name.trim().replace(/^type\s+/, '').split(/\s+as\s+/).pop() ?? '');
  }
  // Names in code, not in comments or strings.
  const used = new Set(code.replace(/\/\/.*$/gm, '').replace(/'[^'\n]*'|"[^"\n]*"|`[^`]*`/g, "''").match(/(?<![.\w$])[A-Za-z_$][\w$]*/g) ?? []);
  const bySubpath = new Map<string, string[]>();
  const thirdParty: string[] = [];
  for (const name of used) {
    if (declared.has(name)) continue;
    const subpath = exports.get(name);
    const external = THIRD_PARTY[name];
    if (subpath) bySubpath.set(subpath, [...(bySubpath.get(subpath) ?? []), name]);
    else if (external) thirdParty.push(external);
  }
  const imports = [...thirdParty, ...[...bySubpath].map(([subpath, names]) => `import { ${names.sort().join(', ')} } from '${subpath}';`)];
  return `${imports.join('\n')}\n${code}\nexport {};\n`;
}
