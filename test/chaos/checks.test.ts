import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Checker, errorKind, taggedValue, workerKey, type Worker } from '../../chaos/checks.js';
import { ioredisDriver } from '../../chaos/drivers.js';
import { crossReplies } from '../../chaos/inject.js';
import { createRng } from '../../chaos/rng.js';
import { RawScanner } from '../../chaos/scan.js';
import { WorkerRun, sleep } from '../../chaos/workload.js';
import { createIsolatedRedis } from '../../src/index.js';
import { startRedisServer, type RunningRedis } from '../support/redis-server.js';

/**
 * The chaos run's checks must catch what they claim to: each violation is injected on purpose
 * (another view's reply, a stray key, a lost durable write, a promise that never settles) and
 * must be reported, while the same workload without the injection reports none.
 */

const NAMESPACES = ['mcp2', 'celery', 'journal'];
const mcp2: Worker = { id: 1, namespace: 'mcp2', topology: 'standalone', driver: 'ioredis' };
const celery: Worker = { id: 2, namespace: 'celery', topology: 'standalone', driver: 'ioredis' };
const clusterMcp2: Worker = { id: 3, namespace: 'mcp2', topology: 'cluster', driver: 'node-redis' };

function checker(): Checker {
  const c = new Checker();
  for (const worker of [mcp2, celery, clusterMcp2]) c.register(worker);
  return c;
}

describe('the chaos checker', () => {
  it('flags a reply that names another view, or carries a namespace prefix', () => {
    const c = checker();
    expect(c.checkReply(mcp2, 'KEYS', [workerKey(1, 'a'), workerKey(1, 'b')])).toBe(true);
    expect(c.checkReply(mcp2, 'KEYS', [workerKey(1, 'a'), workerKey(2, 'b')])).toBe(false);
    expect(c.checkReply(mcp2, 'XREAD', new Map([[workerKey(1, 'st'), [['1-1', ['f', 'mcp2:{w1}x']]]]]))).toBe(false);
    expect(Object.fromEntries(c.violationCounts)).toEqual({ 'misdelivered-reply': 1, 'prefix-in-reply': 1 });
    expect(c.violations[0]?.detail).toContain('celery');
  });

  it("flags another view's value or ECHO token read as its own; accepts its own and null", () => {
    const c = checker();
    const key = workerKey(1, 'probe');
    expect(c.expectOwnValue(mcp2, 'GET', key, taggedValue(mcp2, key, 3), 3)).toBe(true);
    expect(c.expectOwnValue(mcp2, 'GET', key, null, 3)).toBe(true);
    expect(c.expectOwnValue(mcp2, 'GET', key, taggedValue(celery, workerKey(2, 'probe'), 3), 3)).toBe(false);
    expect(c.expectOwnValue(mcp2, 'GET', key, taggedValue(mcp2, workerKey(1, 'other'), 1), 3)).toBe(false);
    expect(c.expectOwnValue(mcp2, 'GET', key, taggedValue(mcp2, key, 4), 3)).toBe(false); // a value not written yet
    expect(c.expectExact(mcp2, 'ECHO', 'token-a', 'token-a')).toBe(true);
    expect(c.expectExact(mcp2, 'ECHO', 'token-b', 'token-a')).toBe(false);
    expect(c.expectInteger(mcp2, 'INCR', 'OK')).toBe(false);
    expect(c.violationCounts.get('misdelivered-reply')).toBe(5);
  });

  it('flags a pub/sub message of another namespace, or of the same namespace on another topology', () => {
    const c = checker();
    expect(c.checkMessage(mcp2, 'chat', taggedValue(mcp2, 'chat', 1), 'chat')).toBe(true);
    expect(c.checkMessage(mcp2, 'chat', taggedValue(celery, 'chat', 1), 'chat')).toBe(false);
    expect(c.checkMessage(mcp2, 'chat', taggedValue(clusterMcp2, 'chat', 1), 'chat')).toBe(false);
    expect(c.checkMessage(mcp2, 'mcp2:chat', taggedValue(mcp2, 'chat', 1), 'chat')).toBe(false);
    expect(c.violationCounts.get('foreign-message')).toBe(3);
  });

  it('flags a raw key outside every namespace, or of another view, once per node', () => {
    const c = checker();
    expect(c.checkRawKey('standalone', 'n1', `mcp2:${workerKey(1, 'a')}`)).toBe(true);
    expect(c.checkRawKey('standalone', 'n1', 'stray')).toBe(false);
    expect(c.checkRawKey('standalone', 'n1', 'stray')).toBe(false);
    expect(c.checkRawKey('standalone', 'n1', `celery:${workerKey(1, 'a')}`)).toBe(false); // w1 is mcp2's
    expect(c.checkRawKey('standalone', 'n1', `mcp2:${workerKey(3, 'a')}`)).toBe(false); // w3 is on the Cluster
    expect(c.checkRawKey('standalone', 'n1', `mcp2:mcp2:${workerKey(1, 'a')}`)).toBe(false); // prefixed twice
    expect(Object.fromEntries(c.violationCounts)).toEqual({ 'key-outside-namespace': 2, 'key-of-another-view': 2 });
  });

  it('flags a write WAIT confirmed that reads back older, or not at all', () => {
    const c = checker();
    const key = workerKey(1, 'durable:0');
    c.recordDurable(mcp2, key, 5);
    c.recordDurable(mcp2, key, 4);
    expect([...c.durable.values()].map((record) => record.seq)).toEqual([5]);
    expect(c.checkDurable(mcp2, key, 5, taggedValue(mcp2, key, 6))).toBe(true);
    expect(c.checkDurable(mcp2, key, 5, taggedValue(mcp2, key, 4))).toBe(false);
    expect(c.checkDurable(mcp2, key, 5, null)).toBe(false);
    expect(c.violationCounts.get('lost-durable-write')).toBe(2);
  });

  it('lists a promise that never settles as outstanding, and forgets one that settled', async () => {
    const c = checker();
    await c.track('settles', Promise.resolve(1));
    await c.track('rejects', Promise.reject(new Error('x'))).catch(() => undefined);
    void c.track('never', new Promise(() => undefined));
    expect(c.outstanding().map((pending) => pending.label)).toEqual(['never']);
  });

  it('names error kinds: refusals by code, server errors by message, bugs as internal', async () => {
    const view = createIsolatedRedis({ namespace: 'mcp2', namespaces: NAMESPACES, client: new Redis({ lazyConnect: true }) });
    const refusal = await view.get('celery:x').catch((error: unknown) => error);
    expect(errorKind(refusal)).toBe('refused ERR_CROSS_NAMESPACE');
    view.disconnect();
  });
});

describe('the chaos workload against a real server', () => {
  let server: RunningRedis;
  let raw: Redis;
  beforeAll(async () => {
    server = await startRedisServer();
    raw = new Redis(server.port, '127.0.0.1');
  });
  afterAll(async () => {
    raw.disconnect();
    await server.stop();
  });

  /** Two workers (mcp2 and celery) over one client until `done` or 5 s; `cross` crosses one ECHO reply. */
  async function runPair(cross: boolean, done: (c: Checker) => boolean): Promise<Checker> {
    // Each run's workers count their sequence numbers from 0: values of an earlier run would look unwritten yet.
    await raw.flushall();
    const c = checker();
    const view = (namespace: string) => ioredisDriver(createIsolatedRedis({ namespace, namespaces: NAMESPACES, client: raw }));
    const mcp2View = cross ? crossReplies(view('mcp2'), mcp2.id, view('celery'), celery.id) : view('mcp2');
    const options = { checker: c, rng: createRng(7), dump: Buffer.alloc(0), durable: false, traceErrors: false, tracedErrors: new Set<string>() };
    const runs = [new WorkerRun(mcp2, mcp2View, undefined, undefined, options), new WorkerRun(celery, view('celery'), undefined, undefined, options)];
    for (const run of runs) run.start();
    for (let waited = 0; waited < 5000 && !done(c); waited += 50) await sleep(50);
    for (const run of runs) run.stop();
    await Promise.all(runs.map((run) => run.done()));
    await Promise.all(runs.map((run) => run.close()));
    return c;
  }

  it('reports no violation when nothing is wrong', async () => {
    const c = await runPair(false, (checked) => [...checked.commands.values()].reduce((sum, n) => sum + n, 0) > 500);
    expect([...c.commands.values()].reduce((sum, n) => sum + n, 0)).toBeGreaterThan(500);
    expect(c.violations).toEqual([]);
    expect(c.outstanding()).toEqual([]);
    const scanned = new RawScanner(c);
    expect(await scanned.scanNode('standalone', server.port)).toBeGreaterThan(0);
    scanned.close();
    expect(c.violations).toEqual([]);
  });

  it("catches a view that gets another view's reply", async () => {
    const c = await runPair(true, (checked) => checked.violationTotal > 0);
    expect(c.violations).toEqual([expect.objectContaining({ kind: 'misdelivered-reply', detail: expect.stringContaining('{w2}') })]);
  });

  it('catches a key written past the library, and one in the wrong namespace', async () => {
    const c = checker();
    await raw.set('stray', 'x');
    await raw.set(`celery:${workerKey(mcp2.id, 'k')}`, 'x');
    const scanner = new RawScanner(c);
    await scanner.scanNode('standalone', server.port);
    scanner.close();
    expect(c.violations.map((violation) => violation.kind).sort()).toEqual(['key-of-another-view', 'key-outside-namespace']);
    await raw.del('stray', `celery:${workerKey(mcp2.id, 'k')}`);
  });
});
