import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrossNamespaceError, IsolationConfigError, defineLayout, isolatedRedisFromEnv } from '../../src/index.js';
import { startRedisServer, type RunningRedis } from '../support/redis-server.js';

/**
 * Attacks on the isolation of layouts that serve families of namespaces (issue 14). Tests named
 * `FINDING` describe a break; the others held.
 */

let server: RunningRedis;
let raw: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  raw = new Redis(server.url);
});

afterAll(async () => {
  raw.disconnect();
  await server.stop();
});

/** A layout serving `tenant-*` and `mcp2` on the test server, closed after `use`. */
async function withTenants(use: (layout: ReturnType<typeof tenantsLayout>) => Promise<void>, extra: { knownNamespaces?: string[]; knownFamilies?: string[] } = {}): Promise<void> {
  const layout = tenantsLayout(extra);
  try {
    await use(layout);
  } finally {
    await layout.quit();
  }
}

const tenantsLayout = (extra: { knownNamespaces?: string[]; knownFamilies?: string[] }) =>
  defineLayout({ namespaces: { mcp2: { url: server.url }, 'tenant-*': { url: server.url } }, ...extra });

describe('findings', () => {
  it('review finding, fixed: layout.client() takes any family member id: "tenant-\\ud800" and "tenant-\\ufffd" get one key space', async () => {
    // Served names are letters, digits, _ . - ; member ids reach createIsolatedRedis unchecked but for the
    // NamespaceSet rule, which lets lone surrogates through (an id from a JSON request body can hold one).
    await raw.flushdb();
    await withTenants(async (layout) => {
      const victim = layout.client('tenant-\ufffd');
      await victim.set('card', 'victim-card');
      let stolen: string | null = null;
      try {
        stolen = await layout.client('tenant-\ud800').get('card');
      } catch (error) {
        expect(error).toBeInstanceOf(IsolationConfigError); // refusing the id is the fix
      }
      expect(stolen).toBeNull();
    });
  });

  it('review finding, fixed: a namespace declared known (served elsewhere) is served anyway by a family that covers it', async () => {
    // knownNamespaces are "namespaces of the deployment this process has no client for"; 'tenant-*' claims tenant-7 too.
    let layout: ReturnType<typeof tenantsLayout> | undefined;
    try {
      layout = tenantsLayout({ knownNamespaces: ['tenant-7'] });
    } catch (error) {
      expect(error).toBeInstanceOf(IsolationConfigError); // refused at definition: one fix
      return;
    }
    try {
      expect(() => layout.client('tenant-7')).toThrow(IsolationConfigError); // or no client for it: the other
    } finally {
      await layout.quit();
    }
  });
});

describe('held', () => {
  it('a member of a served family reaches neither a listed namespace nor a member of a known family, nor the reverse', async () => {
    await raw.flushdb();
    await raw.mset('mcp2:secret', 'm', 'partner-1:secret', 'p', 'tenant-7:secret', 't7');
    await withTenants(
      async (layout) => {
        const tenant = layout.client('tenant-42');
        await tenant.set('mine', 'v');
        for (const key of ['mcp2:secret', 'partner-1:secret', 'tenant-7:secret']) {
          await expect(tenant.get(key), key).rejects.toBeInstanceOf(CrossNamespaceError);
        }
        for (const pattern of ['*', 'tenant-7[:]*', 'tenant-7?*', '*secret']) {
          // Prefixed (then harmless) or refused as another member's: never passed as given.
          const found = await tenant.keys(pattern).catch((error: unknown) => {
            expect(error, pattern).toBeInstanceOf(CrossNamespaceError);
            return [];
          });
          expect(found, pattern).toEqual(pattern === '*' ? ['mine'] : []);
        }
        const mcp2 = layout.client('mcp2');
        await expect(mcp2.get('tenant-42:mine')).rejects.toBeInstanceOf(CrossNamespaceError);
        expect(await mcp2.keys('*')).toEqual(['secret']);
      },
      { knownFamilies: ['partner-*'] },
    );
  });

  it('layout.client() refuses what is not a member: the family itself, an empty id, an id holding the separator or a glob', async () => {
    await withTenants(async (layout) => {
      const client = (name: string): unknown => (layout.client as (name: string) => unknown).call(layout, name);
      for (const name of ['tenant-*', 'tenant-', 'tenant-7:x', 'tenant-7*', 'tenant-[7]', 'tenant-{7}', 'tenant-7 x', 'partner-1']) {
        expect(() => client(name), name).toThrow(IsolationConfigError);
      }
    }, { knownFamilies: ['partner-*'] });
  });

  it('overlaps are refused at definition: a served family and a known one, a known family covering a served one', () => {
    const url = server.url;
    expect(() => defineLayout({ namespaces: { 'tenant-*': { url } }, knownFamilies: ['tenant-*'] })).toThrow(IsolationConfigError);
    expect(() => defineLayout({ namespaces: { 'tenant-eu-*': { url } }, knownFamilies: ['tenant-*'] })).toThrow(IsolationConfigError);
    expect(() => defineLayout({ namespaces: { 'te*': { url }, 'tenant-*': { url } } })).toThrow(IsolationConfigError);
    expect(() => defineLayout({ namespaces: { mcp2: { url } }, knownNamespaces: ['mcp2:x'] })).toThrow(IsolationConfigError);
    expect(() => defineLayout({ namespaces: { mcp2: { url } }, defaults: { separator: '*' } })).toThrow(IsolationConfigError);
  });

  it('from the environment: a member service knows every other member and the listed namespaces', async () => {
    const { client, layout } = isolatedRedisFromEnv({ REDIS_URL: server.url, REDIS_NAMESPACE: 'tenant-42', ISOLATED_REDIS_NAMESPACES: 'mcp2,tenant-*' });
    try {
      for (const key of ['tenant-7:x', 'tenant-420:x', 'tenant-4:x', 'mcp2:x']) {
        expect(() => client.isolation.guard.rewrite('get', [key]), key).toThrow(CrossNamespaceError);
      }
      expect(client.isolation.guard.rewrite('keys', ['tenant-7?*'])).toEqual(['tenant-42:tenant-7?*']);
    } finally {
      await layout.quit();
    }
  });
});
