import fc from 'fast-check';

/**
 * The attacker's programs, as plain data: fast-check prints a failing program as it is, and each
 * driver's executor (`ioredis-driver.ts`, `node-redis-driver.ts`) turns a step into calls of its
 * API. Every key of the attacker carries the hash tag `{t}`, so multi-key commands, pipelines and
 * transactions stay in one Cluster slot (the victims' keys carry it too: on a Cluster they share
 * the attacker's node and its connection).
 */

/** A command line as the attacker passes it: name first. */
export type Argv = readonly string[];

/** The victims' keys (un-prefixed, as the victims name them). */
export const VICTIM_KEYS = { value: '{t}:v', list: '{t}:l', counter: '{t}:c', secret: '{t}:secret', probe: '{t}:probe' } as const;
/** The victims' namespaces, and the secret each keeps at `<ns>:{t}:secret`. */
export const VICTIMS = ['celery', 'journal'] as const;
export type VictimName = (typeof VICTIMS)[number];
export const NAMESPACES = ['mcp2', 'celery', 'journal'];
export const secretOf = (ns: VictimName): string => `${ns.toUpperCase()}-SECRET`;

/** What a mutated argument turns into after the call returned: a command line that would read or wipe another namespace. */
export const MUTATION_TARGETS: readonly Argv[] = [['GET', `celery:${VICTIM_KEYS.secret}`], ['RANDOMKEY'], ['FLUSHDB']];

const ownKey = fc.constantFrom('{t}:a', '{t}:b', '{t}:l', '{t}:h', '{t}:s', '{t}:x', '{t}:q');
/** Keys the guard must refuse: another namespace's, the own prefix twice. */
const foreignKey = fc.constantFrom(`celery:${VICTIM_KEYS.secret}`, `journal:${VICTIM_KEYS.value}`, 'mcp2:{t}:a');
const key = fc.oneof({ weight: 6, arbitrary: ownKey }, { weight: 1, arbitrary: foreignKey });
/** Values never name another namespace: a victim's marker in an attacker reply is a leak. */
const value = fc.constantFrom('x', '1', '42', '', 'mcp2:looks-like-a-key', 'QUEUED', 'OK');
const channel = fc.constantFrom('news', 'n2', 'celery:ch', '__keyspace@0__:x');
const pattern = fc.constantFrom('*', 'n*', 'celery:*', '{t}:*');
const blockSeconds = '0.05';
const blockMillis = '50';

/** Command lines a typed method or a raw call may carry: stateless ones, both allowed and refused. */
const plainArgv: fc.Arbitrary<Argv> = fc.oneof(
  fc.tuple(fc.constant('SET'), key, value),
  fc.tuple(fc.constant('GET'), key),
  fc.tuple(fc.constant('LPUSH'), key, value),
  fc.tuple(fc.constant('RPUSH'), key, value),
  fc.tuple(fc.constant('LRANGE'), key, fc.constant('0'), fc.constant('-1')),
  fc.tuple(fc.constant('HSET'), key, fc.constant('f'), value),
  fc.tuple(fc.constant('HGETALL'), key),
  fc.tuple(fc.constant('INCR'), key),
  fc.tuple(fc.constant('DEL'), key),
  fc.tuple(fc.constant('EXISTS'), key),
  fc.tuple(fc.constant('SADD'), key, value),
  fc.tuple(fc.constant('SMEMBERS'), key),
  fc.tuple(fc.constant('EXPIRE'), key, fc.constant('100')),
  fc.tuple(fc.constant('XADD'), key, fc.constant('*'), fc.constant('f'), value),
  fc.tuple(fc.constant('MGET'), key, key),
  fc.tuple(fc.constant('KEYS'), pattern),
  fc.tuple(fc.constant('SCAN'), fc.constant('0'), fc.constant('MATCH'), pattern),
  fc.tuple(fc.constant('ECHO'), fc.constant('hi')),
  fc.tuple(fc.constant('PING')),
  fc.tuple(fc.constant('PUBLISH'), channel, value),
  fc.tuple(fc.constant('EVAL'), fc.constant("return redis.call('GET', KEYS[1])"), fc.constant('1'), key),
  fc.tuple(fc.constant('EVAL'), fc.constant("return redis.call('SET', KEYS[1], ARGV[1])"), fc.constant('1'), key, value),
);

/** Command lines that change or hold connection state, act on the whole server, or are unknown. */
const stateArgv: fc.Arbitrary<Argv> = fc.constantFrom<Argv>(
  ['FLUSHDB'], ['FLUSHALL'], ['RANDOMKEY'], ['DBSIZE'], ['KEYS', 'celery:*'], ['GET', `celery:${VICTIM_KEYS.secret}`],
  ['NOSUCHCOMMAND', 'x'], ['SELECT', '1'], ['RESET'], ['HELLO', '3'], ['CLIENT', 'REPLY', 'OFF'], ['MONITOR'],
  ['MULTI'], ['EXEC'], ['DISCARD'], ['WATCH', '{t}:a'], ['UNWATCH'], ['QUIT'],
  ['CLIENT', 'TRACKING', 'on'], ['CLIENT', 'TRACKING', 'on', 'BCAST'], ['CLIENT', 'SETNAME', 'attacker'], ['CLIENT', 'GETNAME'],
  ['CLIENT', 'LIST'], ['CLIENT', 'INFO'], ['CLIENT', 'NO-EVICT', 'on'], ['WAIT', '0', '0'], ['READONLY'],
  ['SUBSCRIBE', 'news'], ['UNSUBSCRIBE'], ['PSUBSCRIBE', 'n*'], ['PUNSUBSCRIBE'],
  ['BLPOP', '{t}:q', blockSeconds], ['XREAD', 'BLOCK', blockMillis, 'STREAMS', '{t}:x', '$'],
);

const anyArgv = fc.oneof({ weight: 3, arbitrary: plainArgv }, { weight: 2, arbitrary: stateArgv });

/** Typed methods the executors know (neutral names; each driver maps them to its own method). */
export type TypedName =
  | 'set' | 'get' | 'hset' | 'hgetall' | 'lpush' | 'lrange' | 'keys' | 'scan' | 'incr' | 'del' | 'mget' | 'sadd'
  | 'smembers' | 'xadd' | 'publish' | 'ping' | 'echo' | 'eval' | 'watch' | 'unwatch' | 'randomkey' | 'flushdb'
  | 'clientList' | 'clientSetName' | 'clientTracking' | 'wait';

const typedCall: fc.Arbitrary<{ readonly name: TypedName; readonly args: readonly string[] }> = fc.oneof(
  fc.record({ name: fc.constant<TypedName>('set'), args: fc.tuple(key, value) }),
  fc.record({ name: fc.constant<TypedName>('get'), args: fc.tuple(key) }),
  fc.record({ name: fc.constant<TypedName>('hset'), args: fc.tuple(key, fc.constant('f'), value) }),
  fc.record({ name: fc.constant<TypedName>('hgetall'), args: fc.tuple(key) }),
  fc.record({ name: fc.constant<TypedName>('lpush'), args: fc.tuple(key, value) }),
  fc.record({ name: fc.constant<TypedName>('lrange'), args: fc.tuple(key, fc.constant('0'), fc.constant('-1')) }),
  fc.record({ name: fc.constant<TypedName>('keys'), args: fc.tuple(pattern) }),
  fc.record({ name: fc.constant<TypedName>('scan'), args: fc.tuple(pattern) }),
  fc.record({ name: fc.constant<TypedName>('incr'), args: fc.tuple(key) }),
  fc.record({ name: fc.constant<TypedName>('del'), args: fc.tuple(key) }),
  fc.record({ name: fc.constant<TypedName>('mget'), args: fc.tuple(key, key) }),
  fc.record({ name: fc.constant<TypedName>('sadd'), args: fc.tuple(key, value) }),
  fc.record({ name: fc.constant<TypedName>('smembers'), args: fc.tuple(key) }),
  fc.record({ name: fc.constant<TypedName>('xadd'), args: fc.tuple(key, value) }),
  fc.record({ name: fc.constant<TypedName>('publish'), args: fc.tuple(channel, value) }),
  fc.record({ name: fc.constant<TypedName>('ping'), args: fc.constant([]) }),
  fc.record({ name: fc.constant<TypedName>('echo'), args: fc.constant(['hi']) }),
  fc.record({ name: fc.constant<TypedName>('eval'), args: fc.tuple(key) }),
  fc.record({ name: fc.constant<TypedName>('watch'), args: fc.tuple(key) }),
  fc.record({ name: fc.constant<TypedName>('unwatch'), args: fc.constant([]) }),
  fc.record({ name: fc.constant<TypedName>('randomkey'), args: fc.constant([]) }),
  fc.record({ name: fc.constant<TypedName>('flushdb'), args: fc.constant([]) }),
  fc.record({ name: fc.constant<TypedName>('clientList'), args: fc.constant([]) }),
  fc.record({ name: fc.constant<TypedName>('clientSetName'), args: fc.constant(['attacker']) }),
  fc.record({ name: fc.constant<TypedName>('clientTracking'), args: fc.constant([]) }),
  fc.record({ name: fc.constant<TypedName>('wait'), args: fc.constant([]) }),
);

/** One entry of a batch: a typed call, a raw command line, or a transaction frame placed anywhere. */
export type BatchEntry =
  | { readonly kind: 'typed'; readonly name: TypedName; readonly args: readonly string[] }
  | { readonly kind: 'raw'; readonly argv: Argv }
  /** `call`: `call('multi')` / `addCommand(['MULTI'])`; `method`: the batch's own `multi()` / `exec()` ... where it has one. */
  | { readonly kind: 'frame'; readonly frame: 'multi' | 'exec' | 'discard' | 'watch' | 'unwatch'; readonly via: 'call' | 'method' };

const batchEntry: fc.Arbitrary<BatchEntry> = fc.oneof(
  { weight: 3, arbitrary: typedCall.filter((c) => !['watch', 'unwatch', 'wait'].includes(c.name)).map((c) => ({ kind: 'typed' as const, ...c })) },
  { weight: 3, arbitrary: anyArgv.map((argv) => ({ kind: 'raw' as const, argv })) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('frame' as const),
      frame: fc.constantFrom('multi' as const, 'exec' as const, 'discard' as const, 'watch' as const, 'unwatch' as const),
      via: fc.constantFrom('call' as const, 'method' as const),
    }),
  },
);

/** One step of an attacker program. */
export type Step =
  | { readonly kind: 'typed'; readonly name: TypedName; readonly args: readonly string[] }
  /** `call`/`callBuffer` (ioredis) or `sendCommand` (node-redis); `buffers`: every argument a Buffer. */
  | { readonly kind: 'raw'; readonly argv: Argv; readonly buffers: boolean }
  /** A raw call whose argument array (or Buffer bytes) is overwritten with `into` right after the call returned. */
  | { readonly kind: 'mutated'; readonly argv: Argv; readonly into: Argv; readonly buffers: boolean }
  | {
      readonly kind: 'batch';
      readonly batch: 'pipeline' | 'multi';
      readonly form: 'chained' | 'array';
      readonly entries: readonly BatchEntry[];
      /** node-redis: `exec()` or `execAsPipeline()` (ioredis: always `exec()`). */
      readonly exec: 'exec' | 'execAsPipeline';
    }
  | { readonly kind: 'subscribe'; readonly op: 'subscribe' | 'psubscribe' | 'unsubscribe' | 'punsubscribe'; readonly targets: readonly string[] }
  /** BLPOP 0.05 / XREAD BLOCK 50, typed or raw; a victim probe runs meanwhile and must not wait for it. */
  | { readonly kind: 'blocking'; readonly command: 'blpop' | 'xread'; readonly typed: boolean }
  | { readonly kind: 'close'; readonly method: 'quit' | 'disconnect' | 'close' | 'destroy' };

export const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: typedCall.map((c) => ({ kind: 'typed' as const, ...c })) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('raw' as const), argv: anyArgv, buffers: fc.boolean() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('mutated' as const),
      argv: fc.constantFrom<Argv>(['ECHO', 'hi'], ['PING'], ['GET', '{t}:a'], ['SET', '{t}:a', 'x'], ['LRANGE', '{t}:l', '0', '-1'], ['EXISTS', '{t}:a']),
      into: fc.constantFrom(...MUTATION_TARGETS),
      buffers: fc.constant(false),
    }),
  },
  {
    // Buffer bytes are overwritten in place, so the pairs have the same lengths.
    weight: 1,
    arbitrary: fc.constantFrom<Step>(
      { kind: 'mutated', argv: ['ECHO', 'h'], into: ['KEYS', '*'], buffers: true },
      { kind: 'mutated', argv: ['ECHO', 'xxxxxx:{t}:secret'], into: ['DUMP', `celery:${VICTIM_KEYS.secret}`], buffers: true },
      { kind: 'mutated', argv: ['ECHO', 'xxxxxx:{t}:secret'], into: ['ECHO', `celery:${VICTIM_KEYS.secret}`], buffers: true },
      { kind: 'mutated', argv: ['EXISTS', 'xxxxxx:{t}:secret'], into: ['EXISTS', `celery:${VICTIM_KEYS.secret}`], buffers: true },
    ),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('batch' as const),
      batch: fc.constantFrom('pipeline' as const, 'multi' as const),
      form: fc.constantFrom('chained' as const, 'array' as const),
      entries: fc.array(batchEntry, { minLength: 0, maxLength: 6 }),
      exec: fc.constantFrom('exec' as const, 'execAsPipeline' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('subscribe' as const),
      op: fc.constantFrom('subscribe' as const, 'psubscribe' as const, 'unsubscribe' as const, 'punsubscribe' as const),
      targets: fc.array(fc.oneof(channel, pattern), { maxLength: 2 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('blocking' as const), command: fc.constantFrom('blpop' as const, 'xread' as const), typed: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), method: fc.constantFrom('quit' as const, 'disconnect' as const, 'close' as const, 'destroy' as const) }) },
);

/** A program: 1 to 8 steps, run one after the other by the attacker. */
export const programArbitrary: fc.Arbitrary<readonly Step[]> = fc.array(stepArbitrary, { minLength: 1, maxLength: 8 });

/** The blocking command lines of a `blocking` step. */
export const BLOCKING_ARGV: Readonly<Record<'blpop' | 'xread', Argv>> = {
  blpop: ['BLPOP', '{t}:q', blockSeconds],
  xread: ['XREAD', 'BLOCK', blockMillis, 'STREAMS', '{t}:x', '$'],
};
export const BLOCK_MS = Number(blockMillis);

/**
 * Overwrites the caller's command line in place with `into`: a Buffer's bytes where the element
 * is a Buffer (same length), else the array's elements (and its length).
 */
export function mutateInPlace(target: unknown[], into: Argv): void {
  if (target.length > 0 && target.every((arg) => Buffer.isBuffer(arg))) {
    target.forEach((arg, i) => (arg as Buffer).write((into[i] ?? '').padEnd((arg as Buffer).length, ' ')));
    return;
  }
  target.length = 0;
  target.push(...into);
}
