/**
 * Runs after tsup (`npm run build`): completes the published declarations.
 *
 * - `dist/optional-peers/`: what `#ioredis` and `#redis` (package.json "imports") fall back to when
 *   the driver is not installed, so a project with one driver type-checks with `skipLibCheck: false`.
 * - `dist/node10/`: for `moduleResolution: node10` ("types" and "typesVersions"), which cannot read
 *   "imports", a copy of the CommonJS declarations that name a driver (and of those importing them):
 *   there the drivers are named directly, each import under `// @ts-ignore`, so that a driver that is
 *   not installed types its clients as `any` instead of failing the build (TypeScript 7 has no node10,
 *   so the copy is for TypeScript 5 and 6 only).
 *
 * It checks that no declaration names a driver module directly outside `dist/node10/`, and that
 * package.json sends node10 to the copy exactly where one exists.
 */
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');

/** The optional drivers, by their "imports" alias in package.json. */
const DRIVERS: Readonly<Record<string, string>> = { '#ioredis': 'ioredis', '#redis': 'redis' };
/** Driver modules the declarations must not name directly (outside the node10 copy). */
const DIRECT = /\bfrom ['"](ioredis|redis|@redis\/client|ioredis-mock)['"]|import\(['"](ioredis|redis|@redis\/client|ioredis-mock)['"]\)/;

/** `import { Redis } from '#ioredis';` or `import '#redis';` (one line each, as the declaration bundler writes them). */
const ALIASED_IMPORT = /^(import (?:.* from )?)'(#[a-z-]+)';$/gm;

/** A declaration file of the node10 copy: the aliases replaced by the drivers, each under `@ts-ignore`. */
function toNode10(declarations: string): string {
  return declarations.replace(ALIASED_IMPORT, (line, head: string, alias: string) => {
    const driver = DRIVERS[alias];
    if (driver === undefined) throw new Error(`unknown "imports" alias ${alias} in: ${line}`);
    return `// @ts-ignore -- ${driver} is an optional peer dependency: without it, its clients are typed \`any\`\n${head}'${driver}';`;
  });
}

/** The declarations without their comments (whose examples name the drivers, as users write them). */
function withoutComments(declarations: string): string {
  return declarations.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

async function main(): Promise<void> {
  await mkdir(join(dist, 'optional-peers'), { recursive: true });
  for (const file of await readdir(join(root, 'src/optional-peers'))) {
    await copyFile(join(root, 'src/optional-peers', file), join(dist, 'optional-peers', file));
  }

  const files = await readdir(dist);
  const declarations = files.filter((file) => file.endsWith('.d.ts') || file.endsWith('.d.cts'));
  if (!declarations.includes('index.d.cts')) throw new Error('dist/index.d.cts is missing: run tsup first');
  for (const file of declarations) {
    const text = await readFile(join(dist, file), 'utf8');
    const direct = DIRECT.exec(withoutComments(text));
    if (direct) throw new Error(`dist/${file} names the driver module ${direct[1] ?? direct[2]} directly: import its types from '#ioredis' or '#redis'`);
  }

  // The node10 copy: the CommonJS declarations that name a driver, and those that import them.
  const commonJs = new Map<string, string>();
  for (const file of declarations.filter((name) => name.endsWith('.d.cts'))) commonJs.set(file, await readFile(join(dist, file), 'utf8'));
  const copied = new Set([...commonJs].filter(([, text]) => /^import .*'#[a-z-]+';$/m.test(text)).map(([file]) => file));
  for (let grew = true; grew; ) {
    grew = false;
    for (const [file, text] of commonJs) {
      if (!copied.has(file) && referenced(text).some((other) => copied.has(other))) grew = copied.add(file) !== undefined;
    }
  }
  await mkdir(join(dist, 'node10'), { recursive: true });
  for (const file of copied) {
    // What is not copied is imported from dist/ itself.
    const text = toNode10(commonJs.get(file) ?? '').replace(/(from |import )'\.\/([\w.-]+)\.cjs'/g, (specifier, head: string, name: string) =>
      copied.has(`${name}.d.cts`) ? specifier : `${head}'../${name}.cjs'`,
    );
    await writeFile(join(dist, 'node10', file), text);
  }

  // package.json must send node10 to a copy wherever the original names a driver.
  const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { types: string; typesVersions: Record<string, Record<string, string[]>> };
  const targets = [manifest.types, ...Object.values(manifest.typesVersions['*'] ?? {}).flat()];
  for (const target of targets) {
    const file = /^\.\/dist\/(?:node10\/)?([\w.-]+\.d\.cts)$/.exec(target)?.[1];
    if (file === undefined || !commonJs.has(file)) throw new Error(`package.json points node10 at ${target}, which is not a declaration of dist/`);
    const expected = copied.has(file) ? `./dist/node10/${file}` : `./dist/${file}`;
    if (target !== expected) throw new Error(`package.json points node10 at ${target}: make it ${expected}`);
  }
}

/** The declaration files of dist/ that `declarations` imports (`./chunk.cjs` is `chunk.d.cts`). */
function referenced(declarations: string): string[] {
  return [...declarations.matchAll(/(?:from |import )'\.\/([\w.-]+)\.cjs'/g)].map((match) => `${match[1] ?? ''}.d.cts`);
}

await main();
