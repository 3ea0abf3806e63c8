/**
 * `npm run demo`: two services, mcp2 and celery, share one Redis through isolated clients.
 *
 * Without REDIS_URL the shared Redis is an in-memory ioredis-mock (isolated-redis/testing);
 * with REDIS_URL=redis://host:port/db it is that server (keys of namespaces `demo-mcp2` and
 * `demo-celery` only). Either way the same `createIsolatedRedis` views of one shared client run
 * the same commands: the script prints what each service's guard sends, what it refuses and why,
 * and the replies as each service sees them.
 */
import { Redis } from 'ioredis';
import { IsolationError, MockUnsupportedCommandError, createIsolatedRedis, type RedisArg } from '../src/index.js';
import { createMockKeyspace } from '../src/testing/index.js';

const namespaces = ['demo-mcp2', 'demo-celery'];
const url = process.env.REDIS_URL;
const shared: Redis = url ? new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 }) : createMockKeyspace().raw;
const mcp2 = createIsolatedRedis({ namespace: 'demo-mcp2', namespaces, client: shared });
const celery = createIsolatedRedis({ namespace: 'demo-celery', namespaces, client: shared });
type Service = typeof mcp2;

const show = (arg: RedisArg): string => (typeof arg === 'string' ? arg : String(arg));

/** Guards, sends and un-prefixes one command of `service`, printing each step. */
async function run(service: Service, command: string, ...args: RedisArg[]): Promise<void> {
  const { guard } = service.isolation;
  console.log(`${guard.namespace.padEnd(11)} ${[command.toUpperCase(), ...args.map(show)].join(' ')}`);
  try {
    const sent = guard.rewrite(command, args);
    const reply = await service.call(command, ...args);
    console.log(`            sends   ${[command.toUpperCase(), ...sent.map(show)].join(' ')}`);
    console.log(`            replies ${JSON.stringify(reply)}\n`);
  } catch (error) {
    if (!(error instanceof IsolationError || error instanceof MockUnsupportedCommandError)) throw error;
    console.log(`            refused ${error.code}: ${error.message}\n`);
  }
}

if (url) {
  await shared.connect();
  // Start from a clean slate in the demo's own namespaces only.
  for (const service of [mcp2, celery]) {
    const stale = await service.keys('*');
    if (stale.length > 0) await service.del(...stale);
  }
}
console.log(url ? `Running against ${url}\n` : 'No REDIS_URL: running on an in-memory ioredis-mock (isolated-redis/testing).\n');

await run(mcp2, 'set', 'payload:1', '{"ok":true}');
await run(celery, 'lpush', 'queue', 'task-1');
await run(mcp2, 'get', 'payload:1');
await run(mcp2, 'get', 'demo-celery:queue'); // a cross-namespace read
await run(mcp2, 'del', 'demo-celery:queue'); // a cross-namespace delete
await run(mcp2, 'get', 'demo-mcp2:payload:1'); // the prefix given twice
await run(mcp2, 'scan', '0'); // confined to mcp2's keys, names come back without the prefix
await run(celery, 'keys', '*');
await run(celery, 'blpop', 'queue', '1'); // the mock has no blocking commands: refused with the mock's limit
await run(mcp2, 'eval', "return redis.call('GET', KEYS[1])", '1', 'payload:1');
await run(mcp2, 'flushdb');
await run(mcp2, 'json.set', 'doc', '$', '{}'); // a module command nobody registered

console.log(`Stored in the shared Redis: ${JSON.stringify((await shared.keys('demo-*')).sort())}`);

if (url) {
  // Instrumentation on the real server: a client of mcp2 with a 100 ms command timeout and a
  // pressure monitor. Another connection pauses writes for 300 ms: mcp2's SET times out, and
  // onTimeout reports it; the monitor's first sample shows the server's figures.
  let sampled = false;
  const watched = createIsolatedRedis({
    namespace: 'demo-mcp2',
    namespaces,
    client: shared,
    commandTimeoutMs: 100,
    pressure: { intervalMs: 200 },
    hooks: {
      onTimeout: (e) => console.log(`\nonTimeout  ${e.namespace} ${e.command.toUpperCase()} ${e.kind} timeout after ${Math.round(e.elapsedMs)} ms: ${e.error.name}`),
      onPressureSample: (e) => {
        if (sampled) return;
        sampled = true;
        console.log(`onPressure sample: level ${e.level}, used_memory ${e.figures.usedMemory} B, maxmemory ${e.figures.maxMemory || 'none'}, ${e.figures.connectedClients} clients`);
      },
    },
  });
  const pauser = shared.duplicate();
  await pauser.call('CLIENT', 'PAUSE', '300', 'WRITE');
  await watched.set('payload:2', 'late').catch(() => undefined);
  await new Promise<void>((resolve) => watched.isolation.events.once('sample', () => resolve()));
  await new Promise((resolve) => setTimeout(resolve, 300)); // the paused SET still runs: clean it up after
  await mcp2.del('payload:1', 'payload:2');
  pauser.disconnect();
}
// A view closes only the connections it opened for itself (celery's BLPOP ran on one of its own);
// the shared client is its owner's to close.
await Promise.all([mcp2.quit(), celery.quit()]);
shared.disconnect();
