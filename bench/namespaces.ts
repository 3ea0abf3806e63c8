/**
 * Many namespaces (issue 14), in `npm run bench` (alone: `npm run bench -- namespaces`;
 * `BENCH_QUICK=1` for smaller counts, `BENCH_FULL=1` for every count whatever the time):
 * - the guard with 3 to 100,000 known namespaces, listed or as one shared set, and a family;
 * - views over one shared client, ioredis and node-redis: creation time, retained bytes, and the
 *   heap after a million views created and dropped;
 * - pub/sub dispatch to one view among 3 and 10,000 subscribed views.
 * Figures are printed beside their goals, never asserted.
 */
import { startRedisServer } from '../test/support/redis-server.js';
import { benchNamespaceGuard } from './namespaces-guard.js';
import { DRIVERS } from './namespaces-drivers.js';
import { benchNamespacePubSub } from './namespaces-pubsub.js';
import { QUICK, msSince } from './namespaces-support.js';
import { benchNamespaceViews } from './namespaces-views.js';

/** Runs the many-namespaces benchmark and prints its tables; it starts and stops its own redis-server. */
export async function benchNamespaces(): Promise<void> {
  const started = process.hrtime.bigint();
  console.log(`\nmany namespaces (issue 14)${QUICK ? ': BENCH_QUICK=1, smaller counts' : ''}`);
  benchNamespaceGuard();
  // Room for 10,000 subscribed views that each open a connection of their own.
  const server = await startRedisServer(['--maxclients', '15000']);
  try {
    console.log(`\n(redis-server ${server.version} on loopback)`);
    await benchNamespaceViews(DRIVERS, server.url);
    await benchNamespacePubSub(DRIVERS, server.url);
  } finally {
    await server.stop();
  }
  console.log(`\n(many namespaces: ${(msSince(started) / 1000).toFixed(0)} s)`);
}
