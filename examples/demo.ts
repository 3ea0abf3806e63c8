/**
 * `npm run demo`: two services, mcp2 and celery, share one Redis through isolated clients.
 *
 * Without REDIS_URL it shows what each service's guard would send. With
 * REDIS_URL=redis://host:port/db it runs the commands there through `createIsolatedRedis` views
 * of one shared ioredis connection (keys of namespaces `demo-mcp2` and `demo-celery` only), and
 * shows the replies as each service sees them.
 */
import { Redis } from 'ioredis';
import { IsolationError, createGuard, createIsolatedRedis, type NamespaceGuard, type RedisArg } from '../src/index.js';

const namespaces = ['demo-mcp2', 'demo-celery'];
const url = process.env.REDIS_URL;
const redis = url ? new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 }) : undefined;
const views = redis
  ? new Map(namespaces.map((namespace) => [namespace, createIsolatedRedis({ namespace, namespaces, client: redis })]))
  : undefined;
const mcp2 = views?.get('demo-mcp2')?.isolation.guard ?? createGuard({ namespace: 'demo-mcp2', namespaces });
const celery = views?.get('demo-celery')?.isolation.guard ?? createGuard({ namespace: 'demo-celery', namespaces });

const show = (arg: RedisArg): string => (typeof arg === 'string' ? arg : String(arg));

/** Guards, sends (when there is a server) and un-prefixes one command, printing each step. */
async function run(guard: NamespaceGuard, command: string, ...args: RedisArg[]): Promise<void> {
  const line = `${guard.namespace.padEnd(11)} ${[command.toUpperCase(), ...args.map(show)].join(' ')}`;
  let sent: readonly RedisArg[];
  try {
    sent = guard.rewrite(command, args);
  } catch (error) {
    if (!(error instanceof IsolationError)) throw error;
    console.log(`${line}\n            refused ${error.code}: ${error.message}\n`);
    return;
  }
  console.log(`${line}\n            sends   ${[command.toUpperCase(), ...sent.map(show)].join(' ')}`);
  const view = views?.get(guard.namespace);
  if (view) console.log(`            replies ${JSON.stringify(await view.call(command, ...args))}`);
  console.log();
}

if (redis) {
  await redis.connect();
  // Start from a clean slate in the demo's own namespaces only.
  for (const view of views?.values() ?? []) {
    const stale = await view.keys('*');
    if (stale.length > 0) await view.del(...stale);
  }
}
console.log(redis ? `Running against ${url}\n` : 'No REDIS_URL: showing what each service would send.\n');

await run(mcp2, 'set', 'payload:1', '{"ok":true}');
await run(celery, 'lpush', 'queue', 'task-1');
await run(mcp2, 'get', 'payload:1');
await run(mcp2, 'get', 'demo-celery:queue'); // a cross-namespace read
await run(mcp2, 'get', 'demo-mcp2:payload:1'); // the prefix given twice
await run(mcp2, 'scan', '0'); // confined to mcp2's keys, names come back without the prefix
await run(celery, 'keys', '*');
await run(celery, 'blpop', 'queue', '1');
await run(mcp2, 'eval', "return redis.call('GET', KEYS[1])", '1', 'payload:1');
await run(mcp2, 'flushdb');
await run(mcp2, 'json.set', 'doc', '$', '{}'); // a module command nobody registered

redis?.disconnect();
