/**
 * The TypeScript and JavaScript blocks of a Markdown file, as files a compiler can check:
 * `node --import tsx scripts/readme-blocks.ts README.md out/` writes them to `out/` and prints their
 * names. test/packaging/readme.test.ts compiles them against the packed package.
 *
 * A block's file name is, in this order: the name its first line gives (`// eslint.config.js`); the
 * name of the file under `examples/` it shows verbatim (so that `./payload-store.js` resolves in the
 * block of its test); else `readme-<line>.ts` after the line of its opening fence. A block with no
 * import or export gets `export {};`, so that it is a module as in a project (its own scope, top-level
 * `await`), never a script sharing globals with the others.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One fenced block of code. */
export interface CodeBlock {
  /** Line of the opening fence, from 1. */
  readonly line: number;
  readonly language: 'ts' | 'js';
  readonly code: string;
}

/** A block as a file to compile. */
export interface BlockFile {
  readonly name: string;
  readonly line: number;
  readonly text: string;
}

const LANGUAGES: Readonly<Record<string, CodeBlock['language']>> = { ts: 'ts', typescript: 'ts', js: 'js', javascript: 'js' };

/** The ```ts, ```typescript, ```js and ```javascript blocks of `markdown`, in order. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let index = 0; index < lines.length; index++) {
    const open = /^(\s*)(```+|~~~+)\s*([\w-]*)/.exec(lines[index] ?? '');
    if (!open) continue;
    const [, indent = '', fence = '```', info = ''] = open;
    const body: string[] = [];
    let end = index + 1;
    for (; end < lines.length && !(lines[end] ?? '').trimStart().startsWith(fence); end++) body.push((lines[end] ?? '').slice(indent.length));
    const language = LANGUAGES[info.toLowerCase()];
    if (language) blocks.push({ line: index + 1, language, code: `${body.join('\n')}\n` });
    index = end;
  }
  return blocks;
}

/**
 * Names the blocks as files: `// name.ts` on the first line, else the example file the block is
 * (`examples` maps a file name to its text), else `readme-<line>`.
 */
export function blockFiles(blocks: readonly CodeBlock[], examples: Readonly<Record<string, string>> = {}): BlockFile[] {
  const files = blocks.map((block) => {
    const named = /^\/\/ ([\w.-]+\.(?:ts|js|mts|mjs|cts|cjs))\s*$/.exec(block.code.split('\n')[0] ?? '')?.[1];
    const example = Object.entries(examples).find(([, text]) => text === block.code)?.[0];
    const name = named ?? example ?? `readme-${String(block.line).padStart(4, '0')}.${block.language}`;
    const isModule = /^\s*(import|export)\s/m.test(block.code);
    return { name, line: block.line, text: isModule ? block.code : `${block.code}export {};\n` };
  });
  const seen = new Set<string>();
  for (const file of files) {
    if (seen.has(file.name)) throw new Error(`two blocks are named ${file.name} (the second at line ${file.line})`);
    seen.add(file.name);
  }
  return files;
}

/** The files under `dir` (recursively) by their base name, with their text. */
export async function exampleFiles(dir: string): Promise<Record<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: Record<string, string> = {};
  for (const entry of entries) {
    if (!entry.isFile() || !/\.(ts|js)$/.test(entry.name) || entry.parentPath.includes('node_modules')) continue;
    files[basename(entry.name)] = await readFile(join(entry.parentPath, entry.name), 'utf8');
  }
  return files;
}

async function main(markdownPath: string, outDir: string): Promise<void> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const files = blockFiles(codeBlocks(await readFile(markdownPath, 'utf8')), await exampleFiles(join(root, 'examples')));
  await mkdir(outDir, { recursive: true });
  for (const file of files) {
    await writeFile(join(outDir, file.name), file.text);
    console.log(`${file.name}\t(line ${file.line})`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [markdownPath, outDir] = process.argv.slice(2);
  if (!markdownPath || !outDir) {
    console.error('usage: node --import tsx scripts/readme-blocks.ts README.md out/');
    process.exit(2);
  }
  await main(markdownPath, outDir);
}
