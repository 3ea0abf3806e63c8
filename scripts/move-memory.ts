/**
 * The memory and time of `move` on a 1 GB namespace holding one 600 MB key (not part of CI):
 *
 *   node --import tsx scripts/move-memory.ts [--big-type hash|set|zset|list|string] [--total-mb 1024] [--big-mb 600]
 *
 * Starts two throw-away redis-servers (no persistence, in a temporary directory), fills the
 * source's `bulk:` namespace with one big key of the given type (default a hash: its DUMP would
 * exceed the default proto-max-bulk-len of 512 MB) and 1 KB strings for the rest, plus another
 * namespace it must leave alone, then runs the move in a child process and prints its peak RSS
 * (`process.resourceUsage().maxRSS`), the time of each phase, and the report's figures. A string
 * over 512 MB needs proto-max-bulk-len raised: `--big-type string` starts both servers with 1 GB.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { moveNamespace, type MovePosition } from '../src/index.js';

const MB = 1024 * 1024;

/** The child: runs the move and prints what it measured as one JSON line. */
async function child(from: string, to: string): Promise<void> {
  const phases: Record<string, number> = {};
  let phase: MovePosition['phase'] | undefined;
  let since = performance.now();
  const started = since;
  let peakHeap = 0;
  const report = await moveNamespace({
    namespace: 'bulk',
    from,
    to,
    onProgress: (_report, position) => {
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
      if (position.phase === phase) return;
      const now = performance.now();
      if (phase) phases[phase] = now - since;
      phase = position.phase;
      since = now;
    },
  });
  if (phase) phases[phase] = performance.now() - since;
  const { maxRSS } = process.resourceUsage();
  console.log(JSON.stringify({ maxRssMb: maxRSS / 1024, peakHeapMb: peakHeap / MB, totalMs: performance.now() - started, phases, report }));
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

async function startServer(extra: string[]): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'move-memory-'));
  const server: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extra], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null });
    probe.on('error', () => {});
    try {
      await probe.connect();
      probe.disconnect();
      break;
    } catch (error) {
      probe.disconnect();
      if (attempt > 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    url,
    stop: async () => {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Fills `key` with about `bytes` bytes of `type`, 1 MB per command. */
async function fillBigKey(client: Redis, key: string, type: string, bytes: number): Promise<void> {
  const element = 'x'.repeat(1000);
  const perCommand = 1000;
  const commands = Math.ceil(bytes / (perCommand * 1000));
  for (let c = 0; c < commands; c += 20) {
    const pipeline = client.pipeline();
    for (let i = c; i < Math.min(c + 20, commands); i++) {
      const ids = Array.from({ length: perCommand }, (_, j) => `${i * perCommand + j}`);
      if (type === 'hash') pipeline.hset(key, ...ids.flatMap((id) => [`field:${id}`, element]));
      else if (type === 'set') pipeline.sadd(key, ...ids.map((id) => `${id}:${element}`));
      else if (type === 'zset') pipeline.zadd(key, ...ids.flatMap((id) => [id, `${id}:${element}`]));
      else if (type === 'list') pipeline.rpush(key, ...ids.map((id) => `${id}:${element}`));
      else pipeline.append(key, element.repeat(perCommand));
    }
    for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
  }
}

async function parent(): Promise<void> {
  const { values } = parseArgs({ options: { 'big-type': { type: 'string', default: 'hash' }, 'total-mb': { type: 'string', default: '1024' }, 'big-mb': { type: 'string', default: '600' } } });
  const type = values['big-type'] as string;
  const totalMb = Number(values['total-mb']);
  const bigMb = Number(values['big-mb']);
  const config = type === 'string' ? ['--proto-max-bulk-len', '1gb'] : [];
  const [source, target] = await Promise.all([startServer(config), startServer(config)]);
  const client = new Redis(source.url);
  try {
    const filling = performance.now();
    await fillBigKey(client, 'bulk:big', type, bigMb * MB);
    const rest = (totalMb - bigMb) * MB;
    const value = 'v'.repeat(1000);
    for (let i = 0; i < rest / 1000; i += 5000) {
      const pipeline = client.pipeline();
      for (let j = i; j < Math.min(i + 5000, rest / 1000); j++) pipeline.set(`bulk:k:${j}`, value);
      await pipeline.exec();
    }
    await client.set('other:untouched', 'another namespace');
    const usedMb = Number(/used_memory:(\d+)/.exec(await client.info('memory'))?.[1]) / MB;
    const bigMemoryMb = Number(await client.call('MEMORY', 'USAGE', 'bulk:big')) / MB;
    console.log(`filled in ${((performance.now() - filling) / 1000).toFixed(1)} s: source used_memory ${usedMb.toFixed(0)} MB, bulk:big (${type}) ${bigMemoryMb.toFixed(0)} MB, ${await client.dbsize()} keys`);

    const run = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--child', source.url, target.url], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    run.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise((resolve) => run.once('exit', resolve));
    if (code !== 0) throw new Error(`the move exited with ${String(code)}:\n${out}`);
    const result = JSON.parse(out.trim().split('\n').at(-1) ?? '{}');
    const { report } = result;
    const phases = Object.entries(result.phases as Record<string, number>).map(([name, ms]) => `${name} ${(ms / 1000).toFixed(1)} s`).join(', ');
    console.log(`move: peak RSS ${result.maxRssMb.toFixed(0)} MB (peak heap seen ${result.peakHeapMb.toFixed(0)} MB), ${(result.totalMs / 1000).toFixed(1)} s in all (${phases})`);
    console.log(
      `report: ${report.scanned} scanned, ${report.written} written (${report.chunked} in chunks), ${report.copied} copied and verified; ` +
        `verification ${report.verification.equal} equal (${report.verification.byDigest} by digest), ${report.verification.missing} missing, ${report.verification.contentDiffers} content, ${report.verification.extra} extra`,
    );
    const targetClient = new Redis(target.url);
    console.log(`target: ${await targetClient.dbsize()} keys, bulk:big ${(Number(await targetClient.call('MEMORY', 'USAGE', 'bulk:big')) / MB).toFixed(0)} MB, other:untouched ${await targetClient.exists('other:untouched') ? 'copied (wrong)' : 'absent'}`);
    targetClient.disconnect();
  } finally {
    client.disconnect();
    await Promise.all([source.stop(), target.stop()]);
  }
}

if (process.argv[2] === '--child') await child(process.argv[3] as string, process.argv[4] as string);
else await parent();
