import { createRequire } from 'node:module';
import type { Redis } from '#ioredis'; // package.json "imports": optional in the published declarations
import { IsolationConfigError } from '../core/index.js';

/** ioredis-mock's constructor, as far as this entry uses it. */
export type RedisMockConstructor = new (options: { host: string; lazyConnect?: boolean }) => Redis;

let loaded: RedisMockConstructor | undefined;

/**
 * ioredis-mock, loaded on first use: it is an optional peer dependency of this entry only, so
 * importing `isolated-redis/testing` never fails, and `isolated-redis` itself never loads it.
 */
export function loadIoredisMock(): RedisMockConstructor {
  if (loaded) return loaded;
  try {
    loaded = createRequire(import.meta.url)('ioredis-mock') as RedisMockConstructor;
  } catch {
    throw new IsolationConfigError(
      'isolated-redis/testing needs the ioredis-mock package (an optional peer dependency): npm install --save-dev ioredis-mock ioredis@5',
    );
  }
  return loaded;
}
