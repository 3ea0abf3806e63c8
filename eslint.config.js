// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // test/fixtures holds source trees with known violations for the audit CLI's tests.
  { ignores: ['dist/', 'docs/', 'coverage/', 'node_modules/', 'test/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': 'off',
    },
  },
  {
    // ioredis-mock is an optional peer of "isolated-redis/testing" only: loaded lazily there, never imported.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'ioredis-mock', message: 'load it lazily with createRequire (src/testing): the main entry must not need it' }] },
      ],
    },
  },
  {
    // The core must stay driver-independent: no Redis client may be imported there.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: ['ioredis', 'redis', '@redis/client', 'ioredis-mock'], patterns: ['../adapters/*', '../instrument/*', '../cli/*'] },
      ],
    },
  },
);
