import { once } from 'node:events';
import Bull from 'bull';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createIsolatedRedis } from '../../src/index.js';
import { expectConfined, flushNodes, runConfined, waitUntil } from './support/confinement.js';
import { startEcosystemServers, topologies, type EcosystemServers, type Topology } from './support/topologies.js';

/**
 * bull 4 through an isolated view (issue 13). bull's Lua scripts build job keys from ARGV
 * (`addJob-6.lua`: `jobIdKey = ARGV[1] .. jobId`) and publish on channels they build the same
 * way; in prefix mode those reached the server unprefixed. bull has no parent/child jobs (that is
 * BullMQ's FlowProducer): plain, delayed, retried and repeatable jobs here, and its global events,
 * which travel by PUBLISH from inside its scripts to the `subscriber` connection.
 *
 * bull takes its connections from `createClient(type)`: the view for `client`, and for
 * `subscriber` and `bclient` (which bull requires to have `maxRetriesPerRequest: null` and
 * `enableReadyCheck: false`) a `duplicate()` of it, an isolated connection of its own.
 */

let servers: EcosystemServers;
beforeAll(async () => {
  servers = await startEcosystemServers();
}, 60_000);
afterAll(async () => {
  await servers?.stop();
});

/** Closes what a test opened, in reverse order, even when it failed; a close that hangs is given up after 5 s. */
const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) {
    await Promise.race([close().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 5_000))]);
  }
});

/** Prefix mode with bull's own prefix, and strict mode with bull's prefix under the namespace: the control. */
const MODES = [
  { mode: 'prefix', queuePrefix: (_namespace: string, topology: Topology) => topology.queuePrefix },
  { mode: 'strict', queuePrefix: (namespace: string, topology: Topology) => `${namespace}:${topology.queuePrefix}` },
] as const;
const CASES = topologies(() => servers).flatMap((topology) => MODES.map((mode) => [`${mode.mode}-mode view, ${topology.label}`, topology, mode] as const));

describe.each(CASES)('bull 4 through a %s', (_label, topology, { mode, queuePrefix }) => {
  beforeEach(async () => {
    await flushNodes(topology.ports);
  });

  /** The raw client bull's connections are views of, with the options bull requires of its subscriber and bclient. */
  const rawClient = (): Redis | Cluster => {
    const raw = topology.connect({ maxRetriesPerRequest: null, enableReadyCheck: false });
    closers.push(() => raw.quit());
    return raw;
  };

  /** A bull queue whose connections are all views of `namespace` over `raw`. */
  const openQueue = (namespace: string, raw: Redis | Cluster, prefix: string | undefined): Bull.Queue => {
    const view: Redis | Cluster = createIsolatedRedis({ namespace, mode, client: raw });
    const own: Array<Redis | Cluster> = [];
    const queue = new Bull('q', {
      ...(prefix === undefined ? {} : { prefix }),
      createClient: (type) => {
        if (type === 'client') return view;
        const connection = view.duplicate();
        own.push(connection);
        return connection;
      },
    });
    // bull closes no connection createClient gave it: the test closes the duplicates itself.
    closers.push(async () => {
      await queue.close();
      own.forEach((connection) => connection.disconnect());
    });
    return queue;
  };

  it('regression: 20 jobs added through the view all complete, and no bull:* key lands outside the namespace', async () => {
    const completed: string[] = [];
    const errors: string[] = [];
    // The set-up: bull's default prefix on a standalone server in prefix mode.
    const prefix = mode === 'prefix' && topology.label === 'standalone' ? undefined : queuePrefix('celery', topology);
    const queue = openQueue('celery', rawClient(), prefix);
    const run = await runConfined(topology.ports, ['celery:'], async () => {
      queue.on('completed', (job) => completed.push(String(job.id)));
      queue.on('error', (error) => errors.push(String(error?.message ?? error)));
      void queue.process(async (job: Bull.Job<{ n: number }>) => job.data.n).catch((error: Error) => errors.push(String(error?.message ?? error)));
      await Promise.all(Array.from({ length: 20 }, (_, n) => queue.add({ n })));
      await waitUntil(() => completed.length >= 20, () => completed.length + errors.length);
      return { counts: await queue.getJobCounts(), errors: [...new Set(errors)].slice(0, 5) };
    });
    expect.soft(run.result).toEqual({ counts: { waiting: 0, active: 0, completed: 20, failed: 0, delayed: 0, paused: 0 }, errors: [] });
    expect.soft(run.storedOutside.filter((key) => key.includes('bull')), 'bull keys outside the namespace').toEqual([]);
    expectConfined(run, { scripted: true });
  });

  it('plain, delayed, retried and repeatable jobs complete, global events arrive, all inside the namespace', async () => {
    const queue = openQueue('celery', rawClient(), queuePrefix('celery', topology));
    const done = new Map<string, { name: string; value: unknown }>();
    const announced = new Set<string>();
    const failures: string[] = [];
    const errors: string[] = [];
    const countOf = (name: string): number => [...done.values()].filter((job) => job.name === name).length;

    const run = await runConfined(topology.ports, ['celery:'], async () => {
      queue.on('error', (error) => errors.push(String(error?.message ?? error)));
      queue.on('completed', (job, value) => done.set(String(job.id), { name: job.name, value }));
      queue.on('failed', (job, error) => failures.push(`${job.name}: ${error.message}`));
      // Global events come by PUBLISH from bull's scripts to the subscriber connection.
      const registered = once(queue, 'registered:global:completed');
      queue.on('global:completed', (jobId: string) => announced.add(String(jobId)));
      await registered;
      void queue
        .process('*', async (job: Bull.Job<{ n?: number }>) => {
          switch (job.name) {
            case 'plain':
              return (job.data.n ?? 0) * 2;
            case 'retried':
              if (job.attemptsMade === 0) throw new Error('the first attempt fails');
              return `attempt ${job.attemptsMade + 1}`;
            default:
              return job.name;
          }
        })
        .catch((error: Error) => errors.push(String(error?.message ?? error)));

      await queue.add('plain', { n: 1 });
      await queue.add('plain', { n: 2 });
      await queue.add('plain', { n: 3 });
      await queue.add('delayed', {}, { delay: 300 });
      await queue.add('retried', {}, { attempts: 2, backoff: { type: 'fixed', delay: 100 } });
      await queue.add('tick', {}, { repeat: { every: 250, limit: 3 } });

      const expected = { plain: 3, delayed: 1, retried: 1, tick: 3 };
      const reached = (): boolean => Object.entries(expected).every(([name, count]) => countOf(name) >= count) && [...done.keys()].every((id) => announced.has(id));
      await waitUntil(reached, () => done.size + announced.size + errors.length, { maxMs: 10_000 });
      const values = (name: string): unknown[] => [...done.values()].filter((job) => job.name === name).map((job) => job.value);
      return {
        plain: values('plain').sort(),
        delayed: values('delayed'),
        retried: values('retried'),
        ticks: values('tick'),
        failures,
        errors: [...new Set(errors)].slice(0, 5),
        completedButNotAnnounced: [...done.keys()].filter((id) => !announced.has(id)),
        failed: await queue.getFailedCount(),
      };
    });
    expect.soft(run.result).toEqual({
      plain: [2, 4, 6],
      delayed: ['delayed'],
      retried: ['attempt 2'],
      ticks: ['tick', 'tick', 'tick'],
      failures: ['retried: the first attempt fails'],
      errors: [],
      completedButNotAnnounced: [],
      failed: 0,
    });
    expectConfined(run, { scripted: true });
  });

  it('two namespaces running a queue of the same name do not see each other\'s jobs', async () => {
    const raw = rawClient();
    const seen: Record<string, string[]> = { celery: [], journal: [] };
    const errors: string[] = [];
    const queues = (['celery', 'journal'] as const).map((namespace) => ({ namespace, queue: openQueue(namespace, raw, queuePrefix(namespace, topology)) }));
    const run = await runConfined(topology.ports, ['celery:', 'journal:'], async () => {
      for (const { namespace, queue } of queues) {
        queue.on('error', (error) => errors.push(`${namespace}: ${String(error?.message ?? error)}`));
        void queue.process(async (job: Bull.Job<{ from: string }>) => void seen[namespace]?.push(job.data.from)).catch((error: Error) => errors.push(String(error?.message ?? error)));
      }
      for (let i = 0; i < 5; i++) {
        for (const { namespace, queue } of queues) await queue.add({ from: namespace });
      }
      const total = (): number => (seen.celery?.length ?? 0) + (seen.journal?.length ?? 0);
      await waitUntil(() => total() >= 10, () => total() + errors.length);
      const firstJobs = await Promise.all(queues.map(({ queue }) => queue.getJob('1')));
      const counts = await Promise.all(queues.map(({ queue }) => queue.getCompletedCount()));
      return { seen, firstJobs: firstJobs.map((job) => job?.data), counts, errors: [...new Set(errors)].slice(0, 5) };
    });
    expect.soft(run.result).toEqual({
      seen: { celery: Array(5).fill('celery'), journal: Array(5).fill('journal') },
      firstJobs: [{ from: 'celery' }, { from: 'journal' }],
      counts: [5, 5],
      errors: [],
    });
    expectConfined(run, { scripted: true });
  });
});
