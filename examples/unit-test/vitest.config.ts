import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The example imports the package by its name, as a service would; here the name points at the sources.
const source = (path: string): string => fileURLToPath(new URL(`../../src/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^isolated-redis\/testing$/, replacement: source('testing/index.ts') },
      { find: /^isolated-redis$/, replacement: source('index.ts') },
    ],
  },
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['*.test.ts'],
  },
});
