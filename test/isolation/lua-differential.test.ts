import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIsolatedRedis } from '../../src/index.js';
import { ACL_RULES, NAMESPACES, PREFIX, commandList, expectSameReplies, label, normalise, readsSortPatterns, type Cmd } from '../support/differential-commands.js';
import { startRedisServer, type RunningRedis } from '../support/redis-server.js';

/**
 * The differential command list run inside Lua (issue 13): through one isolated view, each
 * command sent as `EVAL "return redis.call(unpack(ARGV))" 0 <command line>` must give the same
 * reply as the command sent directly, and the run must leave the same keys. The script names its
 * keys in ARGV, not KEYS: only the Lua guard in front of every script a view sends can place them.
 * The view's connection logs in as a user limited to `~mcp2:* &mcp2:*`, so a key the guard
 * missed fails with NOPERM instead of landing outside the namespace.
 *
 * Commands the server refuses inside scripts are excluded, and only they: the filter is the
 * `noscript` flag of COMMAND INFO (of the subcommand for container commands), and a test proves
 * the server refuses each excluded line inside a script and runs no other. Database 11 is the
 * run's; COPY ... DB 13 lands in 13. The server is this file's own.
 */

const SCRIPT = 'return redis.call(unpack(ARGV))';
const NOT_ALLOWED = /This Redis command is not allowed from script/;

let server: RunningRedis;
let admin: Redis; // raw default user, database 11: flushes, reads the keyspace, owns the ACL user
let copies: Redis; // raw, database 13
let dump: Buffer;
const opened: Redis[] = [];
const user = `lua-diff-${randomBytes(6).toString('hex')}`;
const password = randomBytes(12).toString('hex');
/** `noscript` per command name and per `container|subcommand`, from COMMAND INFO. */
const noscript = new Map<string, boolean>();

const connect = async (db: number, extra: Record<string, unknown> = {}): Promise<Redis> => {
  const client = new Redis(server.url, { ...extra, db, lazyConnect: true });
  opened.push(client);
  await client.connect();
  return client;
};

/** The name COMMAND INFO flags a line under: `name`, or `name|sub` for a container command. */
const infoName = ([name, sub]: Cmd): string => {
  const container = noscript.has(`${name}|${String(sub).toLowerCase()}`);
  return container ? `${name}|${String(sub).toLowerCase()}` : name;
};
/** Whether the server refuses the line inside a script (the `noscript` flag). */
const refusedInScripts = (cmd: Cmd): boolean => {
  const flagged = noscript.get(infoName(cmd));
  if (flagged === undefined) throw new Error(`COMMAND INFO does not know ${label(cmd)}`);
  return flagged;
};

/** ioredis turns an HGETALL reply into an object, EVAL's reply stays the flat array the server sent: compare the flat form. */
const flat = (reply: unknown): unknown =>
  reply !== null && typeof reply === 'object' && !Array.isArray(reply) && !(reply instanceof Error) ? Object.entries(reply).flat() : reply;

async function runList(view: Redis, list: readonly Cmd[], how: 'direct' | 'lua'): Promise<unknown[]> {
  const replies: unknown[] = [];
  for (const cmd of list) {
    const [name, ...args] = cmd;
    const sent = how === 'direct' ? view.call(name, ...args) : view.eval(SCRIPT, 0, ...cmd);
    replies.push(normalise(cmd, flat(await Promise.resolve(sent).catch((error: unknown) => error))));
  }
  return replies;
}

/** Every key of databases 11 and 13 with its type. */
async function keyspace(): Promise<string[]> {
  const describe = async (client: Redis, db: number): Promise<string[]> =>
    Promise.all((await client.keys('*')).sort().map(async (key) => `db${db} ${key} ${await client.type(key)}`));
  return [...(await describe(admin, 11)), ...(await describe(copies, 13))];
}
const fresh = async (): Promise<void> => {
  await Promise.all([admin.flushdb(), copies.flushdb()]);
};

beforeAll(async () => {
  server = await startRedisServer();
  [admin, copies] = await Promise.all([connect(11), connect(13)]);
  await copies.set('dump-source', 'restored value');
  dump = await copies.dumpBuffer('dump-source');
  await admin.call('ACL', 'SETUSER', user, 'reset', 'on', `>${password}`, ...ACL_RULES);
  // COMMAND INFO of every command: [name, arity, flags, first, last, step, categories, tips, key specs, subcommands].
  const info = (await admin.call('COMMAND', 'INFO')) as unknown[][];
  for (const entry of info) {
    noscript.set(String(entry[0]), (entry[2] as string[]).includes('noscript'));
    for (const sub of (entry[9] ?? []) as unknown[][]) noscript.set(String(sub[0]), (sub[2] as string[]).includes('noscript'));
  }
}, 30_000);

afterAll(async () => {
  for (const client of opened) client.disconnect();
  await server?.stop();
});

/** The shared list, less the SORT BY/GET lines Redis refuses to a user without access to every key (as in the adapters' ACL runs). */
const aclList = (k: (name: string) => string): Cmd[] => commandList(k, dump).filter((cmd) => !readsSortPatterns(cmd));

describe('the differential command list inside Lua, through an isolated view, as a user limited to ~mcp2:* &mcp2:*', () => {
  it('the commands left out are exactly those the server refuses inside a script', async () => {
    const list = aclList((name) => PREFIX + name);
    const excluded = list.filter(refusedInScripts);
    const excludedNames = [...new Set(excluded.map(infoName))].sort();
    // Blocking pops with a noscript flag, the scripting commands themselves: what COMMAND INFO says of 7.x.
    expect(excludedNames.length).toBeGreaterThan(0);
    expect(list.length - excluded.length).toBeGreaterThan(100);
    for (const cmd of excluded) {
      await expect(admin.eval(SCRIPT, 0, ...cmd), label(cmd)).rejects.toThrow(NOT_ALLOWED);
    }
    // And the filter leaves nothing in that the server refuses: the raw default user runs every other line inside a script.
    await fresh();
    const refused: string[] = [];
    for (const cmd of list.filter((line) => !refusedInScripts(line))) {
      await admin.eval(SCRIPT, 0, ...cmd).catch((error: Error) => {
        if (NOT_ALLOWED.test(error.message)) refused.push(label(cmd));
      });
    }
    expect(refused).toEqual([]);
    console.info(`inside Lua: ${list.length - excluded.length} lines; left out (noscript): ${excludedNames.join(', ')}`);
  });

  const MODES = [
    { mode: 'prefix', k: (name: string) => name },
    { mode: 'strict', k: (name: string) => PREFIX + name },
  ] as const;

  it.each(MODES)('$mode mode: each command gives the same reply inside EVAL as sent directly, and the runs leave the same keys', async ({ mode, k }) => {
    const client = await connect(11, { username: user, password });
    const view = createIsolatedRedis({ namespace: 'mcp2', namespaces: NAMESPACES, mode, client });
    const list = aclList(k).filter((cmd) => !refusedInScripts(cmd));

    await fresh();
    const want = await runList(view, list, 'direct');
    const directKeys = await keyspace();
    expect(directKeys.length).toBeGreaterThan(30);
    expect(directKeys.every((entry) => entry.split(' ')[1]?.startsWith(PREFIX))).toBe(true);

    await fresh();
    const got = await runList(view, list, 'lua');
    expect.soft(await keyspace(), 'keys left by the run inside Lua').toEqual(directKeys);
    expectSameReplies(list, got, want);
  });
});
