import { expect } from 'vitest';

/** What every adapter's raw client and isolated views have in common, for the shared checks. */
interface KeyValueClient {
  set(key: string, value: string): Promise<unknown>;
  get(key: string): Promise<string | null>;
  keys(pattern: string): Promise<string[]>;
}

/**
 * Two namespaces write the same key through views of one raw client, and the raw client writes
 * it unprefixed: three keys, each view reads its own, and the raw client gains no own property.
 */
export async function expectViewsShareRawClient(raw: KeyValueClient, mcp2: KeyValueClient, celery: KeyValueClient): Promise<void> {
  const ownBefore = Object.getOwnPropertyNames(raw).sort();
  await mcp2.set('k', 'from mcp2');
  await celery.set('k', 'from celery');
  await raw.set('k', 'raw');
  expect((await raw.keys('*')).sort()).toEqual(['celery:k', 'k', 'mcp2:k']);
  expect([await mcp2.get('k'), await celery.get('k'), await raw.get('k')]).toEqual(['from mcp2', 'from celery', 'raw']);
  expect(Object.getOwnPropertyNames(raw).sort()).toEqual(ownBefore);
}
