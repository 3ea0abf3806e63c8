import { FlowProducer, Queue, QueueEvents, Worker, type Job } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createIsolatedRedis } from '../../src/index.js';
import { expectConfined, flushNodes, runConfined, waitUntil } from './support/confinement.js';
import { startEcosystemServers, topologies, type EcosystemServers, type Topology } from './support/topologies.js';

/**
 * BullMQ 5 in prefix mode through an isolated view (issue 13). BullMQ's Lua scripts build job
 * keys from ARGV (`ARGV[1] .. jobId`); before scripts were confined those keys landed outside
 * every namespace and jobs stuck in `active` ("Missing key for job N. moveToFinished"). Each
 * test runs under a MONITOR of every node and ends with raw `KEYS *`: no key, channel or
 * pattern outside the namespace, neither named by a client nor by a script.
 */

let servers: EcosystemServers;
beforeAll(async () => {
  servers = await startEcosystemServers();
}, 60_000);
afterAll(async () => {
  await servers?.stop();
});

/** Closes what a test opened, in reverse order, even when it failed. */
const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
});

/**
 * Prefix mode with BullMQ's own prefix (the mode the issue is about), and strict mode with
 * BullMQ's prefix set under the namespace (`celery:bull`), which worked before: the control that
 * shows these checks pass where confinement holds.
 */
const MODES = [
  { mode: 'prefix', queuePrefix: (_namespace: string, topology: Topology) => topology.queuePrefix },
  { mode: 'strict', queuePrefix: (namespace: string, topology: Topology) => `${namespace}:${topology.queuePrefix}` },
] as const;
const CASES = topologies(() => servers).flatMap((topology) => MODES.map((mode) => [`${mode.mode}-mode view, ${topology.label}`, topology, mode] as const));

describe.each(CASES)('BullMQ 5 through a %s', (_label, topology, { mode, queuePrefix }) => {
  const prefix = queuePrefix('celery', topology);

  beforeEach(async () => {
    await flushNodes(topology.ports);
  });

  /** A raw client as BullMQ wants it (`maxRetriesPerRequest: null`), closed after the test. */
  const rawClient = (): Redis | Cluster => {
    const raw = topology.connect({ maxRetriesPerRequest: null });
    closers.push(() => raw.quit());
    return raw;
  };
  const open = <T extends { close(): Promise<unknown> }>(thing: T): T => {
    closers.push(() => thing.close());
    return thing;
  };

  it('regression: 20 jobs added through the view all complete, and no bull:* key lands outside the namespace', async () => {
    const celery = createIsolatedRedis({ namespace: 'celery', mode, client: rawClient() });
    // The set-up: BullMQ's default prefix on a standalone server in prefix mode.
    const options = mode === 'prefix' && topology.label === 'standalone' ? {} : { prefix };
    const completed: string[] = [];
    const errors: string[] = [];
    const run = await runConfined(topology.ports, ['celery:'], async () => {
      const queue = open(new Queue('q', { connection: celery, ...options }));
      const worker = open(new Worker('q', async (job: Job<{ n: number }>) => job.data.n, { connection: celery, ...options }));
      worker.on('completed', (job) => completed.push(String(job.id)));
      worker.on('error', (error) => errors.push(error.message));
      await queue.addBulk(Array.from({ length: 20 }, (_, n) => ({ name: 'job', data: { n } })));
      await waitUntil(() => completed.length >= 20, () => completed.length + errors.length);
      return { counts: await queue.getJobCounts('completed', 'active', 'wait', 'failed'), workerErrors: [...new Set(errors)].slice(0, 5) };
    });
    expect.soft(run.result).toEqual({ counts: { completed: 20, active: 0, wait: 0, failed: 0 }, workerErrors: [] });
    expect.soft(run.storedOutside.filter((key) => key.includes('bull')), 'bull keys outside the namespace').toEqual([]);
    expectConfined(run, { scripted: true });
  });

  it('plain, delayed, retried, repeatable and parent/child jobs complete, QueueEvents reports them, all inside the namespace', async () => {
    const celery = createIsolatedRedis({ namespace: 'celery', mode, client: rawClient() });
    const done = new Map<string, { name: string; value: unknown }>();
    const failures: string[] = [];
    const errors: string[] = [];
    const announced = new Set<string>();
    const countOf = (name: string): number => [...done.values()].filter((job) => job.name === name).length;

    const run = await runConfined(topology.ports, ['celery:'], async () => {
      const queue = open(new Queue('q', { connection: celery, prefix }));
      const events = open(new QueueEvents('q', { connection: celery, prefix }));
      events.on('completed', ({ jobId }) => announced.add(jobId));
      await events.waitUntilReady();
      const flows = open(new FlowProducer({ connection: celery, prefix }));
      const worker = open(
        new Worker(
          'q',
          async (job: Job) => {
            switch (job.name) {
              case 'plain':
                return (job.data as { n: number }).n * 2;
              case 'retried':
                if (job.attemptsMade === 0) throw new Error('the first attempt fails');
                return `attempt ${job.attemptsMade + 1}`;
              case 'child':
                return (job.data as { n: number }).n;
              case 'parent':
                // The children's return values, read through keys the scripts build from the parent's id.
                return Object.values(await job.getChildrenValues<number>()).reduce((sum, value) => sum + value, 0);
              default:
                return job.name;
            }
          },
          { connection: celery, prefix },
        ),
      );
      worker.on('completed', (job, value) => done.set(String(job.id), { name: job.name, value }));
      worker.on('failed', (job, error) => failures.push(`${job?.name}: ${error.message}`));
      worker.on('error', (error) => errors.push(error.message));

      await queue.add('plain', { n: 1 });
      await queue.add('plain', { n: 2 });
      await queue.add('plain', { n: 3 });
      await queue.add('delayed', {}, { delay: 300 });
      await queue.add('retried', {}, { attempts: 2, backoff: { type: 'fixed', delay: 100 } });
      await queue.upsertJobScheduler('ticker', { every: 250 }, { name: 'tick' });
      await flows.add({
        name: 'parent',
        queueName: 'q',
        children: [
          { name: 'child', queueName: 'q', data: { n: 4 } },
          { name: 'child', queueName: 'q', data: { n: 5 } },
        ],
      });

      const expected = { plain: 3, delayed: 1, retried: 1, child: 2, parent: 1 };
      const reached = (): boolean =>
        Object.entries(expected).every(([name, count]) => countOf(name) >= count) && countOf('tick') >= 3 && [...done.keys()].every((id) => announced.has(id));
      await waitUntil(reached, () => done.size + announced.size + errors.length, { maxMs: 10_000 });
      await queue.removeJobScheduler('ticker');

      const values = (name: string): unknown[] => [...done.values()].filter((job) => job.name === name).map((job) => job.value);
      return {
        plain: values('plain').sort(),
        delayed: values('delayed'),
        retried: values('retried'),
        children: values('child').sort(),
        parent: values('parent'),
        ticksAtLeast3: countOf('tick') >= 3,
        failures,
        workerErrors: [...new Set(errors)].slice(0, 5),
        completedButNotAnnounced: [...done.keys()].filter((id) => !announced.has(id)),
        counts: await queue.getJobCounts('failed', 'waiting-children'),
      };
    });
    expect.soft(run.result).toEqual({
      plain: [2, 4, 6],
      delayed: ['delayed'],
      retried: ['attempt 2'],
      children: [4, 5],
      parent: [9],
      ticksAtLeast3: true,
      failures: ['retried: the first attempt fails'],
      workerErrors: [],
      completedButNotAnnounced: [],
      counts: { failed: 0, 'waiting-children': 0 },
    });
    expectConfined(run, { scripted: true });
  });

  it('two namespaces running a queue of the same name do not see each other\'s jobs', async () => {
    const client = rawClient();
    const seen: Record<string, string[]> = { celery: [], journal: [] };
    const errors: string[] = [];
    const run = await runConfined(topology.ports, ['celery:', 'journal:'], async () => {
      const queues = (['celery', 'journal'] as const).map((namespace) => {
        const view = createIsolatedRedis({ namespace, mode, client });
        const own = { connection: view, prefix: queuePrefix(namespace, topology) };
        const queue = open(new Queue('q', own));
        const worker = open(new Worker('q', async (job: Job<{ from: string }>) => void seen[namespace]?.push(job.data.from), own));
        worker.on('error', (error) => errors.push(`${namespace}: ${error.message}`));
        return { namespace, queue };
      });
      for (let i = 0; i < 5; i++) {
        for (const { namespace, queue } of queues) await queue.add('job', { from: namespace });
      }
      await waitUntil(() => seen.celery?.length === 5 && seen.journal?.length === 5, () => (seen.celery?.length ?? 0) + (seen.journal?.length ?? 0) + errors.length);
      const firstJobs = await Promise.all(queues.map(({ queue }) => queue.getJob('1')));
      const counts = await Promise.all(queues.map(({ queue }) => queue.getJobCounts('completed', 'active', 'wait')));
      return { seen, firstJobs: firstJobs.map((job) => job?.data), counts, workerErrors: [...new Set(errors)].slice(0, 5) };
    });
    expect.soft(run.result).toEqual({
      seen: { celery: Array(5).fill('celery'), journal: Array(5).fill('journal') },
      firstJobs: [{ from: 'celery' }, { from: 'journal' }],
      counts: [
        { completed: 5, active: 0, wait: 0 },
        { completed: 5, active: 0, wait: 0 },
      ],
      workerErrors: [],
    });
    expectConfined(run, { scripted: true });
  });
});
