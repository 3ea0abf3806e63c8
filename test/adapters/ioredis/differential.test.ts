import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
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
} from '../../support/differential-commands.js';
import { IOREDIS_VERSIONS } from '../../support/ioredis-versions.js';

/**
 * Differential test of the ioredis adapter: one long command list, run through an isolated
 * client and through a raw client of the same ioredis version, must give the same replies
 * command by command, and leave the same keys behind, with `mcp2:` in front. Databases 11
 * (isolated), 12 (raw reference) and 13 (COPY ... DB 13) are this file's own.
 */

/** One command as `[method, ...args]` of ioredis's typed API (`call` for the rest). */
type IoCmd = readonly [method: string, ...args: unknown[]];
type Method = (...args: unknown[]) => unknown;
type How = 'sequential' | 'pipeline' | 'multi';

/** The shared list, plus the forms only ioredis has: argument transformers, Buffer replies, `call`. */
function ioredisList(k: (name: string) => string, dump: Buffer): IoCmd[] {
  return [
    ...commandList(k, dump),
    ['hset', k('obj'), { a: '1', b: '2' }],
    ['hgetall', k('obj')],
    ['rpush', k('bl'), 'x', 'y'],
    ['lmpopBuffer', 1, k('bl'), 'RIGHT'],
    ['call', 'MEMORY', 'USAGE', k('obj')],
    ['call', 'LLEN', k('bl')],
    ['dumpBuffer', k('obj')],
    ['keysBuffer', k('o*')],
  ];
}

const invoke = (target: object, [method, ...args]: IoCmd): unknown => {
  const fn = (target as Record<string, Method | undefined>)[method];
  if (typeof fn !== 'function') throw new Error(`no method ${method}`);
  return fn.apply(target, args);
};

/** Runs the list one command at a time, in one pipeline or in one MULTI; normalised replies. */
async function run(client: object, list: readonly IoCmd[], how: How): Promise<unknown[]> {
  if (how === 'sequential') {
    const out: unknown[] = [];
    for (const cmd of list) out.push(normalise(cmd, await Promise.resolve(invoke(client, cmd)).catch((error: unknown) => error)));
    return out;
  }
  const batch = invoke(client, [how]) as { exec(): Promise<[Error | null, unknown][] | null> };
  for (const cmd of list) invoke(batch, cmd);
  const replies = await batch.exec();
  return (replies ?? []).map(([error, reply], i) => normalise(list[i] as IoCmd, error ?? reply));
}

interface Variant {
  readonly label: string;
  readonly Redis: (typeof IOREDIS_VERSIONS)[number]['Redis'];
  readonly options: Record<string, unknown>;
}
const VARIANTS: Variant[] = IOREDIS_VERSIONS.flatMap(({ name, Redis }) =>
  name === 'ioredis 6'
    ? [
        { label: 'ioredis 6, protocol 2', Redis, options: { protocol: 2 } },
        { label: 'ioredis 6, RESP3 (default)', Redis, options: {} },
      ]
    : [{ label: name, Redis, options: {} }],
);

describe.each(VARIANTS)('$label: isolated client vs raw client', ({ Redis, options }) => {
  type Client = InstanceType<typeof Redis>;
  const opened: Client[] = [];
  const views: Client[] = [];
  const isolate = (options: { namespace: string; namespaces: string[]; client: Client; mode?: 'strict' }): Client => {
    const view = createIsolatedRedis(options);
    views.push(view);
    return view;
  };
  const user = `isolated-diff-${randomBytes(6).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  let admin: Client; // raw, database 11: flushes it, reads INFO, owns the ACL user and the function library
  let raw: Client; // raw, database 12: the reference
  let copies: Client; // raw, database 13: where COPY ... DB 13 lands
  let dump: Buffer;

  const connect = async (db: number, extra: Record<string, unknown> = {}): Promise<Client> => {
    const client = new Redis(inject('redisUrl'), { ...options, ...extra, db, lazyConnect: true });
    opened.push(client);
    await client.connect();
    return client;
  };
  // A view loads the library under the namespace's name (see scripts: 'confine').
  const dropLibrary = (): Promise<unknown> =>
    Promise.all([LIBRARY, `mcp2__${LIBRARY}`].map((name) => admin.function('DELETE', name).catch((error: Error) => error)));
  const fresh = async (): Promise<void> => {
    await Promise.all([admin.flushdb(), raw.flushdb(), copies.flushdb(), dropLibrary()]);
  };
  /** Runs `list` on the raw reference, then on `isolated`, and compares the replies. */
  const differential = async (isolated: object, list: readonly IoCmd[], how: How): Promise<void> => {
    await fresh();
    const want = await run(raw, list, how);
    await dropLibrary();
    expectSameReplies(list, await run(isolated, list, how), want);
  };
  const calls = async (stat: string): Promise<number> => commandCalls(await admin.info('commandstats'), stat);

  beforeAll(async () => {
    [admin, raw, copies] = await Promise.all([connect(11), connect(12), connect(13)]);
    await copies.set('dump-source', 'restored value');
    dump = await copies.dumpBuffer('dump-source');
    await admin.call('ACL', 'SETUSER', user, 'reset', 'on', `>${password}`, ...ACL_RULES);
  });

  afterAll(async () => {
    // The views' own connections (opened by the blocking commands) close with them, before their user goes.
    await Promise.all(views.map((view) => view.quit()));
    await admin.call('ACL', 'DELUSER', user);
    await fresh();
    for (const client of opened) client.disconnect();
  });

  it('prefix mode: the same replies as the raw client, command by command, and the same keys with mcp2: in front', async () => {
    const list = ioredisList((name) => name, dump);
    const client = await connect(11);
    const mcp2 = isolate({ namespace: 'mcp2', namespaces, client });
    await differential(mcp2, list, 'sequential');

    const rawKeys = (await raw.keys('*')).sort();
    expect(rawKeys.length).toBeGreaterThan(30);
    expect((await admin.keys('*')).sort()).toEqual(rawKeys.map((key) => PREFIX + key).sort());
    const rawTypes = await Promise.all(rawKeys.map((key) => raw.type(key)));
    expect(await Promise.all(rawKeys.map((key) => admin.type(PREFIX + key)))).toEqual(rawTypes);
    expect((await copies.keys('*')).sort()).toEqual(['hashcopy', 'mcp2:hashcopy']);

    // A full SCAN iteration through the view, a few keys per call, un-prefixed.
    const scanned: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await mcp2.scan(cursor, 'COUNT', 7);
      scanned.push(...keys);
      cursor = next;
    } while (cursor !== '0');
    expect([...new Set(scanned)].sort()).toEqual(rawKeys);
  });

  it('ACL user limited to ~mcp2:* &mcp2:*: the list passes sequentially, in one pipeline and in one MULTI', async () => {
    const client = await connect(11, { username: user, password });
    await expect(client.get('unprefixed')).rejects.toThrow(/NOPERM/);
    await expect(client.publish('news', 'x')).rejects.toThrow(/NOPERM/);
    const mcp2 = isolate({ namespace: 'mcp2', namespaces, client });
    const list = ioredisList((name) => name, dump).filter((cmd) => !readsSortPatterns(cmd));

    await differential(mcp2, list, 'sequential');
    expect((await admin.keys('*')).every((key) => key.startsWith(PREFIX))).toBe(true);
    await differential(mcp2, list, 'pipeline');
    await differential(mcp2, list.filter(([method]) => !BLOCKING.has(method)), 'multi');
    expect((await admin.keys('*')).sort()).toEqual((await raw.keys('*')).map((key) => PREFIX + key).sort());
  });

  it('strict mode: the list with every key written mcp2:... gives the raw replies', async () => {
    const list = ioredisList((name) => PREFIX + name, dump);
    const client = await connect(11);
    const strict = isolate({ namespace: 'mcp2', namespaces, client, mode: 'strict' });
    await differential(strict, list, 'sequential');
    expect((await admin.keys('*')).sort()).toEqual((await raw.keys('*')).sort());
  });

  it('strict mode: a bare or foreign key is refused with its code, and nothing reaches the server', async () => {
    const client = await connect(11);
    const strict = isolate({ namespace: 'mcp2', namespaces, client, mode: 'strict' });
    await expectRefusalsSendNothing((cmd) => Promise.resolve(invoke(strict, cmd)), calls);
  });
});
