import type { Redis } from 'ioredis';

/** The mcp2 service's payload store. It gets a client confined to its namespace. */
export class PayloadStore {
  constructor(private readonly redis: Redis) {}

  async save(id: string, payload: unknown, ttlSeconds = 3600): Promise<void> {
    await this.redis.set(`payload:${id}`, JSON.stringify(payload), 'EX', ttlSeconds);
  }

  async load(id: string): Promise<unknown> {
    const stored = await this.redis.get(`payload:${id}`);
    return stored === null ? undefined : JSON.parse(stored);
  }

  async ids(): Promise<string[]> {
    const ids: string[] = [];
    for await (const keys of this.redis.scanStream({ match: 'payload:*' })) {
      ids.push(...(keys as string[]).map((key) => key.slice('payload:'.length)));
    }
    return ids.sort();
  }
}
