/**
 * `isolated-redis lint` over a generated tree of 10,000 TypeScript files (a shared keys module,
 * services on ioredis, node-redis and isolated clients, and services that receive their client
 * through an interface of their own), timed end to end in fast mode and in type-aware mode
 * (`--project`, with this repository's TypeScript): collection, parsing, analysis, and for
 * type-aware mode building the program. The tree is written to a temporary directory and removed
 * afterwards. Printed, never asserted.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../src/cli/lint/config.js';
import { lintPaths } from '../src/cli/lint/run-lint.js';

const FILES = 10_000;
const PER_DIRECTORY = 100;
const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');

const KEYS_MODULE = `import type { Redis } from 'ioredis';
export const MCP2 = 'mcp2:';
export const CELERY = 'celery:';
export const QUEUE = \`\${MCP2}queue\`;
/** What a library receives from outside: only the type checker knows \`redis\` is a client. */
export interface Deps {
  readonly redis: Redis;
}
`;

/** The packages resolve to this repository's node_modules (and isolated-redis to its sources), wherever the tree is. */
const TSCONFIG = JSON.stringify({
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
    typeRoots: [join(REPO, 'node_modules/@types')],
    paths: {
      ioredis: [join(REPO, 'node_modules/ioredis')],
      redis: [join(REPO, 'node_modules/redis')],
      'isolated-redis': [join(REPO, 'src/index.ts')],
    },
  },
  include: ['**/*.ts'],
});

function serviceFile(i: number): string {
  const kind = i % 4;
  if (kind === 3) {
    return `import { MCP2, type Deps } from '../keys.js';

export async function handler${i}(deps: Deps, id: string, payload: string): Promise<string | null> {
  await deps.redis.set(\`\${MCP2}payload:\${id}\`, payload);
  ${i % 7 === 0 ? 'await deps.redis.get(`seen:${id}`);' : ''}
  return deps.redis.get(\`\${MCP2}seen:\${id}\`);
}
`;
  }
  const imports =
    kind === 0
      ? "import Redis from 'ioredis';\n"
      : kind === 1
        ? "import { createClient } from 'redis';\n"
        : "import { Redis } from 'ioredis';\nimport { createIsolatedRedis } from 'isolated-redis';\n";
  const client =
    kind === 0
      ? 'const redis = new Redis();\n'
      : kind === 1
        ? 'const redis = await createClient().connect();\n'
        : "const redis = createIsolatedRedis({ namespace: 'mcp2', client: new Redis() });\n";
  const prefix = kind === 2 ? '' : '${MCP2}';
  return `${imports}import { MCP2, CELERY, QUEUE } from '../keys.js';
${client}
const cache = new Map<string, string>();

export async function handler${i}(id: string, payload: string): Promise<string | null> {
  await redis.set(\`${prefix}payload:\${id}\`, payload);
  await redis.expire(\`${prefix}payload:\${id}\`, 60);
  const seen = cache.get(id) ?? (await redis.get(\`${prefix}seen:\${id}\`));
  ${i % 7 === 0 ? 'await redis.get(`${CELERY}task:${id}`);' : 'void CELERY;'}
  await redis.${kind === 1 ? 'lPush' : 'lpush'}(${kind === 2 ? "'queue'" : 'QUEUE'}, id);
  const p = redis.multi();
  p.incr(\`${prefix}count:${i}\`);
  await p.exec();
  return seen ?? MCP2;
}
`;
}

/** Writes the tree, lints it in both modes, prints files, findings and seconds. */
export async function benchLint(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'isolated-redis-lint-bench-'));
  try {
    writeFileSync(join(root, 'keys.ts'), KEYS_MODULE);
    writeFileSync(join(root, 'tsconfig.json'), TSCONFIG);
    for (let i = 0; i < FILES; i++) {
      const dir = join(root, `s${Math.floor(i / PER_DIRECTORY)}`);
      if (i % PER_DIRECTORY === 0) mkdirSync(dir);
      writeFileSync(join(dir, `service${i}.ts`), serviceFile(i));
    }
    const config = resolveConfig({ namespaces: ['mcp2', 'celery', 'journal'] }, root, { override: 'mcp2' });
    console.log(`\nlint: ${FILES} generated services + keys.ts (a quarter receive their client through an interface)`);
    for (const [mode, options] of [['fast', {}], ['type-aware (--project)', { project: 'tsconfig.json' }]] as const) {
      const started = process.hrtime.bigint();
      const cpu = process.cpuUsage();
      const result = lintPaths(['.'], config, root, options);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const used = process.cpuUsage(cpu);
      const cpuSeconds = (used.user + used.system) / 1e6;
      console.log(
        `  ${mode.padEnd(24)} ${result.files} files, ${result.findings.length} findings, ${seconds.toFixed(2)} s (${cpuSeconds.toFixed(2)} s CPU, ${((seconds * 1e6) / result.files).toFixed(0)} µs a file)`,
      );
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
