import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', testing: 'src/testing/index.ts', prometheus: 'src/prometheus/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // `import.meta.url` is used to load the command table; the shim makes it work in the CJS build too.
  shims: true,
  // Both entries share one chunk of the core and adapters: an error thrown by a client of
  // "./testing" is `instanceof` the classes "isolated-redis" exports.
  splitting: true,
  treeshake: true,
});
