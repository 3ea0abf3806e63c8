import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startRedisServer } from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `redis://127.0.0.1:<port>` of the standalone redis-server this run started. */
    redisUrl: string;
    /** Its version, as `redis-server --version` reports it. */
    redisVersion: string;
  }
}

/**
 * Starts one standalone redis-server for the whole run and stops it afterwards. Fails (does not
 * skip) when redis-server is missing, naming the command that installs it.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startRedisServer();
  project.provide('redisUrl', server.url);
  project.provide('redisVersion', server.version);
  return () => server.stop();
}
