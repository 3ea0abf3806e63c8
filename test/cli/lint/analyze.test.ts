import { describe, expect, it } from 'vitest';
import { KeyUsageAnalyzer } from '../../../src/cli/lint/analyze.js';
import { ModuleGraph } from '../../../src/cli/lint/module-graph.js';

const analyzer = new KeyUsageAnalyzer();
const findings = (code: string, fileName = '/virtual/file.ts') =>
  analyzer
    .analyze(code, { fileName, namespace: 'mcp2', layout: { namespaces: ['mcp2', 'celery'] } })
    .map((f) => `${f.line}:${f.column} ${f.rule}`);

describe('client detection', () => {
  it('follows typed parameters, parameter properties and pipelines of typed clients', () => {
    const code = [
      "import type { Redis } from 'ioredis';",
      "import type { RedisClientType } from 'redis';",
      'class Store {',
      '  constructor(private readonly redis: Redis) {}',
      "  read() { return this.redis.get('a'); }",
      '}',
      "export const f = (client: RedisClientType) => client.get('b');",
      "export const g = (r: Redis) => r.pipeline().get('c').exec();",
    ].join('\n');
    expect(findings(code)).toEqual(['5:34 unprefixed-key', '7:58 unprefixed-key', '8:49 unprefixed-key']);
  });

  it('reads typed clients as isolated ones (prefix mode) with typedClients: "isolated"', () => {
    const code = [
      "import type { Redis } from 'ioredis';",
      'class Store {',
      '  constructor(private readonly redis: Redis) {}',
      "  read() { return this.redis.get('a'); }",
      "  wrong() { return this.redis.get('celery:a'); }",
      "  twice() { return this.redis.get('mcp2:a'); }",
      '  wipe() { return this.redis.flushdb(); }',
      '}',
    ].join('\n');
    const run = (typedClients: 'raw' | 'isolated') =>
      analyzer
        .analyze(code, { fileName: '/virtual/store.ts', namespace: 'mcp2', layout: { namespaces: ['mcp2', 'celery'] }, typedClients })
        .map((f) => `${f.line} ${f.rule}`);
    expect(run('raw')).toEqual(['4 unprefixed-key', '5 cross-namespace-key', '7 blocked-command']);
    expect(run('isolated')).toEqual(['5 cross-namespace-key', '6 double-prefix', '7 blocked-command']);
  });

  it('judges SORT BY/GET patterns, and reads no callback or listener as a key or channel', () => {
    const code = [
      "import Redis from 'ioredis';",
      "import { createClient } from 'redis';",
      'const r = new Redis();',
      'const n = createClient();',
      "r.sort('mcp2:list', 'BY', 'weight_*', 'GET', '#', 'GET', 'mcp2:o_*->f');",
      "r.sort('mcp2:list', 'BY', 'nosort');",
      "r.sort('mcp2:list', 'BY', 'celery:w_*');",
      "r.del('mcp2:a', 'mcp2:b', (err: unknown) => err);",
      "r.subscribe('mcp2:ch', function (err: unknown) { return err; });",
      "n.subscribe('mcp2:ch', (message: string) => message, true);",
      "n.pSubscribe(['mcp2:*'], (message: string) => message);",
    ].join('\n');
    expect(findings(code)).toEqual(['3:11 raw-client', '4:11 raw-client', '5:27 unprefixed-key', '7:27 cross-namespace-key']);
  });

  it('recognises CommonJS requires of the drivers', () => {
    const code = ["const { createClient } = require('redis');", 'const c = createClient();', "c.get('k');"].join('\n');
    expect(findings(code, '/virtual/file.cjs')).toEqual(['2:11 raw-client', '3:7 unprefixed-key']);
  });

  it('ignores look-alikes: another library\'s createClient, objects with get/set, unknown receivers', () => {
    const code = [
      "import { createClient } from '@supabase/supabase-js';",
      "const db = createClient('url', 'key');",
      "db.from('t').select('*');",
      "const storage = { get: (k: string) => k };",
      "storage.get('k');",
      "declare const something: { del(k: string): void };",
      "something.del('k');",
    ].join('\n');
    expect(findings(code)).toEqual([]);
  });

  it('reads the namespace and mode of createIsolatedRedis calls, also on a namespace import', () => {
    const code = [
      "import * as ir from 'isolated-redis';",
      "import IORedis from 'ioredis';",
      "const celery = ir.createIsolatedRedis({ namespace: 'celery', client: new IORedis.Cluster([]) });",
      "celery.get('celery:x');",
      "celery.get('mcp2:x');",
    ].join('\n');
    expect(findings(code)).toEqual(['4:12 double-prefix', '5:12 cross-namespace-key']);
  });
});

describe('static prefixes', () => {
  it('resolves literals, constants, templates, concatenations and as-const objects; the rest is dynamic', () => {
    const code = [
      "import Redis from 'ioredis';",
      "import { createIsolatedRedis } from 'isolated-redis';",
      "const redis = createIsolatedRedis({ namespace: 'mcp2', mode: 'strict', client: new Redis() });",
      "const NS = 'mcp2';",
      'const PREFIX = `${NS}:`;',
      "const KEYS = { user: PREFIX + 'user' } as const;",
      'export async function f(id: string, make: () => string) {',
      '  await redis.get(`${PREFIX}a:${id}`);',
      '  await redis.get(KEYS.user);',
      "  await redis.get(NS + ':' + id);",
      '  await redis.get(`${id}:x`);',
      '  await redis.get(make());',
      "  await redis.get('mc' + id);",
      "  await redis.get('other' + id);",
      '}',
    ].join('\n');
    // Strict mode: keys must carry the prefix; an isolated client's guard checks the dynamic ones at run time.
    expect(findings(code)).toEqual(['14:19 unprefixed-key']);
  });

  it('warns about dynamic keys of raw clients, and about keys that cannot be placed statically', () => {
    const code = [
      "import { createClient } from 'redis';",
      'const c = createClient();',
      'export async function f(keys: string[], id: string) {',
      "  await c.eval('return 1', { keys, arguments: [] });",
      "  await c.zUnionStore('mcp2:d', keys);",
      "  await c.get('mc' + id);",
      '  await c.blPop(keys, 0);',
      '}',
    ].join('\n');
    // Counted key lists of unknown length leave NUMKEYS unknown: the warning points at the method.
    expect(findings(code)).toEqual(['2:11 raw-client', '4:11 dynamic-key', '5:11 dynamic-key', '6:15 dynamic-key', '7:17 dynamic-key']);
  });
});

describe('names and members', () => {
  it('resolves nested const objects, string enums, destructured constants and bracket calls', () => {
    const code = [
      "import Redis from 'ioredis';",
      'const r = new Redis();',
      "const KEYS = { user: { profile: 'mcp2:profile' }, other: 'celery:o' } as const;",
      "enum Prefix { Own = 'mcp2:', Other = 'celery:' }",
      'const { other } = KEYS;',
      'r.get(KEYS.user.profile);',
      'r.get(`${Prefix.Other}x`);',
      'r.get(other);',
      "r['del']('plain');",
    ].join('\n');
    expect(findings(code)).toEqual(['2:11 raw-client', '7:7 cross-namespace-key', '8:7 cross-namespace-key', '9:10 unprefixed-key']);
  });

  it("reads `this.name` per class: one class's Map is not another's client", () => {
    const code = [
      "import type { Redis } from 'ioredis';",
      'class Cache {',
      '  private redis = new Map<string, string>();',
      "  read() { return this.redis.get('x'); }",
      '}',
      'class Store {',
      '  constructor(private readonly redis: Redis | undefined) {}',
      "  read() { return this.redis?.get('y'); }",
      '}',
      'export { Cache, Store };',
    ].join('\n');
    expect(findings(code)).toEqual(['8:35 unprefixed-key']);
  });

  it('recognises require(driver).factory() and clients awaited from a Promise<Redis> member', () => {
    const code = [
      "const c = require('redis').createClient();",
      "c.get('a');",
      "import type { Redis } from 'ioredis';",
      'class Q {',
      '  constructor(private readonly client: Promise<Redis>) {}',
      "  async read() { return (await this.client).get('b'); }",
      '}',
      'export { Q };',
    ].join('\n');
    expect(findings(code)).toEqual(['1:11 raw-client', '2:7 unprefixed-key', '6:49 unprefixed-key']);
  });

  it('takes a type assertion to a client type for a client (`make() as Redis`), and nothing else for one', () => {
    const code = [
      "import type { Redis } from 'ioredis';",
      'declare function make(): unknown;',
      'const source = make() as Redis;',
      'const other = make() as Map<string, string>;',
      "source.get('a');",
      "other.get('b');",
    ].join('\n');
    expect(findings(code)).toEqual(['5:12 unprefixed-key']);
  });
});

describe('scan streams and iterators, default exports', () => {
  it('reads the MATCH of scanStream / scanIterator, and the key of the member scans', () => {
    const code = [
      "import Redis from 'ioredis';",
      "import { createClient } from 'redis';",
      'const r = new Redis();',
      'const c = createClient();',
      'r.scanStream();',
      "r.scanStream({ match: 'mcp2:*', count: 100 });",
      "c.scanIterator({ MATCH: 'celery:*' });",
      "r.hscanStream('h', { match: '*' });",
      'export const f = (options: object) => r.scanStream(options);',
    ].join('\n');
    expect(findings(code)).toEqual([
      '3:11 raw-client',
      '4:11 raw-client',
      '5:3 blocked-command',
      '7:25 cross-namespace-key',
      '8:15 unprefixed-key',
      '9:52 dynamic-key',
    ]);
  });

  it('follows a client exported as default from another module', () => {
    const files: Record<string, string> = {
      '/virtual/client.ts': "import Redis from 'ioredis';\nexport default new Redis();\n",
    };
    const local = new KeyUsageAnalyzer({ graph: new ModuleGraph((path) => files[path]) });
    const found = local.analyze("import redis from './client.js';\nredis.get('k');\n", {
      fileName: '/virtual/use.ts',
      namespace: 'mcp2',
      layout: { namespaces: ['mcp2'] },
    });
    expect(found.map((f) => `${f.line}:${f.column} ${f.rule}`)).toEqual(['2:11 unprefixed-key']);
  });
});

describe('blocked commands', () => {
  it('reports on raw clients what reaches other namespaces, not what only sets up their own connection', () => {
    const code = [
      "import Redis from 'ioredis';",
      "import { createIsolatedRedis } from 'isolated-redis';",
      'const raw = new Redis();',
      "const mcp2 = createIsolatedRedis({ namespace: 'mcp2', client: raw });",
      'raw.select(1);',
      "raw.auth('secret');",
      'raw.dbsize();',
      'mcp2.select(1);',
    ].join('\n');
    expect(findings(code)).toEqual(['7:5 blocked-command', '8:6 blocked-command']);
  });
});

describe('queued command arrays', () => {
  it("checks each command of ioredis's pipeline([...]) and multi([...]) forms", () => {
    const code = [
      "import Redis from 'ioredis';",
      'const raw = new Redis();',
      "raw.pipeline([['set', 'mcp2:a', '1'], ['get', 'b']]).exec();",
      "raw.multi([['flushdb'], ['del', 'celery:x']]).exec();",
    ].join('\n');
    expect(findings(code)).toEqual(['2:13 raw-client', '3:47 unprefixed-key', '4:12 blocked-command', '4:33 cross-namespace-key']);
  });
});

describe('modules and file kinds', () => {
  const analyzeWith = (files: Record<string, string>, fileName: string) =>
    new KeyUsageAnalyzer({ graph: new ModuleGraph((path) => files[path]) })
      .analyze(files[fileName] as string, { fileName, namespace: 'mcp2', layout: { namespaces: ['mcp2', 'celery'] } })
      .map((f) => `${f.line}:${f.column} ${f.rule}`);

  it('resolves constants through namespace imports, extensionless specifiers and CommonJS exports', () => {
    const files: Record<string, string> = {
      '/p/keys.ts': "export const CELERY = 'celery:';\n",
      '/p/legacy.cjs': "exports.PREFIX = 'mcp2:';\n",
      '/p/use.ts': [
        "import Redis from 'ioredis';",
        "import * as keys from './keys';",
        "import { PREFIX } from './legacy.cjs';",
        'const r = new Redis();',
        'r.get(`${keys.CELERY}x`);',
        'r.get(PREFIX + 1);',
      ].join('\n'),
    };
    expect(analyzeWith(files, '/p/use.ts')).toEqual(['4:11 raw-client', '5:7 cross-namespace-key']);
  });

  it('parses the syntax of TypeScript 5.x and 7 (using, accessor, satisfies, decorators, const type parameters...)', () => {
    const code = [
      "import Redis from 'ioredis';",
      "export type * from './types.js';",
      'declare function Inject(token: unknown): ParameterDecorator;',
      'declare function Injectable(): ClassDecorator;',
      '@Injectable()',
      'export class Service {',
      '  accessor hits = 0;',
      '  constructor(@Inject(Redis) private readonly redis: Redis) {}',
      '  async run<const T extends readonly string[]>(ids: T): Promise<void> {',
      "    await using lock = { async [Symbol.asyncDispose]() {} };",
      "    const options = { ttl: 60 } satisfies Record<string, number>;",
      "    await this.redis.set('plain', ids.join(','), 'EX', options.ttl);",
      '  }',
      '}',
    ].join('\n');
    expect(findings(code)).toEqual(['12:26 unprefixed-key']);
  });

  it('reports a file that does not parse, where it stops', () => {
    expect(findings("import Redis from 'ioredis';\nconst redis = new Redis(;\n")).toEqual(['2:25 parse-error']);
  });

  it('parses JSX in .tsx and .jsx files', () => {
    const files: Record<string, string> = {
      '/p/view.tsx': [
        "import Redis from 'ioredis';",
        'const r = new Redis();',
        "export const View = () => <div onClick={() => r.del('mcp2:a', 'b')}>x</div>;",
      ].join('\n'),
      '/p/view.jsx': "import { createClient } from 'redis';\nconst c = createClient();\nexport const V = () => <p>{c.get('x')}</p>;\n",
    };
    expect(analyzeWith(files, '/p/view.tsx')).toEqual(['2:11 raw-client', '3:63 unprefixed-key']);
    expect(analyzeWith(files, '/p/view.jsx')).toEqual(['2:11 raw-client', '3:34 unprefixed-key']);
  });
});

describe('families of namespaces', () => {
  it("reports a key of any family member as another namespace's, and waits for a start a member's prefix could extend", () => {
    const code = [
      "import { Redis } from 'ioredis';",
      'const redis = new Redis();',
      "redis.get('mcp2:cart');",
      "redis.get('tenant-7:cart');",
      "redis.get('tenant-:cart');",
      'declare const id: string;',
      'redis.get(`tenant-${id}:cart`);',
      'redis.get(`mcp2:${id}`);',
    ].join('\n');
    const run = analyzer.analyze(code, { fileName: '/virtual/tenants.ts', namespace: 'mcp2', layout: { namespaces: ['mcp2', 'tenant-*'] } });
    expect(run.map((f) => `${f.line} ${f.rule}`)).toEqual(['2 raw-client', '4 cross-namespace-key', '5 unprefixed-key', '7 dynamic-key']);
    expect(run.find((f) => f.line === 4)?.message).toMatch(/belongs to namespace "tenant-7"/);
  });
});
