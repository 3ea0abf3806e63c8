import { createRequire } from 'node:module';
import type * as IoredisModule from 'ioredis';
import { IsolationConfigError } from '../core/index.js';

/** The client libraries isolated-redis can create clients with. */
export type Driver = 'ioredis' | 'node-redis';

/** Loads an optional peer dependency, or explains how to install it. */
function loadPeer<M>(driver: string, packages: readonly string[]): M {
  const require = createRequire(import.meta.url);
  for (const name of packages) {
    try {
      return require(name) as M;
    } catch {
      // try the next one
    }
  }
  throw new IsolationConfigError(`driver '${driver}' needs the ${packages[0]} package: npm install ${packages[0]}`);
}

/**
 * A new, raw client of `driver` for `url`. ioredis clients connect by themselves; node-redis
 * clients need `connect()`.
 */
export function createDriverClient(driver: Driver, url: string): object {
  if (driver === 'ioredis') {
    const { Redis: RedisClass } = loadPeer<typeof IoredisModule>('ioredis', ['ioredis']);
    return new RedisClass(url);
  }
  if (driver === 'node-redis') {
    const { createClient } = loadPeer<{ createClient(options: { url: string }): object }>('node-redis', ['redis', '@redis/client']);
    return createClient({ url });
  }
  throw new IsolationConfigError(`unknown driver ${JSON.stringify(driver)}: use 'ioredis' or 'node-redis'`);
}
