/**
 * An MCP service's payload cache. mcp2 and mcp3 run this same code: a new MCP service is a copy
 * of an existing one with another REDIS_NAMESPACE (and, once it has its own instance, another
 * REDIS_URL). Its client comes from the environment, so nothing in the code names a namespace.
 */
import type { Redis } from 'ioredis';

export class McpCache {
  constructor(private readonly redis: Redis) {}

  /** Keeps a tool payload for `ttlSeconds`; stored as `<namespace>:payload:<id>`. */
  async put(id: string, payload: unknown, ttlSeconds = 300): Promise<void> {
    await this.redis.set(`payload:${id}`, JSON.stringify(payload), 'EX', ttlSeconds);
  }

  async get(id: string): Promise<unknown> {
    const raw = await this.redis.get(`payload:${id}`);
    return raw === null ? undefined : JSON.parse(raw);
  }

  /** The ids of the payloads this service holds (SCAN, confined to its namespace). */
  async ids(): Promise<string[]> {
    const ids: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', 'payload:*', 'COUNT', 100);
      ids.push(...keys.map((key) => key.slice('payload:'.length)));
      cursor = next;
    } while (cursor !== '0');
    return ids.sort();
  }
}
