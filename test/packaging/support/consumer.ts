import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, type PackedPackage } from './packed.js';

const run = promisify(execFile);

/** The TypeScript compilers consumers are checked with: the project's 5.9 and 7 (the `typescript7` alias). */
export const compilers = {
  '5.9': join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'),
  '7': join(repoRoot, 'node_modules', 'typescript7', 'bin', 'tsc'),
} as const;

export type Compiler = keyof typeof compilers;

/** How the consumer resolves modules. TypeScript 7 has no node10 (TS5108: "has been removed"). */
export type Resolution = 'nodenext' | 'bundler' | 'node10';

/** A consumer project in a temporary folder. */
export interface Consumer {
  readonly dir: string;
  /**
   * Type-checks `files` under `resolution` with `strict` and `skipLibCheck: false` (and `options`);
   * resolves to the compiler's output ('' when clean).
   */
  check(compiler: Compiler, resolution: Resolution, files: readonly string[], options?: Readonly<Record<string, unknown>>): Promise<string>;
  /** Runs a script with Node in the consumer's folder; resolves to its stdout. */
  run(file: string): Promise<string>;
  /** Removes the project's folder. */
  dispose(): Promise<void>;
}

/**
 * A project that installed the packed isolated-redis and only `packages`: the package is a real
 * copy (so that what it resolves, it resolves from the consumer's node_modules, as after
 * `npm install`), the others are links into the repository's node_modules (offline and fast; a
 * linked package resolves its own imports from the repository, which these driver packages never
 * use to reach the other driver).
 */
export async function createConsumer(name: string, pkg: PackedPackage, packages: readonly string[], files: Readonly<Record<string, string>>): Promise<Consumer> {
  const dir = await mkdtemp(join(tmpdir(), `isolated-redis-consumer-${name}-`));
  const modules = join(dir, 'node_modules');
  await cp(pkg.root, join(modules, 'isolated-redis'), { recursive: true });
  const installed = JSON.parse(await readFile(join(pkg.root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const name of [...Object.keys(installed.dependencies ?? {}), ...packages]) {
    await mkdir(dirname(join(modules, name)), { recursive: true });
    await symlink(join(repoRoot, 'node_modules', name), join(modules, name), 'dir');
  }
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${name}`, private: true, type: 'module' }, null, 2));
  for (const [file, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), text);
  }
  return {
    dir,
    async check(compiler, resolution, checked, options = {}) {
      const config = join(dir, `tsconfig.${compiler}.${resolution}.json`);
      await writeFile(config, JSON.stringify({ compilerOptions: { ...compilerOptions(resolution), ...options }, files: checked }, null, 2));
      try {
        await run(process.execPath, [compilers[compiler], '-p', config], { cwd: dir, timeout: 180_000 });
        return '';
      } catch (error) {
        const { stdout, stderr } = error as { stdout?: string; stderr?: string };
        if (stdout === undefined) throw error;
        return `${stdout}${stderr ?? ''}`.trim() || String(error);
      }
    },
    async run(file) {
      const { stdout } = await run(process.execPath, [file], { cwd: dir, timeout: 60_000 });
      return stdout;
    },
    async dispose() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A consumer's settings: `strict` and `skipLibCheck: false`, with the module system of `resolution`. */
function compilerOptions(resolution: Resolution): Record<string, unknown> {
  const common = { strict: true, skipLibCheck: false, noEmit: true, target: 'es2022', lib: ['es2022'], types: ['node'] };
  if (resolution === 'nodenext') return { ...common, module: 'nodenext', moduleResolution: 'nodenext' };
  if (resolution === 'bundler') return { ...common, module: 'esnext', moduleResolution: 'bundler' };
  // The node10 projects of TypeScript 5: `module: commonjs` (node10 by default), with the interop that node-redis's own declarations need.
  return { ...common, module: 'commonjs', moduleResolution: 'node10', esModuleInterop: true };
}
