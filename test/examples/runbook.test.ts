import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startRedisServer, type RunningRedis } from '../support/redis-server.js';

const run = promisify(execFile);

/** The runbook's three instances, on three local ports. */
let mcpRedis: RunningRedis;
let celeryRedis: RunningRedis;
let journalRedis: RunningRedis;
const raw: Redis[] = [];
const keysOn = async (server: RunningRedis): Promise<string[]> => {
  const client = new Redis(server.url);
  raw.push(client);
  return (await client.keys('*')).sort();
};

beforeAll(async () => {
  [mcpRedis, celeryRedis, journalRedis] = await Promise.all([startRedisServer(), startRedisServer(), startRedisServer()]);
});
afterAll(async () => {
  raw.forEach((client) => client.disconnect());
  await Promise.all([mcpRedis, celeryRedis, journalRedis].map((server) => server.stop()));
});

/** Runs one service once, configured by its environment only, as a deployment would. */
async function service(file: string, env: Record<string, string>): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', `examples/runbook/services/${file}`, '--once'], {
    env: { ...process.env, ISOLATED_REDIS_NAMESPACES: 'mcp2,mcp3,celery,journal', ...env },
    timeout: 30_000,
  });
  return stdout;
}

describe('the runbook example: one instance per workload, services configured by environment', () => {
  it('runs mcp2 and mcp3 (the same code), the Celery worker and the journal writer, each on its instance', async () => {
    const [mcp2, mcp3, celery, journal] = await Promise.all([
      service('mcp-service.ts', { REDIS_URL: mcpRedis.url, REDIS_NAMESPACE: 'mcp2' }),
      service('mcp-service.ts', { REDIS_URL: mcpRedis.url, REDIS_NAMESPACE: 'mcp3' }),
      service('celery-worker.ts', { REDIS_URL: celeryRedis.url, REDIS_NAMESPACE: 'celery', ISOLATED_REDIS_MODE: 'strict' }),
      service('journal-writer.ts', { REDIS_URL: journalRedis.url, REDIS_NAMESPACE: 'journal', ISOLATED_REDIS_DRIVER: 'node-redis' }),
    ]);
    expect(mcp2).toBe('mcp-service mcp2: payloads ["0-0","0-1","0-2"], first {"tool":"search","hits":0}\n');
    expect(mcp3).toBe('mcp-service mcp3: payloads ["0-0","0-1","0-2"], first {"tool":"search","hits":0}\n');
    expect(celery).toBe('celery-worker celery: ran ["task-0","task-1","task-2"]\n');
    expect(journal).toBe('journal-writer journal: read ["login","payload-cached"]\n');
    const payloads = (namespace: string): string[] => ['0-0', '0-1', '0-2'].map((id) => `${namespace}:payload:${id}`);
    expect(await keysOn(mcpRedis)).toEqual([...payloads('mcp2'), ...payloads('mcp3')].sort());
    expect(await keysOn(celeryRedis)).toEqual([]); // the queue was drained
    expect(await keysOn(journalRedis)).toEqual(['journal:events']);
  });
});
