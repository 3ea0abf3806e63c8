/**
 * `isolated-redis lint` over a generated tree of 10,000 TypeScript files (a shared keys module,
 * services on ioredis, node-redis and isolated clients, template-literal keys and imported
 * constants), timed once end to end: collection, parsing, analysis. The tree is written to a
 * temporary directory and removed afterwards. Printed, never asserted.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../src/cli/lint/config.js';
import { lintPaths } from '../src/cli/lint/run-lint.js';

const FILES = 10_000;
const PER_DIRECTORY = 100;

const KEYS_MODULE = "export const MCP2 = 'mcp2:';\nexport const CELERY = 'celery:';\nexport const QUEUE = `${MCP2}queue`;\n";

function serviceFile(i: number): string {
  const kind = i % 3;
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
  await redis.lpush(${kind === 2 ? "'queue'" : 'QUEUE'}, id);
  const p = redis.multi();
  p.incr(\`${prefix}count:${i}\`);
  await p.exec();
  return seen ?? MCP2;
}
`;
}

/** Writes the tree, lints it, prints files, findings and seconds. */
export async function benchLint(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'isolated-redis-lint-bench-'));
  try {
    writeFileSync(join(root, 'keys.ts'), KEYS_MODULE);
    for (let i = 0; i < FILES; i++) {
      const dir = join(root, `s${Math.floor(i / PER_DIRECTORY)}`);
      if (i % PER_DIRECTORY === 0) mkdirSync(dir);
      writeFileSync(join(dir, `service${i}.ts`), serviceFile(i));
    }
    const config = resolveConfig({ namespaces: ['mcp2', 'celery', 'journal'] }, root, { override: 'mcp2' });
    const started = process.hrtime.bigint();
    const result = lintPaths(['.'], config, root);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(`\nlint: ${result.files} generated files (${FILES} services + keys.ts), ${result.findings.length} findings, ${seconds.toFixed(2)} s`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
