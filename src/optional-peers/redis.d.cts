/**
 * What the declarations of isolated-redis see as node-redis when the `redis` package is not
 * installed: package.json maps `#redis` to `redis` first and to this file only when `redis` does not
 * resolve, so a project with ioredis alone type-checks with `skipLibCheck: false`. Only a client of
 * `driver: 'node-redis'` (or a layout namespace on node-redis) has this type, and using it says what
 * to install.
 */
export interface RedisClientType {
  readonly 'isolated-redis: this client is a node-redis client; install redis to type it': never;
}
