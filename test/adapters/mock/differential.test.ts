import { randomUUID } from 'node:crypto';
import RedisMock from 'ioredis-mock';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MOCK_UNSUPPORTED_COMMANDS, MockUnsupportedCommandError, MOCK_UNSUPPORTED_OPTIONS, createIsolatedRedis } from '../../../src/index.js';
import { batchMethodName } from '../../../src/adapters/mock/mock-quirks.js';
import { mockBookkeepingKeys, observeMockCommands, type MockCommandEvent } from '../../../src/adapters/mock/index.js';
import { NAMESPACES as namespaces, PREFIX, REFUSALS, commandList, expectSameReplies, label, normalise, type Cmd } from '../../support/differential-commands.js';

/**
 * Differential test of the mock adapter. The shared command list, cut to the commands the mock
 * can run (decided by MOCK_UNSUPPORTED_COMMANDS, the adapter's own data), runs through an isolated
 * mock client and through a raw mock: the same replies, and the same keys with `mcp2:` in front.
 * The same sub-list runs on the real server (database 10, this file's own) through a raw ioredis
 * client: the isolated mock gives the server's replies. The strict-mode refusal lines give the
 * same codes on the mock as on the server, and reach neither.
 */

/** Whether the adapter lets a line run on the mock (MOCK_UNSUPPORTED_COMMANDS and _OPTIONS are its data). */
const runsOnMock = ([command, ...args]: Cmd): boolean =>
  !MOCK_UNSUPPORTED_COMMANDS.has(command) && MOCK_UNSUPPORTED_OPTIONS[command]?.(args) === undefined;
/** EVALSHA runs on the mock, but its script is loaded by SCRIPT LOAD, which the mock cannot run. */
const needsALineLeftOut = ([command]: Cmd): boolean => command === 'evalsha';
const mockList = (k: (name: string) => string): Cmd[] => fullList(k).filter((cmd) => runsOnMock(cmd) && !needsALineLeftOut(cmd));

const bare = (arg: unknown): string => String(arg).replace(PREFIX, '');
/**
 * Lines where ioredis-mock's own reply is not Redis's, whatever the guard does. On these the
 * isolated mock must still give the raw mock's reply; on every other line, the server's.
 */
const MOCK_DIVERGES: ReadonlyArray<readonly [string, (cmd: Cmd) => boolean]> = [
  ['ioredis-mock gives explicit stream IDs a third part (1-1 is stored as 1-1-0)', ([c]) => c === 'xadd' || c === 'xrange' || c === 'xread'],
  ['ioredis-mock reports a stream\'s TYPE as list', ([c, key]) => c === 'type' && bare(key) === 'st'],
  ['encodings are the server\'s own choice (Redis 7.0 encodes a list as quicklist, the mock says listpack)', ([c, sub]) => c === 'object' && sub === 'ENCODING'],
  ['ioredis-mock keeps a set SPOP emptied, and keys of its own for stream entries', ([c, pattern]) => c === 'keys' && ['*', 'set*'].includes(bare(pattern))],
];
const diverges = (cmd: Cmd): boolean => MOCK_DIVERGES.some(([, matches]) => matches(cmd));

/**
 * KEYS on a raw mock also lists the keys it keeps for stream entries (`stream:st:1-1-0`), which
 * an isolated client's `mcp2:*` never matches; they are not Redis's, so the comparison drops them.
 */
function withoutBookkeeping([command]: Cmd, reply: unknown): unknown {
  if (command !== 'keys' || !Array.isArray(reply)) return reply;
  const names = reply.map(String);
  const bookkeeping = mockBookkeepingKeys(names, new Set(names));
  return names.filter((name) => !bookkeeping.has(name));
}

/** Keys of a raw mock, without its stream bookkeeping keys. */
async function storedKeys(mock: Redis): Promise<string[]> {
  const keys = await mock.keys('*');
  const bookkeeping = mockBookkeepingKeys(keys, new Set(keys));
  return keys.filter((key) => !bookkeeping.has(key)).sort();
}

/** Compares the isolated mock's replies with the server's, except on the lines where the mock itself diverges. */
function expectServerReplies(list: readonly Cmd[], onIsolatedMock: readonly unknown[], onServer: readonly unknown[]): void {
  const compared = list.flatMap((cmd, i) => (diverges(cmd) ? [] : [i]));
  expectSameReplies(compared.map((i) => list[i] as Cmd), compared.map((i) => onIsolatedMock[i]), compared.map((i) => onServer[i]));
}
/** The full list with a placeholder DUMP payload: the line that uses it (RESTORE) does not run on the mock. */
const fullList = (k: (name: string) => string): Cmd[] => commandList(k, Buffer.from('unused'));
const freshMock = (): Redis => new RedisMock({ host: `differential-${randomUUID()}` });

type Method = (...args: unknown[]) => unknown;
const invoke = (client: object, [command, ...args]: readonly unknown[]): Promise<unknown> =>
  Promise.resolve().then(() => ((client as Record<string, Method>)[String(command)] as Method).apply(client, args));

async function run(client: object, list: readonly Cmd[], how: 'sequential' | 'pipeline' | 'multi'): Promise<unknown[]> {
  if (how === 'sequential') {
    const out: unknown[] = [];
    for (const cmd of list) out.push(normalise(cmd, withoutBookkeeping(cmd, await invoke(client, cmd).catch((error: unknown) => error))));
    return out;
  }
  const batch = (client as Record<string, Method>)[how]?.call(client) as Record<string, Method> & { exec(): Promise<[Error | null, unknown][]> };
  for (const [command, ...args] of list) (batch[batchMethodName(batch, command)] as Method).apply(batch, args);
  return (await batch.exec()).map(([error, reply], i) => normalise(list[i] as Cmd, withoutBookkeeping(list[i] as Cmd, error ?? reply)));
}

describe('ioredis-mock: isolated client vs raw mock vs the real server', () => {
  let server: Redis;

  beforeAll(async () => {
    server = new Redis(`${inject('redisUrl')}/10`, { lazyConnect: true });
    await server.connect();
  });
  afterAll(async () => {
    await server.flushdb();
    server.disconnect();
  });

  it('the list is cut by the adapter\'s data: what the mock cannot run is refused clearly, and every divergence is used', async () => {
    const list = fullList((name) => name);
    const left = list.filter((cmd) => !runsOnMock(cmd));
    expect(list.filter(runsOnMock).length).toBeGreaterThan(60);
    const mcp2 = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: freshMock() });
    for (const cmd of left) await expect(invoke(mcp2, cmd), label(cmd)).rejects.toMatchObject({ code: 'ERR_MOCK_UNSUPPORTED', command: cmd[0] });
    const kept = mockList((name) => name);
    for (const [reason, matches] of MOCK_DIVERGES) expect(kept.some(matches), reason).toBe(true);
  });

  it('prefix mode: the isolated mock gives the raw mock\'s replies and keys, and the real server\'s replies', async () => {
    const list = mockList((name) => name);
    const raw = freshMock();
    const backing = freshMock();
    const mcp2 = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: backing });

    const onIsolatedMock = await run(mcp2, list, 'sequential');
    expectSameReplies(list, onIsolatedMock, await run(raw, list, 'sequential'));
    const rawKeys = await storedKeys(raw);
    expect(rawKeys.length).toBeGreaterThan(20);
    expect(await storedKeys(backing)).toEqual(rawKeys.map((key) => PREFIX + key).sort());

    await server.flushdb();
    expectServerReplies(list, onIsolatedMock, await run(server, list, 'sequential'));
  });

  it('strict mode: the list with every key written mcp2:... gives the raw mock\'s and the server\'s replies', async () => {
    const list = mockList((name) => PREFIX + name);
    const strict = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: freshMock(), mode: 'strict' });
    const onIsolatedMock = await run(strict, list, 'sequential');
    expectSameReplies(list, onIsolatedMock, await run(freshMock(), list, 'sequential'));
    await server.flushdb();
    expectServerReplies(list, onIsolatedMock, await run(server, list, 'sequential'));
  });

  it('pipeline and MULTI: the list in one batch gives the raw mock\'s and the server\'s replies', async () => {
    const list = mockList((name) => name);
    for (const how of ['pipeline', 'multi'] as const) {
      const mcp2 = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: freshMock() });
      const onIsolatedMock = await run(mcp2, list, how);
      expectSameReplies(list, onIsolatedMock, await run(freshMock(), list, how));
      await server.flushdb();
      expectServerReplies(list, onIsolatedMock, await run(server, list, how));
    }
  });

  it('strict mode refusals: the same codes as on the real server, and nothing reaches the mock', async () => {
    const mock = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: freshMock(), mode: 'strict' });
    const real = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: server, mode: 'strict' });
    const seen: MockCommandEvent[] = [];
    observeMockCommands(mock, (event) => seen.push(event));
    for (const [, bad, line] of REFUSALS) {
      const code = bad.startsWith('celery:') ? 'ERR_CROSS_NAMESPACE' : 'ERR_UNPREFIXED_KEY';
      await expect(invoke(real, line(bad)), label(line(bad))).rejects.toMatchObject({ code, key: bad });
      await expect(invoke(mock, line(bad)), label(line(bad))).rejects.toMatchObject({ code, key: bad });
      const refused = seen.pop();
      expect(refused?.error, label(line(bad))).toMatchObject({ code });
      expect(refused?.sent, label(line(bad))).toBeUndefined();
      // The same line with the key in the namespace passes the guard (and runs, where the mock can).
      await invoke(mock, line(PREFIX + bad.replace(/^celery:/, ''))).catch(() => undefined);
      const passed = seen.pop();
      expect(passed?.sent !== undefined || passed?.error instanceof MockUnsupportedCommandError, label(line(bad))).toBe(true);
    }
  });
});
