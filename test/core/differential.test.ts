import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { describeCommand } from '../../src/index.js';
import { buildArguments, decodeArgument, flatMap, type DocArgument } from '../support/command-lines.js';

/**
 * The server is the reference: for every command of its COMMAND list that has key specs, we
 * build command lines from its COMMAND DOCS and compare the keys our table finds with what
 * COMMAND GETKEYS says. Hand-written lines add the forms the generated ones do not reach.
 */

interface ServerCommand {
  readonly name: string;
  readonly keyed: boolean;
  /** Every key spec is flagged not_key: the "keys" are shard channels (SPUBLISH...). */
  readonly channelsOnly: boolean;
}

const HAND_WRITTEN: readonly string[][] = [
  ['ZUNIONSTORE', 'd', '2', 'a', 'b', 'WEIGHTS', '1', '2'],
  ['ZINTERSTORE', 'd', '3', 'a', 'b', 'c', 'AGGREGATE', 'MAX'],
  ['ZDIFFSTORE', 'd', '2', 'a', 'b'],
  ['ZUNION', '2', 'a', 'b', 'WITHSCORES'],
  ['ZINTERCARD', '2', 'a', 'b', 'LIMIT', '1'],
  ['SINTERCARD', '2', 'a', 'b'],
  ['EVAL', 'return 1', '2', 'k1', 'k2', 'a'],
  ['EVALSHA', 'abc', '0', 'x'],
  ['EVAL_RO', 'return 1', '1', 'k'],
  ['FCALL', 'f', '1', 'k', 'arg'],
  ['FCALL_RO', 'f', '2', 'k1', 'k2'],
  ['LMPOP', '2', 'a', 'b', 'LEFT'],
  ['BLMPOP', '0', '2', 'a', 'b', 'LEFT', 'COUNT', '3'],
  ['ZMPOP', '2', 'a', 'b', 'MIN'],
  ['BZMPOP', '1', '1', 'a', 'MAX'],
  ['XREAD', 'COUNT', '1', 'STREAMS', 's1', 's2', '0', '0'],
  ['XREAD', 'BLOCK', '0', 'STREAMS', 'STREAMS', '0'],
  ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '1', 'BLOCK', '10', 'NOACK', 'STREAMS', 'a', 'b', '>', '>'],
  ['GEORADIUS', 'k', '0', '0', '1', 'm', 'STORE', 'd'],
  ['GEORADIUS', 'k', '0', '0', '1', 'm', 'COUNT', '2', 'ANY', 'STOREDIST', 'd'],
  ['GEORADIUSBYMEMBER', 'k', 'm', '1', 'km', 'STORE', 'd'],
  ['GEORADIUSBYMEMBER', 'k', 'm', '1', 'km', 'STORE', 'd1', 'STOREDIST', 'd2'],
  ['MIGRATE', 'h', '1', '', '0', '5000', 'KEYS', 'a', 'b'],
  ['MIGRATE', 'h', '1', '', '0', '5000', 'COPY', 'REPLACE', 'AUTH2', 'u', 'p', 'KEYS', 'a'],
  ['MIGRATE', 'h', '1', 'k', '0', '5000', 'AUTH', 'KEYS'],
  ['SORT', 'l', 'BY', 'w_*', 'GET', '#', 'GET', 'o_*->f', 'STORE', 'd'],
  ['SORT', 'l', 'LIMIT', '0', '1', 'ALPHA', 'DESC'],
  ['SORT_RO', 'l', 'BY', 'w_*', 'GET', 'o_*'],
  ['SET', 'k', 'v', 'NX', 'GET', 'EX', '10'],
  ['BITFIELD', 'k', 'GET', 'u8', '0', 'SET', 'u8', '0', '1'],
  ['BITFIELD_RO', 'k', 'GET', 'u8', '0'],
  ['OBJECT', 'ENCODING', 'k'],
  ['MEMORY', 'USAGE', 'k', 'SAMPLES', '0'],
  ['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'],
  ['XGROUP', 'CREATECONSUMER', 's', 'g', 'c'],
  ['XINFO', 'STREAM', 's', 'FULL'],
  ['XINFO', 'CONSUMERS', 's', 'g'],
  ['MSET', 'a', '1', 'b', '2', 'c', '3'],
  ['MSETNX', 'a', '1', 'b', '2'],
  ['COPY', 'a', 'b', 'DB', '1', 'REPLACE'],
  ['LCS', 'a', 'b', 'LEN'],
  ['BLMOVE', 'a', 'b', 'LEFT', 'RIGHT', '0'],
  ['BITOP', 'AND', 'd', 'a', 'b'],
  ['PFMERGE', 'd', 'a', 'b'],
  ['GEOSEARCHSTORE', 'd', 's', 'FROMMEMBER', 'm', 'BYRADIUS', '1', 'm', 'STOREDIST'],
  ['RENAME', 'a', 'b'],
  ['SMOVE', 'a', 'b', 'm'],
  ['WATCH', 'a', 'b', 'c'],
  ['DEL', 'a', 'b', 'c'],
  ['BLPOP', 'a', 'b', '0'],
  ['BZPOPMIN', 'a', 'b', '0'],
];

let redis: Redis;
let serverCommands: ServerCommand[];
let docs: Map<string, readonly DocArgument[]>;

function decodeCommands(reply: unknown[]): ServerCommand[] {
  const out: ServerCommand[] = [];
  for (const entry of reply as unknown[][]) {
    const specs = (entry[8] as unknown[]).map(flatMap);
    const channelsOnly = specs.length > 0 && specs.every((spec) => (spec.flags as string[]).includes('not_key'));
    out.push({ name: String(entry[0]), keyed: specs.length > 0, channelsOnly });
    if (Array.isArray(entry[9])) out.push(...decodeCommands(entry[9] as unknown[]));
  }
  return out;
}

function decodeDocs(reply: unknown[], into: Map<string, readonly DocArgument[]>): void {
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const doc = flatMap(reply[i + 1]);
    into.set(String(reply[i]), Array.isArray(doc.arguments) ? doc.arguments.map(decodeArgument) : []);
    if (Array.isArray(doc.subcommands)) decodeDocs(doc.subcommands, into);
  }
}

/** The keys of `argv` per the server, or undefined when it refuses the line. */
async function serverKeys(argv: readonly string[]): Promise<string[] | undefined> {
  try {
    return ((await redis.call('COMMAND', 'GETKEYS', ...argv)) as Buffer[] | string[]).map(String);
  } catch (error) {
    if (/no key arguments/i.test((error as Error).message)) return [];
    return undefined;
  }
}

function ourKeys(argv: readonly string[]): string[] {
  const description = describeCommand(argv);
  return description.keys.map((position) => argv[position] as string);
}

/** Command lines for a server command name (`object|encoding`), generated from its docs. */
function linesFor(name: string): string[][] {
  const words = name.split('|').map((word) => word.toUpperCase());
  const args = docs.get(name) ?? [];
  return [buildArguments(args, false), buildArguments(args, true)].map((rest) => [...words, ...rest]);
}

beforeAll(async () => {
  redis = new Redis(inject('redisUrl'), { lazyConnect: true });
  await redis.connect();
  serverCommands = decodeCommands((await redis.call('COMMAND')) as unknown[]);
  docs = new Map();
  decodeDocs((await redis.call('COMMAND', 'DOCS')) as unknown[], docs);
});

afterAll(() => redis.disconnect());

describe(`key positions against redis-server ${inject('redisVersion')} COMMAND GETKEYS`, () => {
  it('agrees on every keyed command of the server', async () => {
    const keyed = serverCommands.filter((command) => command.keyed);
    const covered = new Set<string>();
    const mismatches: string[] = [];
    const unchecked: string[] = [];

    for (const command of keyed) {
      const descriptions = linesFor(command.name).map((argv) => describeCommand(argv));
      const refusal = descriptions.find((d) => d.status === 'unknown' || d.status === 'blocked');
      if (refusal && descriptions.every((d) => d.status !== 'allowed')) {
        mismatches.push(`${command.name}: our table says ${refusal.status} (${refusal.reason ?? ''})`);
        continue;
      }
      for (const argv of linesFor(command.name)) {
        const expected = await serverKeys(argv);
        if (expected === undefined) continue;
        const ours = describeCommand(argv);
        if (ours.status !== 'allowed') continue;
        if (command.channelsOnly) {
          // SPUBLISH/SSUBSCRIBE/SUNSUBSCRIBE: Redis flags these "keys" not_key; they are channels to us.
          expect(expected, argv.join(' ')).toEqual([]);
          if (ours.channels.length === 0) mismatches.push(`${argv.join(' ')}: no channel found`);
        } else if (JSON.stringify(ourKeys(argv)) !== JSON.stringify(expected)) {
          mismatches.push(`${argv.join(' ')}: server ${JSON.stringify(expected)}, ours ${JSON.stringify(ourKeys(argv))}`);
        }
        covered.add(command.name);
      }
      if (!covered.has(command.name)) unchecked.push(command.name);
    }

    console.log(
      `differential: ${covered.size} of ${keyed.length} keyed commands of redis-server ${inject('redisVersion')} ` +
        `(${serverCommands.length} commands and subcommands in all) checked against COMMAND GETKEYS`,
    );
    expect(mismatches).toEqual([]);
    expect(unchecked).toEqual([]);
    expect(covered.size).toBe(keyed.length);
  });

  it.each(HAND_WRITTEN.map((argv) => [argv.join(' '), argv] as const))('agrees on %s', async (_, argv) => {
    const expected = await serverKeys(argv);
    expect(expected, 'the server refused this line').toBeDefined();
    expect(describeCommand(argv).status).toBe('allowed');
    expect(ourKeys(argv)).toEqual(expected);
  });

  it('finds the SORT BY/GET patterns the server does not report as keys', () => {
    const argv = ['SORT', 'l', 'BY', 'w_*', 'GET', '#', 'GET', 'o_*->f', 'STORE', 'd'];
    expect(describeCommand(argv)).toMatchObject({ keys: [1, 9], sortPatterns: [3, 5, 7] });
  });

  it('finds the channels of the sharded pub/sub commands', () => {
    expect(describeCommand(['SPUBLISH', 'c', 'm']).channels).toEqual([1]);
    expect(describeCommand(['SSUBSCRIBE', 'a', 'b']).channels).toEqual([1, 2]);
    expect(describeCommand(['SUNSUBSCRIBE', 'a']).channels).toEqual([1]);
  });
});
