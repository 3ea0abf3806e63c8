import { expect } from 'vitest';
import { infoFields, redisCommand, waitUntil } from '../support/redis-server.js';

/** Every key on the server on `port`, sorted (KEYS on a connection of its own, past every client). */
export async function keysOn(port: number): Promise<string[]> {
  return ((await redisCommand(port, 'KEYS', '*')) as string[]).sort();
}

/**
 * Every key carries exactly one of `namespaces`' prefixes: none outside them, none prefixed
 * twice (`a:a:k`, `a:b:k`), whatever retries the drivers made.
 */
export function expectPrefixedOnce(keys: readonly string[], namespaces: readonly string[]): void {
  for (const key of keys) {
    const namespace = namespaces.find((candidate) => key.startsWith(`${candidate}:`));
    expect(namespace, `key ${key} outside the namespaces`).toBeDefined();
    const rest = key.slice((namespace as string).length + 1);
    expect(
      namespaces.some((candidate) => rest.startsWith(`${candidate}:`)),
      `key ${key} prefixed twice`,
    ).toBe(false);
  }
}

/** How many times the server on `port` ran `command` (INFO commandstats). */
export async function callsOf(port: number, command: string): Promise<number> {
  const info = String(await redisCommand(port, 'INFO', 'commandstats'));
  return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
}

/**
 * Runs `op` in `lanes` sequential loops until `stop()` is called, and returns what settled: every
 * promise it made is awaited (a loop that never ends fails the test by its timeout).
 */
export function keepRunning<T>(op: (lane: number, i: number) => Promise<T>, lanes = 2): { stop(): Promise<Array<PromiseSettledResult<T>>> } {
  let running = true;
  const results: Array<PromiseSettledResult<T>> = [];
  const loops = Array.from({ length: lanes }, async (_, lane) => {
    for (let i = 0; running; i++) {
      try {
        results.push({ status: 'fulfilled', value: await op(lane, i) });
      } catch (reason) {
        results.push({ status: 'rejected', reason });
        // A failing server is not hammered: the loop goes on at a gentler pace.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return results;
    },
  };
}

/** Publishes `message` on `channel` (through `publish`) until `received()` is true: a resubscription after a reconnect is not instant. */
export async function publishUntil(publish: () => Promise<unknown>, received: () => boolean, what: string): Promise<void> {
  await waitUntil(
    what,
    async () => {
      if (received()) return true;
      await publish().catch(() => undefined);
      return undefined;
    },
    15_000,
    100,
  );
}

/** Waits until every replica of the master on `port` acknowledged everything it was sent so far (replication offsets). */
export async function waitForReplication(port: number): Promise<void> {
  const fields = infoFields(await redisCommand(port, 'INFO', 'replication'));
  const target = Number(fields.get('master_repl_offset'));
  await waitUntil(`the replicas of ${port} to reach offset ${target}`, async () => {
    const now = infoFields(await redisCommand(port, 'INFO', 'replication'));
    const offsets = [...now.entries()].filter(([name]) => /^slave\d+$/.test(name)).map(([, value]) => Number(/offset=(\d+)/.exec(value)?.[1]));
    return offsets.length > 0 && offsets.every((offset) => offset >= target) ? true : undefined;
  });
}
