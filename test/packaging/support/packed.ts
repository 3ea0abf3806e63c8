import { execFile } from 'node:child_process';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository: packages are packed from it and the consumers borrow its node_modules. */
export const repoRoot = join(import.meta.dirname, '..', '..', '..');

/** One file of the tarball, as `npm pack --json` lists it. */
export interface PackedFile {
  readonly path: string;
  readonly size: number;
}

/** The tarball `npm pack` made of the built package, and its contents unpacked. */
export interface PackedPackage {
  /** The temporary folder holding the tarball and its unpacked contents. */
  readonly dir: string;
  readonly tarball: string;
  /** The unpacked `package/` folder: what `npm install` puts in `node_modules/isolated-redis`. */
  readonly root: string;
  readonly files: readonly PackedFile[];
  /** Bytes of the .tgz. */
  readonly size: number;
  /** Bytes of its files. */
  readonly unpackedSize: number;
}

let packed: Promise<PackedPackage> | undefined;

/**
 * Packs the package once per test file, as `npm publish` would, from the build in `dist/`
 * (`npm run build` first: .ci/run builds before it tests).
 */
export function packOnce(): Promise<PackedPackage> {
  packed ??= pack();
  return packed;
}

/** Removes what {@link packOnce} made (call it in `afterAll`). */
export async function disposePacked(): Promise<void> {
  const done = packed;
  packed = undefined;
  if (done) await rm((await done).dir, { recursive: true, force: true });
}

async function pack(): Promise<PackedPackage> {
  await access(join(repoRoot, 'dist', 'index.d.ts')).catch(() => {
    throw new Error('dist/ is missing: run `npm run build` before the packaging tests');
  });
  const dir = await mkdtemp(join(tmpdir(), 'isolated-redis-pack-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: repoRoot, timeout: 120_000 });
  const [report] = JSON.parse(stdout) as Array<{ filename: string; size: number; unpackedSize: number; files: PackedFile[] }>;
  if (!report) throw new Error(`npm pack printed no report: ${stdout}`);
  const tarball = join(dir, report.filename);
  await run('tar', ['-xzf', tarball, '-C', dir]);
  return { dir, tarball, root: join(dir, 'package'), files: report.files, size: report.size, unpackedSize: report.unpackedSize };
}
