import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A redis-server process this test run started, and how to reach and stop it. */
export interface RunningRedis {
  readonly port: number;
  readonly url: string;
  readonly version: string;
  stop(): Promise<void>;
}

const INSTALL_HINT =
  'redis-server was not found on PATH. The tests start their own server and need it installed: ' +
  '`apt-get install -y redis-server` (Debian/Ubuntu) or `brew install redis` (macOS).';

/** The version of the redis-server on PATH; throws with the install command when there is none. */
export function redisServerVersion(env: NodeJS.ProcessEnv = process.env): string {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8', env });
  if (probe.error || probe.status !== 0) throw new Error(INSTALL_HINT);
  const version = /v=(\d+\.\d+\.\d+)/.exec(probe.stdout)?.[1];
  if (!version) throw new Error(`could not read the version of redis-server from ${JSON.stringify(probe.stdout)}`);
  return version;
}

function listenOn(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * A loopback port nobody listens on right now. With `withBusPort`, port + 10000 is free too:
 * a cluster node listens there for its cluster bus.
 */
export async function freePort(withBusPort = false): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await listenOn(withBusPort ? 20_000 + Math.floor(Math.random() * 30_000) : 0);
    if (port === undefined) continue;
    if (!withBusPort || (await listenOn(port + 10_000)) !== undefined) return port;
  }
  throw new Error('no free loopback port found');
}

function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      if (child.exitCode !== null) return reject(new Error(`redis-server exited with code ${child.exitCode}`));
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.end('PING\r\n');
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`redis-server did not listen on port ${port} within ${timeoutMs} ms`));
        else setTimeout(attempt, 25);
      });
    };
    attempt();
  });
}

/**
 * Starts a throw-away redis-server on a free loopback port: no persistence, its own working
 * directory, extra `config` lines given as command-line options (`['--cluster-enabled', 'yes']`).
 */
export async function startRedisServer(config: readonly string[] = [], options: { clusterNode?: boolean } = {}): Promise<RunningRedis> {
  const version = redisServerVersion();
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort(options.clusterNode);
    const dir = mkdtempSync(join(tmpdir(), 'isolated-redis-test-'));
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...config],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitForPort(port, child, 10_000);
    } catch (error) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      lastError = new Error(`${(error as Error).message}\n${output}`);
      continue;
    }
    const stop = async (): Promise<void> => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    };
    return { port, url: `redis://127.0.0.1:${port}`, version, stop };
  }
  throw lastError;
}

/** A local Redis Cluster of three masters (no replicas), all slots assigned and the state `ok`. */
export interface RunningCluster {
  readonly nodes: readonly RunningRedis[];
  stop(): Promise<void>;
}

export async function startRedisCluster(masters = 3): Promise<RunningCluster> {
  const config = ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '5000'];
  const nodes = await Promise.all(Array.from({ length: masters }, () => startRedisServer(config, { clusterNode: true })));
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.stop()));
  };
  try {
    const create = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...nodes.map((node) => `127.0.0.1:${node.port}`), '--cluster-replicas', '0', '--cluster-yes'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${create.stdout}${create.stderr}`);
    const deadline = Date.now() + 30_000;
    for (const node of nodes) {
      for (;;) {
        const info = spawnSync('redis-cli', ['-p', String(node.port), 'CLUSTER', 'INFO'], { encoding: 'utf8' }).stdout;
        if (info.includes('cluster_state:ok')) break;
        if (Date.now() > deadline) throw new Error(`cluster node ${node.port} did not reach cluster_state:ok:\n${info}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes, stop };
}
