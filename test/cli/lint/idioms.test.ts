import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findConfig, resolveConfig } from '../../../src/cli/lint/config.js';
import { lintPaths } from '../../../src/cli/lint/run-lint.js';

/** One small file per idiom met in real code (issue 16), linted with the fixture's configuration. */
const root = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/lint/idioms');

async function lint(file: string): Promise<string[]> {
  const found = await findConfig(root);
  if (!found) throw new Error('the idioms fixture has a configuration file');
  return lintPaths([file], resolveConfig(found.config, dirname(found.file)), root).findings.map((f) => `${f.line}:${f.column} ${f.rule}`);
}

describe('idioms of real code', () => {
  it("follows node-redis's `await createClient({...}).on('error', ...).connect()` chain", async () => {
    expect(await lint('node-redis-chain.ts')).toEqual(['3:22 raw-client', '7:20 unprefixed-key', '8:20 cross-namespace-key']);
  });

  it('reads the commands of addCommand([...]) and the commands chained after it in a multi()', async () => {
    expect(await lint('multi-add-command.ts')).toEqual(['3:16 raw-client', '6:63 unprefixed-key', '7:43 cross-namespace-key', '7:56 blocked-command']);
  });

  it('knows pools (createClientPool, client.createPool, execute callbacks), Sentinel clients and their use() callbacks', async () => {
    expect(await lint('pools-sentinel.ts')).toEqual([
      '4:14 raw-client',
      '5:16 raw-client',
      '7:24 raw-client',
      '8:20 raw-client',
      '11:18 unprefixed-key',
      '12:18 cross-namespace-key',
      '14:41 unprefixed-key',
      '15:22 unprefixed-key',
      '17:24 unprefixed-key',
    ]);
  });

  it('reports module commands no rule registers, and checks the keys of registered ones and of script methods', async () => {
    expect(await lint('module-commands.ts')).toEqual([
      '5:16 raw-client',
      '6:15 raw-client',
      // client.json.set and call('JSON.SET'): registered nowhere.
      '10:21 unknown-command',
      '11:15 unknown-command',
      // The isolated client registers JSON.SET in its own `commands` option: its key is judged.
      '12:31 double-prefix',
      // JSON.DEL: not in that client's rules, nor in the configuration's.
      '14:14 unknown-command',
      // FT.SEARCH (keys: none) and JSON.GET come from the configuration's `commands`.
      '16:25 cross-namespace-key',
      '17:16 unknown-command',
      '22:18 raw-client',
      // defineCommand('incrTwo', { numberOfKeys: 2 }) and a node-redis script whose parseCommand pushes its key.
      '37:33 cross-namespace-key',
      '38:28 unprefixed-key',
    ]);
  });

  it('resolves names per scope: one `const key` per function, a shadowing local that is not a client', async () => {
    expect(await lint('scopes.ts')).toEqual(['3:15 raw-client', '12:19 cross-namespace-key', '22:19 unprefixed-key', '33:21 cross-namespace-key']);
  });

  it("reads zUnionStore/zInterStore's { key, weight } objects as keys", async () => {
    expect(await lint('zunion-weights.ts')).toEqual(['3:16 raw-client', '6:78 unprefixed-key', '7:47 cross-namespace-key']);
  });

  it('reads the keys of an MSET given a const object, at the keys themselves', async () => {
    const findings = await lint('mset-object.ts');
    expect(findings).toEqual(['4:15 raw-client', '5:16 raw-client', '6:33 cross-namespace-key', '6:50 unprefixed-key']);
  });
});
