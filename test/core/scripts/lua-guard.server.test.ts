import { Redis } from 'ioredis';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createGuard, IsolationError, type NamespaceGuard, type RedisArg } from '../../../src/index.js';
import { BUILTIN_COMMANDS } from '../../../src/core/command-table.js';
import { CUSTOM_RULES } from '../../../src/core/locators.js';
import { LUA_LOCATORS } from '../../../src/core/scripts/lua-command-table.js';
import { buildArguments, decodeArgument, flatMap, type DocArgument } from '../../support/command-lines.js';

/**
 * The Lua guard against the client-side guard, on the real server: for every command line, what
 * `redis.confine(...)` inside a wrapped script would send equals what the client-side guard sends,
 * or both refuse it with the same code. The Lua side is generated from the same command table;
 * this is where a difference would show.
 */

const namespaces = ['mcp2', 'celery', 'journal'];
const guards: Record<string, NamespaceGuard> = {
  prefix: createGuard({ namespace: 'mcp2', namespaces, families: ['tenant-*'] }),
  strict: createGuard({ namespace: 'mcp2', namespaces, families: ['tenant-*'], mode: 'strict' }),
};

let redis: Redis;
let docs: Map<string, readonly DocArgument[]>;
/** Commands the server never runs from a script (COMMAND INFO flag `noscript`). */
let noscript: Set<string>;

function decodeDocs(reply: unknown[], into: Map<string, readonly DocArgument[]>): void {
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const doc = flatMap(reply[i + 1]);
    into.set(String(reply[i]), Array.isArray(doc.arguments) ? doc.arguments.map(decodeArgument) : []);
    if (Array.isArray(doc.subcommands)) decodeDocs(doc.subcommands, into);
  }
}

function collectNoscript(reply: unknown[], into: Set<string>): void {
  for (const entry of reply as unknown[][]) {
    if ((entry[2] as unknown[]).map(String).includes('noscript')) into.add(String(entry[0]));
    if (Array.isArray(entry[9])) collectNoscript(entry[9] as unknown[], into);
  }
}

const CONFINE = 'return { redis.confine(unpack(ARGV)) }';

type Verdict = { sent: string[] } | { refused: string };

/** What the Lua guard of `guard`'s namespace sends for `argv`, or the code it refuses it with. */
async function luaVerdict(guard: NamespaceGuard, argv: readonly string[]): Promise<Verdict> {
  try {
    const sent = (await redis.call('EVAL', guard.scripts?.wrapScript(CONFINE) as string, '0', ...argv)) as unknown[];
    return { sent: (Array.isArray(sent) ? sent : []).map(String) };
  } catch (error) {
    const code = /^(ERR_[A-Z_]+) /.exec((error as Error).message)?.[1];
    if (code === undefined) throw error;
    return { refused: code };
  }
}

function clientVerdict(guard: NamespaceGuard, argv: readonly string[]): Verdict {
  try {
    return { sent: (guard.rewriteArgv(argv) as RedisArg[]).map(String) };
  } catch (error) {
    if (!(error instanceof IsolationError)) throw error;
    return { refused: error.code };
  }
}

/**
 * Differences that are the design: the Lua guard refuses, as unknown, the commands the server
 * never runs from a script (they have no Lua locator); and a name that already carries the
 * prefix, which the client-side guard refuses as a double prefix, is kept inside a script.
 */
function explained(argv: readonly string[], lua: Verdict, client: Verdict): boolean {
  if ('refused' in client && client.refused === 'ERR_DOUBLE_PREFIX') return true;
  if (!('refused' in lua) || lua.refused !== 'ERR_UNKNOWN_COMMAND') return false;
  const name = argv[0]?.toLowerCase() ?? '';
  const sub = `${name}|${argv[1]?.toLowerCase() ?? ''}`;
  const custom = CUSTOM_RULES[sub] !== undefined ? sub : name;
  return (noscript.has(name) || noscript.has(sub)) && LUA_LOCATORS[custom] === undefined;
}

beforeAll(async () => {
  redis = new Redis(inject('redisUrl'), { lazyConnect: true });
  await redis.connect();
  docs = new Map();
  decodeDocs((await redis.call('COMMAND', 'DOCS')) as unknown[], docs);
  noscript = new Set();
  collectNoscript((await redis.call('COMMAND')) as unknown[], noscript);
});

afterAll(() => redis.disconnect());

describe('the Lua guard places what the client-side guard places', () => {
  it('every custom rule of a command scripts may run has a Lua form', () => {
    const missing = Object.keys(CUSTOM_RULES).filter((name) => LUA_LOCATORS[name] === undefined && !noscript.has(name) && docs.has(name));
    expect(missing).toEqual([]);
  });

  it.each(Object.keys(guards))('for command lines built from COMMAND DOCS of every command (%s mode)', async (mode) => {
    const guard = guards[mode] as NamespaceGuard;
    const differences: string[] = [];
    let compared = 0;
    for (const [name, args] of docs) {
      const words = name.split('|').map((word) => word.toUpperCase());
      for (const full of [false, true]) {
        for (const style of ['plain', 'own', 'other'] as const) {
          const rest = buildArguments(args, full).map((arg) => (style === 'plain' ? arg : style === 'own' ? `mcp2:${arg}` : `celery:${arg}`));
          const argv = [...words, ...rest];
          const [lua, client] = [await luaVerdict(guard, argv), clientVerdict(guard, argv)];
          compared++;
          if (explained(argv, lua, client)) continue;
          if (JSON.stringify(lua) !== JSON.stringify(client)) differences.push(`${argv.join(' ')}: lua ${JSON.stringify(lua)}, client ${JSON.stringify(client)}`);
        }
      }
    }
    expect(compared).toBeGreaterThan(1000);
    expect(differences).toEqual([]);
  });

  it('for random command lines of every command of the table, in both modes', async () => {
    const names = BUILTIN_COMMANDS.names();
    const subcommandsOf = (name: string): string[] => {
      const spec = BUILTIN_COMMANDS.get(name);
      return spec?.kind === 'container' ? spec.subcommands.names() : [];
    };
    const word = fc.oneof(
      fc.constantFrom('k', 'mcp2:k', 'celery:k', 'tenant-7:k', 'x:y', '__keyspace@0__:k', '*', 'mcp2:*', '#', 'w_*', ''),
      fc.constantFrom('0', '1', '2', '3', 'STREAMS', 'STORE', 'STOREDIST', 'BY', 'GET', 'KEYS', 'MATCH', 'LIMIT', 'COUNT', 'AUTH', 'AUTH2', 'GROUP', 'STORE\0x', 'match'),
    );
    const line = fc.constantFrom(...names).chain((name) => {
      const subs = subcommandsOf(name);
      const head = subs.length > 0 ? fc.constantFrom(...subs).map((sub) => [sub.toUpperCase()]) : fc.constant([] as string[]);
      return fc.tuple(fc.constant(name.toUpperCase()), head, fc.array(word, { maxLength: 8 }), fc.constantFrom(...Object.keys(guards)));
    });
    let allowed = 0;
    await fc.assert(
      fc.asyncProperty(line, async ([name, head, rest, mode]) => {
        const argv = [name, ...head, ...rest];
        const guard = guards[mode] as NamespaceGuard;
        const [lua, client] = [await luaVerdict(guard, argv), clientVerdict(guard, argv)];
        if (explained(argv, lua, client)) return;
        if ('sent' in client) allowed++;
        expect(lua, argv.join(' ')).toEqual(client);
      }),
      { numRuns: 1500, seed: 20261130 },
    );
    expect(allowed).toBeGreaterThan(150);
  });
});
