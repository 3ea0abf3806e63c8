import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsumer, type Compiler, type Consumer, type Resolution } from './support/consumer.js';
import { disposePacked, packOnce } from './support/packed.js';

/**
 * Projects that installed the packed package and one driver, type-checked with `skipLibCheck: false`
 * (tsc's default) under TypeScript 5.9 and 7 and every module resolution they have, then run.
 */
const fixtures = join(import.meta.dirname, 'fixtures');

interface ConsumerCase {
  readonly name: string;
  /** What the project installed besides isolated-redis (and its own dependencies). */
  readonly packages: readonly string[];
  /** The driver the project does not have, whose clients get a placeholder type. */
  readonly absent: 'ioredis' | 'node-redis';
  /** What its runtime script prints. */
  readonly runs: Record<string, unknown>;
}

const cases: readonly ConsumerCase[] = [
  {
    name: 'ioredis',
    packages: ['ioredis', 'prom-client', '@types/node'],
    absent: 'node-redis',
    runs: { refused: 'ERR_CROSS_NAMESPACE', cjs: 'mcp2:k', prometheus: 'function', redisPackage: 'absent' },
  },
  {
    name: 'node-redis',
    packages: ['redis', 'eslint', '@types/node'],
    absent: 'ioredis',
    runs: { refused: 'ERR_CROSS_NAMESPACE', cjs: 'journal:k', ioredisPackage: 'absent' },
  },
  {
    // ioredis is a peer dependency of ioredis-mock (and of its types): npm installs it with them.
    name: 'mock',
    packages: ['ioredis-mock', '@types/ioredis-mock', 'ioredis', '@types/node'],
    absent: 'node-redis',
    runs: { stored: ['mcp2:payload:1'], refused: 'ERR_CROSS_NAMESPACE', cjsStored: [], redisPackage: 'absent' },
  },
];

const checks: ReadonlyArray<{ compiler: Compiler; resolution: Resolution }> = [
  { compiler: '5.9', resolution: 'nodenext' },
  { compiler: '5.9', resolution: 'bundler' },
  { compiler: '5.9', resolution: 'node10' },
  { compiler: '7', resolution: 'nodenext' },
  { compiler: '7', resolution: 'bundler' },
];

/** The consumer's sources: each file also as `.cts`, so that nodenext checks the CommonJS declarations too. */
async function sources(name: string, absent: string): Promise<Record<string, string>> {
  const read = (file: string): Promise<string> => readFile(join(fixtures, file), 'utf8');
  const [main, absentTypes, absentNode10, expectTypes, runtime] = await Promise.all([
    read(`${name}/main.ts`),
    read(`absent/${absent}.ts`),
    read(`absent/${absent}.node10.ts`),
    read('expect.ts'),
    read(`${name}/runtime.mjs`),
  ]);
  return {
    'expect.ts': expectTypes,
    'src/main.ts': main,
    'src/main.cts': main,
    'src/absent.ts': absentTypes,
    'src/absent.cts': absentTypes,
    'src/absent.node10.ts': absentNode10,
    'runtime.mjs': runtime,
  };
}

/** What is checked under `resolution`: node10 has no package.json "imports", so an absent driver is `any` there. */
function checkedFiles(resolution: Resolution): string[] {
  if (resolution === 'node10') return ['src/main.ts', 'src/absent.node10.ts'];
  if (resolution === 'nodenext') return ['src/main.ts', 'src/main.cts', 'src/absent.ts', 'src/absent.cts'];
  return ['src/main.ts', 'src/absent.ts'];
}

afterAll(disposePacked);

describe.each(cases)('a project with $name only, from the packed tarball', ({ name, packages, absent, runs }) => {
  let consumer: Consumer;

  beforeAll(async () => {
    consumer = await createConsumer(name, await packOnce(), packages, await sources(name, absent));
  }, 180_000);

  afterAll(async () => {
    await consumer?.dispose();
  });

  it.each(checks)('type-checks with TypeScript $compiler, moduleResolution $resolution, skipLibCheck false', async ({ compiler, resolution }) => {
    expect(await consumer.check(compiler, resolution, checkedFiles(resolution))).toBe('');
  }, 240_000);

  it(`cannot see ${absent} (so the checks above run without it)`, async () => {
    const control = absent === 'ioredis' ? "import type { Redis } from 'ioredis';\nexport type R = Redis;\n" : "import type { RedisClientType } from 'redis';\nexport type R = RedisClientType;\n";
    await writeFile(join(consumer.dir, 'src/control.ts'), control);
    expect(await consumer.check('7', 'nodenext', ['src/control.ts'])).toContain('TS2307');
  }, 120_000);

  it('runs from the tarball, as ESM and CommonJS', async () => {
    expect(JSON.parse(await consumer.run('runtime.mjs'))).toEqual(runs);
  }, 60_000);
});
