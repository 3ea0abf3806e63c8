/**
 * What the declarations of isolated-redis see as ioredis when ioredis is not installed: package.json
 * maps `#ioredis` to `ioredis` first and to this file only when `ioredis` does not resolve, so a
 * project with node-redis alone type-checks with `skipLibCheck: false`. Only a client of
 * `driver: 'ioredis'` (or a layout namespace on ioredis) has this type, and using it says what to
 * install.
 */
export interface Redis {
  readonly 'isolated-redis: this client is an ioredis client; install ioredis to type it': never;
}
