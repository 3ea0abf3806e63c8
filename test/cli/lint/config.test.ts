import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findConfig, findConfigSync, resolveConfig } from '../../../src/cli/lint/config.js';
import { CliError } from '../../../src/cli/errors.js';

const directory = (files: Record<string, string>): string => {
  const dir = mkdtempSync(join(tmpdir(), 'isolated-redis-config-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
};

describe('configuration', () => {
  it('assigns files to the first owner whose glob matches, relative to the configuration', () => {
    const config = resolveConfig(
      { namespaces: ['mcp2', 'celery'], owners: [{ files: 'a/**', namespace: 'mcp2' }, { files: ['**/*.cjs'], namespace: 'celery' }] },
      '/repo',
    );
    expect(config.namespaceOf('/repo/a/x.cjs')).toBe('mcp2');
    expect(config.namespaceOf('/repo/b/x.cjs')).toBe('celery');
    expect(config.namespaceOf('/repo/b/x.ts')).toBeUndefined();
    expect(config.layout.namespaces).toEqual(['mcp2', 'celery']);
  });

  it('lets --namespace own every file and adds --namespaces to the known list', () => {
    const config = resolveConfig({ namespaces: ['celery'] }, '/repo', { override: 'mcp2', extraNamespaces: ['journal'] });
    expect(config.namespaceOf('/anywhere.ts')).toBe('mcp2');
    expect(config.layout.namespaces).toEqual(['celery', 'journal', 'mcp2']);
  });

  it('reads typed clients as the owner entry says, else as the file-wide setting or --typed-clients, else raw', () => {
    const config = { namespaces: ['mcp2'], typedClients: 'isolated' as const, owners: [{ files: 'legacy/**', namespace: 'mcp2', typedClients: 'raw' as const }] };
    expect(resolveConfig(config, '/repo').typedClientsOf('/repo/legacy/a.ts')).toBe('raw');
    expect(resolveConfig(config, '/repo').typedClientsOf('/repo/src/a.ts')).toBe('isolated');
    expect(resolveConfig({ namespaces: ['mcp2'] }, '/repo').typedClientsOf('/repo/src/a.ts')).toBe('raw');
    expect(resolveConfig({ namespaces: ['mcp2'] }, '/repo', { typedClients: 'isolated' }).typedClientsOf('/repo/src/a.ts')).toBe('isolated');
  });

  it.each([
    [{ namespaces: ['mcp2'], typedClients: 'maybe' }, '"typedClients" must be "raw" or "isolated"'],
    [{ namespaces: [''] }, '"namespaces" must be non-empty strings'],
    [{ namespaces: ['mcp2'], owners: [{ files: 'a/**', namespace: 'mpc2' }] }, 'owners[0] names namespace "mpc2", which is not in "namespaces"'],
    [{ owners: [{ files: 3, namespace: 'mcp2' }] }, 'owners[0] must be { "files": glob or globs, "namespace": string }'],
    [{}, 'no namespace is known'],
  ])('refuses %j', (config, message) => {
    expect(() => resolveConfig(config as never, '/repo')).toThrow(CliError);
    expect(() => resolveConfig(config as never, '/repo')).toThrow(message);
  });

  it('is found in isolated-redis.config.json, isolated-redis.config.js or package.json, from a subdirectory up', async () => {
    const json = directory({ 'isolated-redis.config.json': '{"namespaces":["a"]}' });
    const js = directory({ 'isolated-redis.config.js': 'export default { namespaces: ["b"] };', 'package.json': '{"type":"module"}' });
    const pkg = directory({ 'package.json': '{"name":"x","isolated-redis":{"namespaces":["c"]}}' });
    expect((await findConfig(json))?.config).toEqual({ namespaces: ['a'] });
    expect((await findConfig(js))?.config).toEqual({ namespaces: ['b'] });
    expect((await findConfig(pkg))?.config).toEqual({ namespaces: ['c'] });
    expect(findConfigSync(pkg)?.config).toEqual({ namespaces: ['c'] });
  });

  it('names the file of invalid JSON', async () => {
    const dir = directory({ 'isolated-redis.config.json': '{ namespaces: [' });
    await expect(findConfig(dir)).rejects.toThrow(/isolated-redis\.config\.json is not valid JSON/);
  });
});
