import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A redis-server process this test run started, and how to reach and stop it. */
export interface RunningRedis {
  readonly port: number;
  readonly url: string;
  readonly version: string;
  stop(): Promise<void>;
  /** Kills the process (SIGKILL unless told), keeping its port, directory and options: `start()` brings it back. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts a killed process again, on the same port, in the same directory, with the same options. */
  start(): Promise<void>;
  /** `kill(signal)`, `downMs` of silence, then `start()`: a server restart as clients see one. */
  restart(options?: { signal?: NodeJS.Signals; downMs?: number }): Promise<void>;
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

/** How {@link startRedisServer} starts a server besides its `config` lines. */
export interface RedisServerOptions {
  /** Its port + 10000 must be free too (the cluster bus). */
  readonly clusterNode?: boolean;
  /**
   * The text of a configuration file, written to the server's directory and passed first (the
   * command-line options still apply over it): a Sentinel needs one, since it rewrites it.
   */
  readonly configFile?: string;
}

/**
 * Starts a throw-away redis-server on a free loopback port: no persistence, its own working
 * directory, extra `config` lines given as command-line options (`['--cluster-enabled', 'yes']`).
 */
export async function startRedisServer(config: readonly string[] = [], options: RedisServerOptions = {}): Promise<RunningRedis> {
  const version = redisServerVersion();
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort(options.clusterNode);
    const dir = mkdtempSync(join(tmpdir(), 'isolated-redis-test-'));
    const configFile = options.configFile === undefined ? [] : [join(dir, 'redis.conf')];
    if (options.configFile !== undefined) writeFileSync(join(dir, 'redis.conf'), options.configFile);
    const args = [...configFile, '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...config];
    let child: ChildProcess | undefined;
    const launch = async (): Promise<void> => {
      const started = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      started.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      started.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      try {
        await waitForPort(port, started, 10_000);
      } catch (error) {
        started.kill('SIGKILL');
        throw new Error(`${(error as Error).message}\n${output}`);
      }
      child = started;
    };
    try {
      await launch();
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      lastError = error;
      continue;
    }
    const kill = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
      const running = child;
      child = undefined;
      if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill(signal);
      await exited;
    };
    const start = async (): Promise<void> => {
      if (child !== undefined) return;
      // The port was the process's: it stays free unless another process took it meanwhile.
      for (let tries = 0; ; tries++) {
        try {
          return await launch();
        } catch (error) {
          if (tries >= 20) throw error;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    };
    const stop = async (): Promise<void> => {
      await kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    };
    const restart = async ({ signal, downMs = 0 }: { signal?: NodeJS.Signals; downMs?: number } = {}): Promise<void> => {
      await kill(signal);
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      await start();
    };
    return { port, url: `redis://127.0.0.1:${port}`, version, stop, kill, start, restart };
  }
  throw lastError;
}

/** A RESP2 reply as {@link redisCommand} returns it: error replies reject instead. */
export type RespReply = string | number | null | RespReply[];

/** Parses one RESP2 reply at `at`; `undefined` while the buffer does not hold it whole. */
function parseReply(buffer: Buffer, at: number): { value: RespReply | Error; end: number } | undefined {
  const lineEnd = buffer.indexOf('\r\n', at);
  if (lineEnd < 0) return undefined;
  const line = buffer.toString('utf8', at + 1, lineEnd);
  const next = lineEnd + 2;
  switch (String.fromCharCode(buffer[at] as number)) {
    case '+':
      return { value: line, end: next };
    case '-':
      return { value: new Error(line), end: next };
    case ':':
      return { value: Number(line), end: next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, end: next };
      if (buffer.length < next + length + 2) return undefined;
      return { value: buffer.toString('utf8', next, next + length), end: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, end: next };
      const items: RespReply[] = [];
      let end = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buffer, end);
        if (item === undefined) return undefined;
        // An error inside an array (EXEC) is kept as its message.
        items.push(item.value instanceof Error ? item.value.message : item.value);
        end = item.end;
      }
      return { value: items, end };
    }
    default:
      throw new Error(`unexpected RESP reply ${JSON.stringify(buffer.toString('utf8', at, Math.min(buffer.length, at + 40)))}`);
  }
}

/**
 * Sends one command to a local server on a connection of its own and returns the reply
 * (asynchronous: the tests' clients keep running meanwhile). An error reply rejects, with the
 * server's message. For the test setup's admin commands (CLUSTER, SENTINEL, MIGRATE, CONFIG...).
 */
export function redisCommand(port: number, ...args: ReadonlyArray<string | number>): Promise<RespReply> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => socket.destroy(new Error(`no reply from 127.0.0.1:${port} to ${args.join(' ')} within 30 s`)), 30_000);
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const reply = parseReply(received, 0);
      if (reply === undefined) return;
      clearTimeout(timer);
      socket.end();
      if (reply.value instanceof Error) reject(new Error(`${args.join(' ')} on 127.0.0.1:${port}: ${reply.value.message}`));
      else resolve(reply.value);
    });
    const parts = args.map(String);
    socket.write(`*${parts.length}\r\n${parts.map((part) => `$${Buffer.byteLength(part)}\r\n${part}\r\n`).join('')}`);
  });
}

/** The `name:value` fields of an INFO reply (or of `CLUSTER INFO`). */
export function infoFields(text: RespReply): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of String(text).split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/**
 * Waits until the replica on `port` is connected to its master and receives its command stream:
 * it got everything the master sent up to a PUBLISH (replicated, harmless) sent now. "Link up" is
 * not enough: after a diskless full sync (Redis 7), a master holds the stream back until the
 * replica's first ACK, up to a second later, and a replica promoted meanwhile misses those writes.
 */
export async function waitForReplicaInSync(port: number): Promise<void> {
  const link = await waitUntil(`127.0.0.1:${port} connected to its master`, async () => {
    const fields = infoFields(await redisCommand(port, 'INFO', 'replication'));
    return fields.get('master_link_status') === 'up' ? Number(fields.get('master_port')) : undefined;
  });
  await redisCommand(link, 'PUBLISH', '__isolated-redis-test__:sync', 'x');
  const target = Number(infoFields(await redisCommand(link, 'INFO', 'replication')).get('master_repl_offset'));
  await waitUntil(`127.0.0.1:${port} to reach its master's offset ${target}`, async () =>
    Number(infoFields(await redisCommand(port, 'INFO', 'replication')).get('slave_repl_offset')) >= target ? true : undefined,
  );
}

/** Polls `check` every `everyMs` until it returns a value other than `undefined`; throws `what` past `timeoutMs`. */
export async function waitUntil<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** One master of a running cluster, as CLUSTER NODES shows it. */
export interface ClusterMaster {
  readonly port: number;
  readonly id: string;
  /** Its slot ranges, inclusive (`[[0, 5460]]`). */
  readonly slots: ReadonlyArray<readonly [number, number]>;
  /** The ports of its replicas. */
  readonly replicas: readonly number[];
}

/**
 * A slot on its way from one master to another (CLUSTER SETSLOT MIGRATING/IMPORTING): keys are
 * moved in batches with MIGRATE until `finish()` gives the slot to the target (SETSLOT NODE).
 * Meanwhile the source answers ASK for the keys it no longer has; afterwards, MOVED.
 */
export interface SlotMigration {
  readonly slot: number;
  readonly from: number;
  readonly to: number;
  /** Moves up to `limit` keys of the slot (all by default) with MIGRATE; resolves with how many moved. */
  moveKeys(limit?: number): Promise<number>;
  /** Moves the keys left, gives the slot to the target on every master, and waits until every node agrees. */
  finish(): Promise<void>;
}

/** A local Redis Cluster (three masters by default, with `replicas` replicas each), all slots assigned and the state `ok`. */
export interface RunningCluster {
  /** Every node, masters and replicas, in the order they were started. */
  readonly nodes: readonly RunningRedis[];
  stop(): Promise<void>;
  /** The masters now, with their slots and replicas, as the first node that answers sees them. */
  masters(): Promise<ClusterMaster[]>;
  /** The hash slot of `key` (CLUSTER KEYSLOT). */
  keySlot(key: string): Promise<number>;
  /** The port of the master serving `slot` now. */
  slotOwner(slot: number): Promise<number>;
  /**
   * A manual failover (CLUSTER FAILOVER) of the master on `masterPort` (by default the first that
   * has a replica) to one of its replicas; resolves once every node sees the replica as the master,
   * the state is `ok` and the old master replicates from the new one.
   */
  failover(masterPort?: number): Promise<{ from: number; to: number }>;
  /** Starts moving `slot` to the master on `toPort` (see {@link SlotMigration}). */
  startSlotMigration(slot: number, toPort: number): Promise<SlotMigration>;
  /** Moves `slot` to the master on `toPort`, keys included, and waits until every node agrees. */
  migrateSlot(slot: number, toPort: number): Promise<void>;
}

/** Options of {@link startRedisCluster}. */
export interface RedisClusterOptions {
  /** Replicas per master (`--cluster-replicas`); 0 by default. */
  readonly replicas?: number;
  /** `cluster-node-timeout`: 5000 ms by default, 2000 ms with replicas (the nodes gossip their replicas' state sooner). */
  readonly nodeTimeoutMs?: number;
}

interface ClusterNodeLine {
  readonly id: string;
  readonly port: number;
  readonly flags: readonly string[];
  readonly masterId: string;
  readonly slots: ReadonlyArray<readonly [number, number]>;
}

function parseClusterNodes(text: RespReply): ClusterNodeLine[] {
  return String(text)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [id = '', address = '', flags = '', masterId = '', , , , , ...slotFields] = line.trim().split(' ');
      const slots = slotFields
        .filter((field) => !field.startsWith('['))
        .map((field): readonly [number, number] => {
          const [first, last] = field.split('-').map(Number);
          return [first as number, last ?? (first as number)];
        });
      return { id, port: Number(/:(\d+)@/.exec(address)?.[1]), flags: flags.split(','), masterId, slots };
    });
}

const servesSlot = (line: ClusterNodeLine, slot: number): boolean => line.slots.some(([first, last]) => slot >= first && slot <= last);

export async function startRedisCluster(masters = 3, options: RedisClusterOptions = {}): Promise<RunningCluster> {
  const replicas = options.replicas ?? 0;
  const config = ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', String(options.nodeTimeoutMs ?? (replicas > 0 ? 2000 : 5000))];
  // A replica's full sync starts at once, not after the 5 s a master waits for more replicas by default; the
  // master pings its replicas every second, not 10: CLUSTER SLOTS lists a replica once its offset is not 0.
  if (replicas > 0) config.push('--repl-diskless-sync-delay', '0', '--repl-ping-replica-period', '1');
  const nodes = await Promise.all(Array.from({ length: masters * (1 + replicas) }, () => startRedisServer(config, { clusterNode: true })));
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.stop()));
  };

  /** CLUSTER NODES of the first node that answers (a killed node is skipped). */
  const clusterNodes = async (): Promise<ClusterNodeLine[]> => {
    let last: unknown;
    for (const node of nodes) {
      try {
        return parseClusterNodes(await redisCommand(node.port, 'CLUSTER', 'NODES'));
      } catch (error) {
        last = error;
      }
    }
    throw last;
  };
  const mastersNow = async (): Promise<ClusterMaster[]> => {
    const lines = await clusterNodes();
    return lines
      .filter((line) => line.flags.includes('master') && !line.flags.includes('fail'))
      .map((line) => ({
        port: line.port,
        id: line.id,
        slots: line.slots,
        replicas: lines.filter((replica) => replica.masterId === line.id && !replica.flags.includes('fail')).map((replica) => replica.port),
      }));
  };
  /** Waits until every node that answers agrees with `agrees` on its CLUSTER NODES, and reports cluster_state:ok. */
  const waitForAgreement = (what: string, agrees: (lines: ClusterNodeLine[]) => boolean): Promise<true> =>
    waitUntil(what, async () => {
      for (const node of nodes) {
        let lines: ClusterNodeLine[];
        try {
          lines = parseClusterNodes(await redisCommand(node.port, 'CLUSTER', 'NODES'));
        } catch {
          continue; // a killed node has no say
        }
        if (!agrees(lines)) return undefined;
        if (infoFields(await redisCommand(node.port, 'CLUSTER', 'INFO')).get('cluster_state') !== 'ok') return undefined;
      }
      return true;
    });
  const keySlot = async (key: string): Promise<number> => Number(await redisCommand(nodes[0]?.port as number, 'CLUSTER', 'KEYSLOT', key));
  const slotOwner = async (slot: number): Promise<number> => {
    const owner = (await clusterNodes()).find((line) => line.flags.includes('master') && servesSlot(line, slot));
    if (!owner) throw new Error(`no master serves slot ${slot}`);
    return owner.port;
  };
  const replicating = (port: number): Promise<void> => waitForReplicaInSync(port);

  const failover = async (masterPort?: number): Promise<{ from: number; to: number }> => {
    const current = await mastersNow();
    const master = current.find((candidate) => (masterPort === undefined ? candidate.replicas.length > 0 : candidate.port === masterPort));
    const to = master?.replicas[0];
    if (!master || to === undefined) throw new Error(`no master with a replica to fail over${masterPort === undefined ? '' : ` on port ${masterPort}`}`);
    await replicating(to);
    await redisCommand(to, 'CLUSTER', 'FAILOVER');
    await waitForAgreement(`the failover of ${master.port} to ${to}`, (lines) => {
      const promoted = lines.find((line) => line.port === to);
      const demoted = lines.find((line) => line.port === master.port);
      return promoted?.flags.includes('master') === true && demoted?.flags.includes('slave') === true && demoted.masterId === promoted.id;
    });
    await replicating(master.port);
    return { from: master.port, to };
  };

  const startSlotMigration = async (slot: number, toPort: number): Promise<SlotMigration> => {
    const from = await slotOwner(slot);
    if (from === toPort) throw new Error(`slot ${slot} is already on ${toPort}`);
    const [fromId, toId] = await Promise.all([redisCommand(from, 'CLUSTER', 'MYID'), redisCommand(toPort, 'CLUSTER', 'MYID')]);
    await redisCommand(toPort, 'CLUSTER', 'SETSLOT', slot, 'IMPORTING', String(fromId));
    await redisCommand(from, 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', String(toId));
    const moveKeys = async (limit = Number.POSITIVE_INFINITY): Promise<number> => {
      let moved = 0;
      while (moved < limit) {
        const keys = (await redisCommand(from, 'CLUSTER', 'GETKEYSINSLOT', slot, Math.min(100, limit - moved))) as string[];
        if (keys.length === 0) break;
        await redisCommand(from, 'MIGRATE', '127.0.0.1', toPort, '', 0, 5000, 'KEYS', ...keys);
        moved += keys.length;
      }
      return moved;
    };
    const finish = async (): Promise<void> => {
      await moveKeys();
      // The target first, then the source (which stops redirecting with ASK), then every other master.
      await redisCommand(toPort, 'CLUSTER', 'SETSLOT', slot, 'NODE', String(toId));
      await redisCommand(from, 'CLUSTER', 'SETSLOT', slot, 'NODE', String(toId));
      for (const master of await mastersNow()) {
        if (master.port !== from && master.port !== toPort) await redisCommand(master.port, 'CLUSTER', 'SETSLOT', slot, 'NODE', String(toId));
      }
      await waitForAgreement(`slot ${slot} on ${toPort}`, (lines) => lines.find((line) => line.port === toPort && servesSlot(line, slot)) !== undefined);
    };
    return { slot, from, to: toPort, moveKeys, finish };
  };
  const migrateSlot = async (slot: number, toPort: number): Promise<void> => {
    await (await startSlotMigration(slot, toPort)).finish();
  };

  try {
    const create = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...nodes.map((node) => `127.0.0.1:${node.port}`), '--cluster-replicas', String(replicas), '--cluster-yes'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${create.stdout}${create.stderr}`);
    const deadline = Date.now() + 30_000;
    for (const node of nodes) {
      for (;;) {
        const info = spawnSync('redis-cli', ['-p', String(node.port), 'CLUSTER', 'INFO'], { encoding: 'utf8' }).stdout;
        if (info.includes('cluster_state:ok') && info.includes(`cluster_known_nodes:${nodes.length}`)) break;
        if (Date.now() > deadline) throw new Error(`cluster node ${node.port} did not reach cluster_state:ok:\n${info}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    if (replicas > 0) {
      // Every node sees every replica, and every replica is in sync: ready for failovers and replica reads.
      await waitForAgreement('the replicas', (lines) => lines.filter((line) => line.flags.includes('slave')).length === masters * replicas);
      for (const master of await mastersNow()) for (const replica of master.replicas) await replicating(replica);
      // CLUSTER SLOTS, which the drivers read, lists a replica only once its replication offset (gossiped) is not 0.
      await waitUntil('the replicas in CLUSTER SLOTS', async () => {
        for (const node of nodes) {
          const slots = (await redisCommand(node.port, 'CLUSTER', 'SLOTS')) as RespReply[][];
          if (slots.some((range) => range.length < 3 + replicas)) return undefined;
        }
        return true;
      });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes, stop, masters: mastersNow, keySlot, slotOwner, failover, startSlotMigration, migrateSlot };
}
