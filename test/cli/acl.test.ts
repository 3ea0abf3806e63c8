import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ACL_DECISIONS, GRANTABLE_COMMANDS, aclCommandVerdicts, aclRules, monitorAclRules, runAclCommand } from '../../src/cli/acl.js';
import { buildCommandTable } from '../../src/core/command-rules.js';
import type { CliIo } from '../../src/cli/io.js';
import { IsolationConfigError, createIsolatedRedis, type PressureClient, type PressureEvent, type PressureSampleEvent } from '../../src/index.js';
import { IOREDIS_VERSIONS } from '../support/ioredis-versions.js';
import { NODE_REDIS_VARIANTS } from '../support/node-redis-versions.js';
import { startRedisServer, type RunningRedis } from '../support/redis-server.js';

async function acl(args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  let out = '';
  const io: CliIo = { stdout: (text) => (out += text), stderr: (text) => (out += text), cwd: process.cwd(), env };
  return { code: await runAclCommand(args, io), out };
}

describe('isolated-redis acl', () => {
  it('confines keys and channels to the prefix, and grants from -@all what the guard allows: the handshake and INFO too, nothing it blocks', () => {
    const rules = aclRules({ namespace: 'mcp2' });
    expect(rules.slice(0, 7)).toEqual(['on', 'nopass', 'resetkeys', '~mcp2:*', 'resetchannels', '&mcp2:*', '-@all']);
    expect(rules.slice(7).every((rule) => rule.startsWith('+'))).toBe(true);
    for (const granted of ['get', 'set', 'eval', 'fcall', 'fcall_ro', 'publish', 'subscribe', 'hello', 'auth', 'select', 'client|setname', 'client|setinfo', 'info', 'ping']) {
      expect(rules).toContain(`+${granted}`);
    }
    for (const denied of ['flushdb', 'flushall', 'randomkey', 'dbsize', 'config|set', 'script|flush', 'keys', 'scan', 'function|load', 'function|list', 'function|delete', 'pubsub|channels', 'pubsub|numsub', 'client|tracking', 'client|list']) {
      expect(rules).not.toContain(`+${denied}`);
    }
    expect(aclRules({ namespace: 'mcp2', info: false })).not.toContain('+info');
    // Only the commands the target server knows are named: Redis refuses a whole ACL naming one it lacks.
    expect(aclRules({ namespace: 'mcp2', knownCommands: new Set(['get', 'info', 'flushall', 'nosuch']) }).slice(6)).toEqual(['-@all', '+get', '+info']);
  });

  it('grants back only the commands denied for the names they show, and only when asked', async () => {
    expect(aclRules({ namespace: 'mcp2', grant: ['scan', 'CLIENT|TRACKING'] })).toEqual(expect.arrayContaining(['+scan', '+client|tracking']));
    expect(GRANTABLE_COMMANDS).toEqual(['client|tracking', 'keys', 'pubsub|channels', 'pubsub|numsub', 'pubsub|shardchannels', 'pubsub|shardnumsub', 'scan']);
    for (const name of ['function|load', 'flushall', 'client|list', 'nosuch']) expect(() => aclRules({ namespace: 'mcp2', grant: [name] })).toThrow(IsolationConfigError);
    const { out } = await acl(['--namespace', 'mcp2', '--nopass', '--grant', 'scan, pubsub|numsub']);
    expect(out.split(' ')).toEqual(expect.arrayContaining(['+scan', '+pubsub|numsub']));
    await expect(acl(['--namespace', 'mcp2', '--nopass', '--grant', 'function|load'])).rejects.toThrow(/cannot grant "function\|load"/);
  });

  it('every decision names a command of the guard table, and a confined command without one is denied', () => {
    const names = new Set(aclCommandVerdicts().map((v) => v.name));
    expect(Object.keys(ACL_DECISIONS).filter((name) => !names.has(name))).toEqual([]);
    const table = buildCommandTable({ 'json.get': { firstKey: 0 }, 'json.mget': { locate: (args, sink) => sink.at(0, 'key') }, 'ft.search': { keys: 'none' } });
    const verdicts = new Map(aclCommandVerdicts({}, table).map((v) => [v.name, v]));
    expect(verdicts.get('json.get')).toMatchObject({ granted: true, source: 'guard' });
    expect(verdicts.get('ft.search')).toMatchObject({ granted: true, source: 'guard' });
    expect(verdicts.get('json.mget')).toMatchObject({ granted: false, source: 'decision', why: expect.stringMatching(/no decision/) });
    expect(verdicts.get('hello')).toMatchObject({ granted: true, source: 'connection' });
    expect(verdicts.get('flushall')).toMatchObject({ granted: false, source: 'guard' });
  });

  it('refuses a namespace the guard refuses (glob characters), and follows the hash-tag rule', () => {
    expect(() => aclRules({ namespace: 'tenant[1]' })).toThrow(IsolationConfigError);
    expect(aclRules({ namespace: 'mcp2', hashTag: true })).toContain('~{mcp2}:*');
  });

  it('gives a family the keys and channels of every member, and refuses a family that is not one', async () => {
    expect(aclRules({ namespace: 'tenant-*' })).toEqual(expect.arrayContaining(['~tenant-*:*', '&tenant-*:*']));
    expect(aclRules({ namespace: 'tenant-*', hashTag: true })).toContain('~{tenant-*}:*');
    expect(() => aclRules({ namespace: 'ten:ant-*' })).toThrow(IsolationConfigError);
    const { out } = await acl(['--namespace', 'tenant-*', '--nopass']);
    expect(out).toMatch(/^ACL SETUSER tenant reset on nopass resetkeys ~tenant-\*:\* resetchannels &tenant-\*:\* /);
  });

  it('a monitoring user gets no key, no channel, and no command but INFO and the handshake', () => {
    expect(monitorAclRules({})).toEqual([
      'on', 'nopass', 'resetkeys', 'resetchannels', '-@all', '+info', '+ping', '+hello', '+auth', '+select', '+client|setname', '+client|setinfo', '+quit',
    ]);
    expect(monitorAclRules({ knownCommands: new Set(['info', 'hello']) }).slice(4)).toEqual(['-@all', '+info', '+hello']);
  });

  it('stores the passwords as their SHA-256, never in clear', async () => {
    const { code, out } = await acl(
      ['--namespace', 'mcp2', '--password-env', 'PW', '--monitor-user', 'watcher', '--monitor-password-env', 'MPW', '--format', 'aclfile'],
      { PW: 'secret', MPW: 'other' },
    );
    expect(code).toBe(0);
    const [service, monitor] = out.trim().split('\n');
    expect(service).toMatch(/^user mcp2 on #2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b resetkeys ~mcp2:\* resetchannels &mcp2:\* -@all .* \+info /);
    expect(monitor).toMatch(/^user watcher on #[0-9a-f]{64} resetkeys resetchannels -@all \+info /);
    expect(out).not.toContain('secret');
    expect(out).not.toContain('other');
  });

  it('refuses incomplete monitoring-user flags', async () => {
    await expect(acl(['--namespace', 'mcp2', '--nopass', '--monitor-password-env', 'MPW'], { MPW: 'x' })).rejects.toMatchObject({ code: 'ERR_CLI_USAGE' });
    await expect(acl(['--namespace', 'mcp2', '--password-env', 'PW', '--monitor-user', 'w'], { PW: 'x' })).rejects.toThrow(/--monitor-password-env/);
    await expect(acl(['--namespace', 'mcp2', '--nopass', '--monitor-user', 'mcp2'])).rejects.toThrow(/must differ/);
  });
});

/** What a test keeps of one isolated client on an ACL user, whichever the driver. */
interface Opened {
  readonly name: string;
  set(key: string, value: string): Promise<unknown>;
  get(key: string): Promise<unknown>;
  close(): Promise<void>;
}

interface Options {
  readonly user: string;
  readonly password: string;
  readonly readyCheck: boolean;
  readonly hooks?: { onPressure: (e: PressureEvent) => void; onPressureSample: (e: PressureSampleEvent) => void };
  readonly logger?: { warn: (o: object, m?: string) => void; error: (o: object, m?: string) => void; info: (o: object, m?: string) => void };
  readonly monitor?: PressureClient;
}

/**
 * Each driver opens its client the way a service would, with a connection name (CLIENT SETNAME
 * or HELLO SETNAME), the isolated client created before the connection is ready.
 */
const DRIVERS = [
  ...IOREDIS_VERSIONS.map(({ name, Redis: RedisClass }) => ({
    name,
    async open(url: string, o: Options): Promise<Opened> {
      const raw = new RedisClass(url, { username: o.user, password: o.password, connectionName: 'svc', enableReadyCheck: o.readyCheck, maxRetriesPerRequest: 0 });
      const redis = createIsolatedRedis({
        namespace: 'mcp2',
        client: raw,
        ...(o.hooks ? { hooks: o.hooks } : {}),
        ...(o.logger ? { logger: o.logger } : {}),
        ...(o.hooks ? { pressure: { intervalMs: 60_000, ...(o.monitor ? { client: o.monitor } : {}) } } : {}),
      });
      await new Promise((resolve, reject) => {
        raw.once('ready', resolve);
        raw.once('error', reject);
      });
      return { name, set: (k, v) => redis.set(k, v), get: (k) => redis.get(k), close: async () => void (await raw.quit()) };
    },
    monitorClient(url: string, user: string, password: string): { client: PressureClient; close(): Promise<void> } {
      const raw = new RedisClass(url, { username: user, password, maxRetriesPerRequest: 0 });
      return { client: raw, close: async () => void (await raw.quit()) };
    },
  })),
  ...NODE_REDIS_VARIANTS.map(({ label, createClient, options }) => ({
    name: label,
    async open(url: string, o: Options): Promise<Opened> {
      const raw = createClient({ url, username: o.user, password: o.password, name: 'svc', ...options });
      const redis = createIsolatedRedis({
        namespace: 'mcp2',
        client: raw,
        ...(o.hooks ? { hooks: o.hooks } : {}),
        ...(o.logger ? { logger: o.logger } : {}),
        ...(o.hooks ? { pressure: { intervalMs: 60_000, ...(o.monitor ? { client: o.monitor } : {}) } } : {}),
      });
      await raw.connect();
      return { name: label, set: (k, v) => redis.set(k, v), get: (k) => redis.get(k), close: async () => void (await raw.close()) };
    },
    monitorClient(url: string, user: string, password: string): { client: PressureClient; close(): Promise<void> } {
      const raw = createClient({ url, username: user, password, ...options });
      void raw.connect();
      return { client: raw, close: async () => void (await raw.close()) };
    },
  })),
];

describe('the printed rules applied to a real redis-server', () => {
  let server: RunningRedis;
  let admin: Redis;
  const warnings: string[] = [];
  const onWarning = (warning: Error): void => void warnings.push(warning.message);

  beforeAll(async () => {
    server = await startRedisServer();
    admin = new Redis(server.url);
    const { out } = await acl(
      ['--namespace', 'mcp2', '--user', 'svc', '--password-env', 'PW', '--monitor-user', 'watcher', '--monitor-password-env', 'MPW', '--url', server.url],
      { PW: 'pw-1', MPW: 'pw-m' },
    );
    const { out: strict } = await acl(['--namespace', 'mcp2', '--user', 'svc-noinfo', '--password-env', 'PW', '--no-info', '--url', server.url], { PW: 'pw-2' });
    for (const line of [...out.trim().split('\n'), strict.trim()]) {
      const [command, subcommand, ...rules] = line.split(' ');
      expect(await admin.call(command as string, subcommand as string, ...rules), line).toBe('OK');
    }
    await admin.set('celery:task', 'celery-secret');
    process.on('warning', onWarning);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    process.off('warning', onWarning);
    admin?.disconnect();
    await server?.stop();
  });

  describe('the service user', () => {
    let user: Redis;
    beforeAll(() => {
      user = new Redis(server.url, { username: 'svc', password: 'pw-1', maxRetriesPerRequest: 0 });
    });
    afterAll(() => user?.disconnect());

    it('lets the user read and write mcp2: keys', async () => {
      expect(await user.set('mcp2:payload:1', 'v')).toBe('OK');
      expect(await user.get('mcp2:payload:1')).toBe('v');
      expect(await user.hset('mcp2:h', 'f', '1')).toBe(1);
    });

    it('refuses celery: keys with NOPERM', async () => {
      await expect(user.get('celery:task')).rejects.toThrow(/NOPERM/);
      await expect(user.set('celery:task', 'x')).rejects.toThrow(/NOPERM/);
      await expect(user.rename('mcp2:payload:1', 'celery:stolen')).rejects.toThrow(/NOPERM/);
    });

    it('lets the user publish and subscribe on mcp2: channels only', async () => {
      expect(await user.publish('mcp2:events', 'hi')).toBe(0);
      await expect(user.publish('celery:events', 'hi')).rejects.toThrow(/NOPERM/);
      const subscriber = user.duplicate();
      try {
        expect(await subscriber.subscribe('mcp2:events')).toBe(1);
        await expect(subscriber.subscribe('celery:events')).rejects.toThrow(/NOPERM/);
      } finally {
        subscriber.disconnect();
      }
    });

    it('refuses the keyspace-wide commands the guard blocks', async () => {
      await expect(user.flushdb()).rejects.toThrow(/NOPERM/);
      await expect(user.randomkey()).rejects.toThrow(/NOPERM/);
      await expect(user.dbsize()).rejects.toThrow(/NOPERM/);
      await expect(user.keys('*')).rejects.toThrow(/NOPERM/);
      await expect(user.config('GET', 'maxmemory')).rejects.toThrow(/NOPERM/);
    });
  });

  it("grants INFO whole: Redis cannot grant some sections only (the first-argument form checks one argument)", async () => {
    expect(await admin.call('ACL', 'SETUSER', 'sections', 'reset', 'on', '>pw-s', '-@all', '+info|memory')).toBe('OK');
    const sections = new Redis(server.url, { username: 'sections', password: 'pw-s', enableReadyCheck: false, maxRetriesPerRequest: 0 });
    try {
      await expect(sections.info('keyspace')).rejects.toThrow(/NOPERM/);
      expect(await sections.info('memory', 'everything')).toMatch(/# Keyspace/);
    } finally {
      sections.disconnect();
      await admin.call('ACL', 'DELUSER', 'sections');
    }
  });

  describe.each(DRIVERS)('$name', (driver) => {
    beforeEach(async () => {
      await admin.call('ACL', 'LOG', 'RESET');
    });

    it('connects with its full handshake and the ready check, without a warning, and its pressure monitor samples', async () => {
      const warn = vi.spyOn(console, 'warn');
      const samples: PressureSampleEvent[] = [];
      const reports: PressureEvent[] = [];
      const before = warnings.length;
      const client = await driver.open(server.url, {
        user: 'svc',
        password: 'pw-1',
        readyCheck: true,
        hooks: { onPressure: (e) => reports.push(e), onPressureSample: (e) => samples.push(e) },
      });
      try {
        expect(await client.set('payload:1', driver.name)).toBe('OK');
        expect(await client.get('payload:1')).toBe(driver.name);
        // intervalMs is a minute: this sample is the one taken as soon as the client was ready.
        await vi.waitFor(() => expect(samples.length).toBeGreaterThan(0));
        expect(samples[0]?.figures.usedMemory).toBeGreaterThan(0);
        expect(reports.filter((r) => r.signal === 'monitor')).toEqual([]);
      } finally {
        await client.close();
      }
      expect(warn).not.toHaveBeenCalled();
      expect(warnings.slice(before)).toEqual([]);
      expect(await admin.call('ACL', 'LOG')).toEqual([]);
    });

    it('without INFO: the pressure monitor fails loudly at once (event and logger), and watches through a monitoring user', async () => {
      const reports: PressureEvent[] = [];
      const samples: PressureSampleEvent[] = [];
      const logger = { warn: vi.fn(), error: vi.fn(), info: vi.fn() };
      const hooks = { onPressure: (e: PressureEvent) => reports.push(e), onPressureSample: (e: PressureSampleEvent) => samples.push(e) };
      const blind = await driver.open(server.url, { user: 'svc-noinfo', password: 'pw-2', readyCheck: false, hooks, logger });
      try {
        await vi.waitFor(() => expect(reports.some((r) => r.signal === 'monitor')).toBe(true));
        const report = reports.find((r) => r.signal === 'monitor') as PressureEvent;
        expect(report).toMatchObject({ namespace: 'mcp2', level: 'warn', signal: 'monitor', error: expect.objectContaining({ message: expect.stringMatching(/NOPERM/) }) });
        expect(report.reason).toMatch(/cannot read INFO .*alarms are off.*pressure\.client/);
        expect(logger.warn).toHaveBeenCalledWith(expect.objectContaining({ namespace: 'mcp2', signal: 'monitor', error: expect.stringMatching(/NOPERM/) }), 'redis pressure: monitor warn');
        expect(samples).toEqual([]);
        // The user still works: only INFO is denied.
        expect(await blind.set('payload:2', 'x')).toBe('OK');
      } finally {
        await blind.close();
        await admin.call('ACL', 'LOG', 'RESET');
      }

      const monitoring = driver.monitorClient(server.url, 'watcher', 'pw-m');
      reports.length = 0;
      const watched = await driver.open(server.url, { user: 'svc-noinfo', password: 'pw-2', readyCheck: false, hooks, logger, monitor: monitoring.client });
      try {
        await vi.waitFor(() => expect(samples.length).toBeGreaterThan(0));
        expect(samples[0]?.figures.usedMemory).toBeGreaterThan(0);
        expect(reports.filter((r) => r.signal === 'monitor')).toEqual([]);
        // The monitoring user reads no key, not even the namespace's.
        expect(await admin.call('ACL', 'DRYRUN', 'watcher', 'GET', 'mcp2:payload:2')).toMatch(/no permissions/);
        expect(await admin.call('ACL', 'LOG')).toEqual([]);
      } finally {
        await watched.close();
        await monitoring.close();
      }
    });
  });
});
