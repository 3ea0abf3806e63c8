import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    testing: 'src/testing/index.ts',
    prometheus: 'src/prometheus/index.ts',
    'eslint-plugin': 'src/eslint-plugin/index.ts',
    cli: 'src/cli/bin.ts',
  },
  format: ['esm', 'cjs'],
  // The CLI is a program, not an API: no declarations for it.
  dts: {
    entry: { index: 'src/index.ts', testing: 'src/testing/index.ts', prometheus: 'src/prometheus/index.ts', 'eslint-plugin': 'src/eslint-plugin/index.ts' },
  },
  sourcemap: true,
  clean: true,
  target: 'node20',
  // `import.meta.url` is used to load the command table; the shim makes it work in the CJS build too.
  shims: true,
  // The entries share chunks of the core and adapters: an error thrown by a client of
  // "./testing" is `instanceof` the classes "isolated-redis" exports.
  splitting: true,
  treeshake: true,
});
