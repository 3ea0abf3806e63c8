/**
 * `npm run bench`: nanoseconds and bytes per guarded command, beside `@ioredis/commands`'
 * getKeyIndexes alone and beside the bare cost of building the rewritten arguments by hand.
 */
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { createGuard, type RedisArg } from '../src/index.js';
import { benchInstrumentation } from './instrument.js';
import { benchIoredis } from './ioredis.js';
import { benchNodeRedis } from './node-redis.js';
import { benchLint } from './lint.js';
import { report } from './measure.js';
import { benchNamespaces } from './namespaces.js';
import { benchScripts } from './scripts.js';

const require = createRequire(import.meta.url);
const { getKeyIndexes } = require('@ioredis/commands') as {
  getKeyIndexes: (name: string, args: unknown[], options?: { nameCaseInsensitive?: boolean }) => number[];
};

const namespaces = ['mcp2', 'celery', 'journal'];
const guard = createGuard({ namespace: 'mcp2', namespaces });
const strict = createGuard({ namespace: 'mcp2', namespaces, mode: 'strict' });

const cases: [label: string, command: string, args: RedisArg[]][] = [
  ['single-key  GET k', 'get', ['payload:1234']],
  ['single-key  SET k v EX 60', 'set', ['payload:1234', 'value', 'EX', '60']],
  ['single-key  HSET k f v (upper case)', 'HSET', ['user:1', 'name', 'ada']],
  ['multi-key   MGET 5 keys', 'mget', ['a', 'b', 'c', 'd', 'e']],
  ['multi-key   MSET 4 pairs', 'mset', ['a', '1', 'b', '2', 'c', '3', 'd', '4']],
  ['movable     ZUNIONSTORE d 2 a b WEIGHTS', 'zunionstore', ['d', '2', 'a', 'b', 'WEIGHTS', '1', '2']],
  ['movable     EVALSHA sha 2 k1 k2 arg', 'evalsha', ['e0e1f9fabfc9d4800c877a703b823ac0578ff831', '2', 'k1', 'k2', 'arg']],
  ['movable     XREAD COUNT 1 STREAMS s1 s2', 'xread', ['COUNT', '1', 'STREAMS', 's1', 's2', '0', '0']],
  ['pattern     SCAN 0 (adds MATCH)', 'scan', ['0']],
  ['keyless     PING', 'ping', []],
];

const strictGet: RedisArg[] = ['mcp2:payload:1234'];
const strictMget: RedisArg[] = ['mcp2:a', 'mcp2:b', 'mcp2:c', 'mcp2:d', 'mcp2:e'];
const replyKeys = Array.from({ length: 10 }, (_, i) => `mcp2:key:${i}`);
const blpopReply = ['mcp2:queue', 'job'];
const keysArgs: RedisArg[] = ['*'];
const blpopArgs: RedisArg[] = ['queue', '0'];
const getArgs: RedisArg[] = ['payload:1234'];

/** The guard's micro-benchmark: time and bytes per call. */
async function benchGuard(): Promise<void> {
  console.log('\nguard micro-benchmark: median of 7 rounds of 200k calls; bytes from the V8 sampling heap profiler over 200k calls');

  await report(
    'guard.rewrite, prefix mode',
    cases.map(([label, command, args]) => [label, () => guard.rewrite(command, args)] as const),
  );
  await report('guard.rewrite, strict mode (keys already prefixed: checked, not copied)', [
    ['single-key  GET mcp2:k', () => strict.rewrite('get', strictGet)],
    ['multi-key   MGET 5 keys', () => strict.rewrite('mget', strictMget)],
  ]);
  await report('guard.unprefixReply', [
    ['KEYS reply, 10 names', () => guard.unprefixReply('keys', keysArgs, replyKeys)],
    ['BLPOP reply', () => guard.unprefixReply('blpop', blpopArgs, blpopReply)],
    ['GET reply (names no key: returned as is)', () => guard.unprefixReply('get', getArgs, 'value')],
  ]);
  await report(
    'reference: @ioredis/commands getKeyIndexes alone (positions only: no checks, no rewrite)',
    cases.map(([label, command, args]) => [label, () => getKeyIndexes(command, args, { nameCaseInsensitive: true })] as const),
  );
  const { prefix } = guard;
  await report('reference: the rewritten arguments of GET k built by hand, nothing else (the floor)', [
    ['[prefix + args[0]]', () => [prefix + (getArgs[0] as string)]],
    ['args.slice(), then out[0] = prefix + args[0]', () => {
      const out = getArgs.slice();
      out[0] = prefix + (getArgs[0] as string);
      return out;
    }],
  ]);
}

/** The parts of the benchmark, by the name that selects them on the command line, in the order they run. */
const SECTIONS: Readonly<Record<string, () => Promise<void>>> = {
  guard: benchGuard,
  ioredis: benchIoredis,
  'node-redis': benchNodeRedis,
  instrument: benchInstrumentation,
  lint: benchLint,
  namespaces: benchNamespaces,
  scripts: benchScripts,
};

const selected = process.argv.slice(2);
const unknown = selected.filter((name) => !(name in SECTIONS));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.map((name) => JSON.stringify(name)).join(', ')}: choose among ${Object.keys(SECTIONS).join(', ')}`);
  process.exit(2);
}
console.log(`isolated-redis benchmarks: node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}`);
for (const [name, run] of Object.entries(SECTIONS)) {
  if (selected.length === 0 || selected.includes(name)) await run();
}
