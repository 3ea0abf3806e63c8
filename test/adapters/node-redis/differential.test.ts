import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { createClient as createNodeRedis6, RedisFunctions, RedisModules, RedisScripts } from 'redis';
import { createIsolatedRedis } from '../../../src/index.js';
import {
  ACL_RULES,
  BLOCKING,
  LIBRARY,
  NAMESPACES as namespaces,
  PREFIX,
  commandCalls,
  commandList,
  expectRefusalsSendNothing,
  expectSameReplies,
  normalise,
  readsSortPatterns,
  type Cmd,
} from '../../support/differential-commands.js';
import { NODE_REDIS_VARIANTS } from '../../support/node-redis-versions.js';
import { startRedisServer, type RunningRedis } from '../../support/redis-server.js';

/**
 * Differential test of the node-redis adapter: the command list every adapter shares, sent with
 * `sendCommand` (one at a time, in a MULTI and as a pipeline), plus node-redis's typed forms of
 * the same families, through an isolated client and through a raw client of the same version and
 * protocol: the same replies command by command, and the same keys with `mcp2:` in front. The
 * server is this file's own: database 1 is the isolated one, 2 the raw reference, 13 where
 * COPY ... DB 13 lands; INFO commandstats counts only this file's commands.
 */

type Client = ReturnType<typeof createNodeRedis6<RedisModules, RedisFunctions, RedisScripts, 2 | 3>>;
type How = 'sequential' | 'multi' | 'pipeline';
/** A typed node-redis call: `[method, ...args]`. */
type Typed = readonly [method: string, ...args: unknown[]];

/** Node-redis takes strings and Buffers only. */
const wire = (cmd: Cmd): Array<string | Buffer> => cmd.map((arg, i) => (i === 0 ? String(arg).toUpperCase() : Buffer.isBuffer(arg) ? arg : String(arg)));

const settle = (promise: Promise<unknown>): Promise<unknown> => promise.catch((error: unknown) => error);

/** Runs the shared list with sendCommand: one at a time, in one MULTI, or as one pipeline; normalised replies. */
async function run(client: Client, list: readonly Cmd[], how: How): Promise<unknown[]> {
  if (how === 'sequential') {
    const out: unknown[] = [];
    for (const cmd of list) out.push(normalise(cmd, await settle(client.sendCommand(wire(cmd)))));
    return out;
  }
  const batch = client.multi();
  for (const cmd of list) batch.addCommand(wire(cmd));
  const replies = await settle(how === 'multi' ? batch.exec() : batch.execAsPipeline());
  // A MULTI with error replies rejects with all the replies attached.
  const all = replies instanceof Error && 'replies' in replies ? (replies as { replies: unknown[] }).replies : replies;
  if (!Array.isArray(all)) throw all;
  return all.map((reply, i) => normalise(list[i] as Cmd, reply));
}

/** node-redis's typed forms of the list's families (`k` names a key as in the shared list). */
function typedList(k: (name: string) => string): Typed[] {
  return [
    ['set', k('t:s'), 'v', { EX: 100 }],
    ['get', k('t:s')],
    ['mSet', { [k('t:m1')]: 'a', [k('t:m2')]: 'b' }],
    ['mGet', [k('t:m1'), k('t:m2'), k('t:none')]],
    ['hSet', k('t:h'), { a: '1', b: '2' }],
    ['hGetAll', k('t:h')],
    ['rPush', k('t:l'), ['a', 'b', 'c']],
    ['lMove', k('t:l'), k('t:l2'), 'LEFT', 'RIGHT'],
    ['blPop', [k('t:none'), k('t:l')], 0.01],
    ['brPop', k('t:l2'), 0.01],
    ['lmPop', [k('t:none'), k('t:l')], 'LEFT'],
    ['sAdd', k('t:s1'), ['a', 'b']],
    ['sAdd', k('t:s2'), ['b', 'c']],
    ['sInterStore', k('t:s3'), [k('t:s1'), k('t:s2')]],
    ['sMembers', k('t:s3')],
    ['zAdd', k('t:z1'), [{ score: 1, value: 'a' }, { score: 2, value: 'b' }]],
    ['zAdd', k('t:z2'), [{ score: 3, value: 'b' }]],
    ['zUnionStore', k('t:z3'), [k('t:z1'), k('t:z2')]],
    ['zRangeWithScores', k('t:z3'), 0, -1],
    ['zmPop', [k('t:none'), k('t:z3')], 'MIN'],
    ['bzPopMin', [k('t:none'), k('t:z3')], 0.01],
    ['xAdd', k('t:st'), '1-1', { f: 'v' }],
    ['xGroupCreate', k('t:st'), 'g', '0'],
    ['xReadGroup', 'g', 'c', { key: k('t:st'), id: '>' }],
    ['xRead', [{ key: k('t:st'), id: '0' }]],
    ['xInfoStream', k('t:st')],
    ['copy', k('t:s'), k('t:copy')],
    ['rename', k('t:copy'), k('t:renamed')],
    ['type', k('t:renamed')],
    ['objectEncoding', k('t:h')],
    ['eval', "return redis.call('GET', KEYS[1])", { keys: [k('t:s')] }],
    ['keys', k('t:*')],
    ['exists', [k('t:s'), k('t:none')]],
    ['unlink', [k('t:renamed')]],
  ];
}

function normaliseTyped([method]: Typed, reply: unknown): unknown {
  if (reply instanceof Error) return { error: reply.message };
  return method === 'keys' || method === 'sMembers' ? (reply as string[]).map(String).sort() : reply;
}

async function runTyped(client: Client, list: readonly Typed[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const cmd of list) {
    const [method, ...args] = cmd;
    const fn = (client as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method];
    if (typeof fn !== 'function') throw new Error(`no method ${method}`);
    out.push(normaliseTyped(cmd, await settle(fn.apply(client, args))));
  }
  return out;
}

let server: RunningRedis;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server.stop();
});

describe.each(NODE_REDIS_VARIANTS)('$label: isolated client vs raw client', ({ createClient, options }) => {
  const opened: Client[] = [];
  const user = `isolated-diff-${randomBytes(6).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  let admin: Client; // raw, database 1: flushes it, reads INFO, owns the ACL user and the function library
  let raw: Client; // raw, database 2: the reference
  let copies: Client; // raw, database 13: where COPY ... DB 13 lands
  let dump: Buffer;

  const connect = async (db: number, extra: Record<string, unknown> = {}): Promise<Client> => {
    const client = createClient({ url: `${server.url}/${db}`, ...options, ...extra }) as Client;
    client.on('error', () => undefined);
    opened.push(client);
    await client.connect();
    return client;
  };
  // A view loads the library under the namespace's name (see scripts: 'confine').
  const dropLibrary = (): Promise<unknown> => Promise.all([LIBRARY, `mcp2__${LIBRARY}`].map((name) => settle(admin.sendCommand(['FUNCTION', 'DELETE', name]))));
  const fresh = async (): Promise<void> => {
    await Promise.all([admin.flushDb(), raw.flushDb(), copies.flushDb(), dropLibrary()]);
  };
  const differential = async (isolated: Client, list: readonly Cmd[], how: How): Promise<void> => {
    await fresh();
    const want = await run(raw, list, how);
    await dropLibrary();
    expectSameReplies(list, await run(isolated, list, how), want);
  };
  const calls = async (stat: string): Promise<number> => commandCalls(String(await admin.sendCommand(['INFO', 'commandstats'])), stat);
  const rawKeysWithPrefix = async (): Promise<string[]> => ((await raw.keys('*')) as string[]).map((key) => PREFIX + key).sort();

  beforeAll(async () => {
    [admin, raw, copies] = await Promise.all([connect(1), connect(2), connect(13)]);
    await copies.set('dump-source', 'restored value');
    dump = (await copies.sendCommand(['DUMP', 'dump-source'], { typeMapping: { 36: Buffer } })) as Buffer;
    await admin.sendCommand(['ACL', 'SETUSER', user, 'reset', 'on', `>${password}`, ...ACL_RULES]);
  });
  afterAll(async () => {
    await admin.sendCommand(['ACL', 'DELUSER', user]);
    await fresh();
    await Promise.all(opened.filter((c) => c.isOpen).map((c) => c.close()));
  });

  it('prefix mode: sendCommand gives the raw replies command by command, and the same keys with mcp2: in front', async () => {
    const mcp2 = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: await connect(1) });
    await differential(mcp2, commandList((name) => name, dump), 'sequential');
    const rawKeys = await rawKeysWithPrefix();
    expect(rawKeys.length).toBeGreaterThan(30);
    expect(((await admin.keys('*')) as string[]).sort()).toEqual(rawKeys);
    expect(((await copies.keys('*')) as string[]).sort()).toEqual(['hashcopy', 'mcp2:hashcopy']);
  });

  it('prefix mode: typed commands give the raw replies, and the same keys with mcp2: in front', async () => {
    const mcp2 = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: await connect(1) });
    const list = typedList((name) => name);
    await fresh();
    const want = await runTyped(raw, list);
    expectSameReplies(list, await runTyped(mcp2, list), want);
    expect(((await admin.keys('*')) as string[]).sort()).toEqual(await rawKeysWithPrefix());
  });

  it('ACL user limited to ~mcp2:* &mcp2:*: the list passes one at a time, in one MULTI and as one pipeline', async () => {
    const client = await connect(1, { username: user, password });
    await expect(client.get('unprefixed')).rejects.toThrow(/NOPERM/);
    const mcp2 = createIsolatedRedis({ namespace: 'mcp2', namespaces, client });
    const list = commandList((name) => name, dump).filter((cmd) => !readsSortPatterns(cmd));
    await differential(mcp2, list, 'sequential');
    await differential(mcp2, list, 'pipeline');
    await differential(mcp2, list.filter(([name]) => !BLOCKING.has(name)), 'multi');
    expect(((await admin.keys('*')) as string[]).sort()).toEqual(await rawKeysWithPrefix());
  });

  it('strict mode: the list with every key written mcp2:... gives the raw replies', async () => {
    const strict = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: await connect(1), mode: 'strict' });
    await differential(strict, commandList((name) => PREFIX + name, dump), 'sequential');
    expect(((await admin.keys('*')) as string[]).sort()).toEqual(((await raw.keys('*')) as string[]).sort());
  });

  it('strict mode: a bare or foreign key is refused with its code, and nothing reaches the server', async () => {
    const strict = createIsolatedRedis({ namespace: 'mcp2', namespaces, client: await connect(1), mode: 'strict' });
    await expectRefusalsSendNothing((cmd) => strict.sendCommand(wire(cmd)), calls);
  });
});
