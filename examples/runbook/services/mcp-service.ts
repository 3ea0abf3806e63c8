/**
 * An MCP service (mcp2, mcp3, ...): the same code for each, deployed with its own
 * REDIS_NAMESPACE, and REDIS_URL pointing at the MCP instance.
 *
 *   REDIS_URL=redis://mcp-redis:6379/0 REDIS_NAMESPACE=mcp3 ISOLATED_REDIS_NAMESPACES=mcp2,mcp3,celery,journal tsx mcp-service.ts
 */
import type { Redis } from 'ioredis';
import { McpCache } from './mcp-cache.js';
import { runService } from './run-service.js';

let round = 0;
await runService('mcp-service', async (client) => {
  const cache = new McpCache(client as Redis);
  for (let i = 0; i < 3; i++) await cache.put(`${round}-${i}`, { tool: 'search', hits: i });
  round++;
  const ids = await cache.ids();
  return `payloads ${JSON.stringify(ids)}, first ${JSON.stringify(await cache.get(ids[0] ?? ''))}`;
});
