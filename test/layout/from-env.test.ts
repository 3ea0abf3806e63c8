import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IsolationConfigError, isolatedRedisFromEnv, layoutFromEnv, layoutOptionsFromEnv, namespaceUrlVariable } from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'isolated-redis-layout-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string): string => {
  writeFileSync(join(dir, name), content);
  return name;
};

describe('configuration from the environment', () => {
  it('one service: REDIS_URL and REDIS_NAMESPACE (or ISOLATED_REDIS_NAMESPACE), the other namespaces known', () => {
    const env = { REDIS_URL: 'redis://mcp-redis:6379/0', REDIS_NAMESPACE: 'mcp3', ISOLATED_REDIS_NAMESPACES: 'mcp2, mcp3,celery,journal' };
    expect(layoutOptionsFromEnv(env)).toEqual({
      namespaces: { mcp3: { url: 'redis://mcp-redis:6379/0' } },
      knownNamespaces: ['mcp2', 'mcp3', 'celery', 'journal'],
      knownFamilies: [],
    });
    expect(layoutOptionsFromEnv({ ...env, REDIS_NAMESPACE: undefined, ISOLATED_REDIS_NAMESPACE: 'mcp2' }).namespaces).toEqual({ mcp2: { url: 'redis://mcp-redis:6379/0' } });
    const options = layoutOptionsFromEnv({ ...env, ISOLATED_REDIS_DRIVER: 'node-redis', ISOLATED_REDIS_MODE: 'strict' });
    expect(options.namespaces.mcp3).toEqual({ url: 'redis://mcp-redis:6379/0', driver: 'node-redis', mode: 'strict' });
  });

  it('treats empty variables (X= in a compose file) as unset', () => {
    const env = { REDIS_URL: 'redis://mcp-redis:6379/0', REDIS_NAMESPACE: 'mcp2', ISOLATED_REDIS_NAMESPACE: '', REDIS_URL_MCP2: '', ISOLATED_REDIS_MODE: '', ISOLATED_REDIS_LAYOUT: '' };
    expect(layoutOptionsFromEnv(env).namespaces).toEqual({ mcp2: { url: 'redis://mcp-redis:6379/0' } });
  });

  it('gives a service its isolated client without a code change between deployments', async () => {
    const { client, layout } = isolatedRedisFromEnv({ REDIS_URL: 'redis://127.0.0.1:1/0', REDIS_NAMESPACE: 'mcp3', ISOLATED_REDIS_NAMESPACES: 'mcp2' });
    expect(client.isolation).toMatchObject({ namespace: 'mcp3', prefix: 'mcp3:' });
    expect(() => client.isolation.guard.rewrite('get', ['mcp2:x'])).toThrow(/another namespace|mcp2/);
    await layout.quit();
  });

  it('knows families of namespaces: ISOLATED_REDIS_NAMESPACES entries ending in *, and family entries of a layout file', async () => {
    const { client, layout } = isolatedRedisFromEnv({ REDIS_URL: 'redis://127.0.0.1:1/0', REDIS_NAMESPACE: 'tenant-42', ISOLATED_REDIS_NAMESPACES: 'mcp2,tenant-*' });
    expect(layout.namespaceSet.families).toEqual(['tenant-*']);
    expect(() => client.isolation.guard.rewrite('get', ['tenant-7:cart'])).toThrow(/belongs to namespace "tenant-7"/);
    await layout.quit();
    const layoutFile = file('families.json', JSON.stringify({ namespaces: { mcp2: { url: 'redis://127.0.0.1:1/0' }, 'tenant-*': { url: 'redis://127.0.0.1:1/1' } } }));
    expect(namespaceUrlVariable('tenant-*')).toBe('REDIS_URL_TENANT_');
    const options = layoutOptionsFromEnv({ ISOLATED_REDIS_LAYOUT: layoutFile, REDIS_URL_TENANT_: 'redis://127.0.0.1:1/2' }, dir);
    expect(options.namespaces['tenant-*']).toEqual({ url: 'redis://127.0.0.1:1/2' });
    const fromFile = isolatedRedisFromEnv({ ISOLATED_REDIS_LAYOUT: layoutFile, REDIS_NAMESPACE: 'tenant-9' }, dir);
    expect(fromFile.client.isolation.prefix).toBe('tenant-9:');
    expect(() => fromFile.client.isolation.guard.rewrite('get', ['tenant-42:x'])).toThrow(/belongs to namespace "tenant-42"/);
    await fromFile.layout.quit();
  });

  it('REDIS_URL_<NAMESPACE> overrides one namespace of a layout file', () => {
    const layoutFile = file('layout.json', JSON.stringify({ namespaces: { mcp2: { url: 'redis://shared:6379/0' }, 'celery-broker': { url: 'redis://shared:6379/0', mode: 'strict' } } }));
    expect(namespaceUrlVariable('celery-broker')).toBe('REDIS_URL_CELERY_BROKER');
    const options = layoutOptionsFromEnv({ ISOLATED_REDIS_LAYOUT: layoutFile, REDIS_URL_CELERY_BROKER: 'redis://celery-redis:6379/0' }, dir);
    expect(options.namespaces).toEqual({ mcp2: { url: 'redis://shared:6379/0' }, 'celery-broker': { url: 'redis://celery-redis:6379/0', mode: 'strict' } });
    expect(layoutFromEnv({ ISOLATED_REDIS_LAYOUT: layoutFile }, dir).namespaces).toEqual(['mcp2', 'celery-broker']);
  });

  const invalid: Array<[string, Record<string, string>, RegExp]> = [
    ['no namespace', { REDIS_URL: 'redis://x:6379' }, /set REDIS_NAMESPACE/],
    ['no URL', { REDIS_NAMESPACE: 'mcp2' }, /set REDIS_URL \(or REDIS_URL_MCP2\)/],
    ['a malformed URL', { REDIS_NAMESPACE: 'mcp2', REDIS_URL: 'redis:/x' }, /^namespace "mcp2": REDIS_URL "redis:\/x" is not a valid URL/],
    ['an unknown driver', { REDIS_NAMESPACE: 'mcp2', REDIS_URL: 'redis://x:6379', ISOLATED_REDIS_DRIVER: 'jedis' }, /driver "jedis"/],
    ['a missing layout file', { ISOLATED_REDIS_LAYOUT: 'nope.json' }, /cannot read .*nope\.json/],
    ['a layout file that is not JSON', { ISOLATED_REDIS_LAYOUT: 'broken.json' }, /broken\.json is not valid JSON/],
    ['a malformed override', { ISOLATED_REDIS_LAYOUT: 'two.json', REDIS_URL_CELERY: 'celery-redis' }, /^namespace "celery": REDIS_URL_CELERY "celery-redis" is not a valid URL/],
    ['two namespaces read the same variable', { ISOLATED_REDIS_LAYOUT: 'twins.json' }, /"mcp-2" and "mcp_2" both read REDIS_URL_MCP_2/],
    ['namespaces that could overlap in a file', { ISOLATED_REDIS_LAYOUT: 'overlap.json' }, /separator must be a non-empty string/],
    ['an unknown namespace for this service', { ISOLATED_REDIS_LAYOUT: 'two.json', REDIS_NAMESPACE: 'journal' }, /unknown namespace "journal"/],
  ];
  file('broken.json', '{ namespaces: ');
  file('two.json', JSON.stringify({ namespaces: { mcp2: { url: 'redis://a:6379' }, celery: { url: 'redis://b:6379' } } }));
  file('twins.json', JSON.stringify({ namespaces: { 'mcp-2': { url: 'redis://a:6379' }, mcp_2: { url: 'redis://a:6379' } } }));
  file('overlap.json', JSON.stringify({ namespaces: { mcp: { url: 'redis://a:6379' }, mcp2: { url: 'redis://a:6379' } }, defaults: { separator: '' } }));
  it.each(invalid)('fails at start-up, naming the problem: %s', (_, env, message) => {
    const start = (): unknown => (env.REDIS_NAMESPACE && env.ISOLATED_REDIS_LAYOUT ? isolatedRedisFromEnv(env, dir) : layoutFromEnv(env, dir));
    expect(start).toThrow(IsolationConfigError);
    expect(start).toThrow(message);
  });
});
