import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // `import.meta.url` is used to load the command table; the shim makes it work in the CJS build too.
  shims: true,
  splitting: false,
  treeshake: true,
});
