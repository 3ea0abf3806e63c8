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
  // The CLI is a program, not an API: no declarations for it. scripts/finish-declarations.ts then adds the
  // placeholders of the optional drivers' types and the node10 copy (package.json "imports" and "typesVersions").
  dts: {
    entry: { index: 'src/index.ts', testing: 'src/testing/index.ts', prometheus: 'src/prometheus/index.ts', 'eslint-plugin': 'src/eslint-plugin/index.ts' },
  },
  // No source maps: they would point at sources the package does not ship (and were 2/3 of its size); the
  // output is unminified and reads as it is.
  sourcemap: false,
  clean: true,
  target: 'node20',
  // The drivers' types stay behind their package.json "imports" aliases (never inlined in the declarations).
  external: ['#ioredis', '#redis'],
  // `import.meta.url` is used to load the command table; the shim makes it work in the CJS build too.
  shims: true,
  // The entries share chunks of the core and adapters: an error thrown by a client of
  // "./testing" is `instanceof` the classes "isolated-redis" exports.
  splitting: true,
  treeshake: true,
});
