/**
 * The journal: events appended to a stream with node-redis (ISOLATED_REDIS_DRIVER=node-redis) on
 * the journal instance, and read back by an auditor in a consumer group.
 *
 *   REDIS_URL=redis://journal-redis:6379/0 REDIS_NAMESPACE=journal ISOLATED_REDIS_DRIVER=node-redis tsx journal-writer.ts
 */
import type { RedisClientType } from 'redis';
import { appendEvent, readEvents } from './journal-stream.js';
import { runService } from './run-service.js';

await runService('journal-writer', async (client) => {
  const redis = client as unknown as RedisClientType;
  await appendEvent(redis, 'login', 'user 1');
  await appendEvent(redis, 'payload-cached', 'mcp2');
  const events = await readEvents(redis, 'auditor-1', 10);
  return `read ${JSON.stringify(events.map((event) => event.kind))}`;
});
