import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACL_DECISIONS, aclCommandVerdicts, runAclCommand } from '../../src/cli/acl.js';
import type { CliIo } from '../../src/cli/io.js';
import { CUSTOM_RULES } from '../../src/core/locators.js';
import { BLOCKED_COMMANDS, CONNECTION_SCOPED_COMMANDS, KEYLESS_COMMANDS } from '../../src/core/policy.js';
import { IsolationError, MalformedCommandError, createGuard, type NamespaceGuard } from '../../src/index.js';
import { startRedisServer, type RunningRedis } from '../support/redis-server.js';
import { nameSets, probeLines, serverCommands, type ServerCommand } from './acl-probes.js';

/** What the guard does with a command line a raw connection would send as is. */
type GuardOutcome = 'refuses' | 'confines' | 'passes' | 'malformed';
/** What the server does with it for the generated user. */
type ServerOutcome = 'grants' | 'refuses' | 'rejects' | 'lacks' | 'unverifiable';

interface Verdict {
  readonly outcome: GuardOutcome;
  readonly code?: string;
  readonly detail: string;
}

interface Probe {
  readonly name: string;
  readonly line: readonly string[];
  readonly names: string;
  /** The guard with scripts sent as they are (`scripts: 'trust'`), as the ACL user sends them. */
  readonly trust: Verdict;
  /** The guard with scripts behind its Lua guard (the default). */
  readonly confine: Verdict;
  server: ServerOutcome;
}

const REFUSAL = /no permissions|NOPERM|denied due to insufficient ACL permissions/;
/** Lines the server rejects as it parses them, before it touches anything (MIGRATE with a key and KEYS). */
const REJECTION = /^ERR syntax error|^ERR When using MIGRATE KEYS option/;

/**
 * The guard in strict mode is the oracle: a raw connection sends the line unchanged, so a line
 * the strict guard refuses, or would send only with something added or renamed (SCAN's MATCH,
 * BCAST's PREFIX, PUBSUB CHANNELS's pattern, a library's name), must be refused by the server.
 * A malformed line (keys the guard cannot place) is left out: the server parses it itself, and
 * checks the keys it finds.
 */
function verdictOf(guard: NamespaceGuard, line: readonly string[]): Verdict {
  const [command, ...args] = line as [string, ...string[]];
  try {
    const sent = guard.rewrite(command, args);
    const same = sent.length === args.length && sent.every((arg, i) => String(arg) === args[i]);
    return same ? { outcome: 'passes', detail: '' } : { outcome: 'confines', detail: `the guard would send ${sent.join(' ').slice(0, 200)}` };
  } catch (error) {
    if (error instanceof MalformedCommandError) return { outcome: 'malformed', code: error.code, detail: error.message };
    if (error instanceof IsolationError) return { outcome: 'refuses', code: error.code, detail: `${error.code}: ${error.message}` };
    throw error;
  }
}

/** Refusals about a key, pattern or channel name: the server must mirror these even for scripts. */
const NAME_CODES: ReadonlySet<string> = new Set(['ERR_CROSS_NAMESPACE', 'ERR_UNPREFIXED_KEY', 'ERR_DOUBLE_PREFIX']);

/**
 * Guard refusals the server does not mirror, each for a documented reason (README, ACL section):
 * the connection-scoped commands, the `harmless` decisions, and for scripts and functions what
 * the server checks when they run instead (the Lua guard's wrapping, function names).
 */
function exempt(name: string, verdict: Verdict): boolean {
  const decision = ACL_DECISIONS[name]?.server;
  if (CONNECTION_SCOPED_COMMANDS.has(name) || decision === 'harmless') return true;
  return decision === 'runtime' && !(verdict.outcome === 'refuses' && NAME_CODES.has(verdict.code ?? ''));
}

const stopped = (v: Verdict): boolean => v.outcome === 'refuses' || v.outcome === 'confines';
/** The guard refuses or confines the line in a way the server must mirror. */
const mustRefuse = (p: Probe): boolean => [p.trust, p.confine].some((v) => stopped(v) && !exempt(p.name, v));
const refusedByServer = (p: Probe): boolean => p.server === 'refuses' || p.server === 'rejects' || p.server === 'lacks';

describe('the generated ACL user against every command and argument-level refusal of the guard', () => {
  let server: RunningRedis;
  let admin: Redis;
  let user: Redis;
  let commands: ServerCommand[];
  const probes: Probe[] = [];

  beforeAll(async () => {
    server = await startRedisServer();
    admin = new Redis(server.url);
    let out = '';
    const io: CliIo = { stdout: (text) => (out += text), stderr: (text) => (out += text), cwd: process.cwd(), env: {} };
    expect(await runAclCommand(['--namespace', 'mcp2', '--user', 'svc', '--nopass', '--url', server.url], io)).toBe(0);
    const [command, subcommand, ...rules] = out.trim().split(' ');
    expect(await admin.call(command as string, subcommand as string, ...rules)).toBe('OK');
    user = new Redis(server.url, { username: 'svc', password: 'unused', enableReadyCheck: false, maxRetriesPerRequest: 0, commandTimeout: 2000 });

    commands = await serverCommands(admin);
    const onServer = new Map(commands.map((c) => [c.name, c]));
    // Every command of the guard's table, and every command of the server's (the guard refuses
    // those its table lacks): the table's name with no arguments where the server lacks it.
    const names = [...new Set([...aclCommandVerdicts().map((v) => v.name), ...onServer.keys()])].sort();
    const trusting = createGuard({ namespace: 'mcp2', namespaces: ['mcp2', 'celery'], mode: 'strict', scripts: 'trust' });
    const confining = createGuard({ namespace: 'mcp2', namespaces: ['mcp2', 'celery'], mode: 'strict' });
    const sets = nameSets('mcp2:', 'celery:');
    for (const name of names) {
      const known = onServer.get(name) ?? { name, arity: -name.split('|').length, arguments: [] };
      for (const { line, names: label } of probeLines(known, sets)) {
        probes.push({ name, line, names: label, trust: verdictOf(trusting, line), confine: verdictOf(confining, line), server: 'unverifiable' });
      }
    }
    const pipeline = admin.pipeline();
    for (const probe of probes) pipeline.call('ACL', 'DRYRUN', 'svc', ...probe.line);
    const replies = (await pipeline.exec()) ?? [];
    replies.forEach(([error, reply], i) => {
      const probe = probes[i] as Probe;
      const text = error ? error.message : String(reply);
      probe.server = text === 'OK' ? 'grants' : REFUSAL.test(text) ? 'refuses' : /Command '.*' not found/.test(text) ? 'lacks' : 'unverifiable';
    });
    // ACL DRYRUN checks the command and its keys and channels; a refusal the server makes while
    // running the command (SORT's BY and GET patterns) shows only in a real call, as the user.
    for (const probe of probes.filter((p) => mustRefuse(p) && p.server === 'grants')) {
      const [command, ...args] = probe.line as [string, ...string[]];
      const text = await user.call(command, ...args).then(String, (error: Error) => error.message);
      probe.server = REFUSAL.test(text) ? 'refuses' : REJECTION.test(text) ? 'rejects' : probe.server;
    }
  });

  afterAll(async () => {
    user?.disconnect();
    admin?.disconnect();
    await server?.stop();
  });

  const show = (list: readonly Probe[]): string[] =>
    list.map((p) => `${p.line.join(' ').slice(0, 120)}  [${p.names}: trust ${p.trust.outcome}, confine ${p.confine.outcome}; server ${p.server}] ${p.trust.detail || p.confine.detail}`);

  it('enumerates the guard table and the server, and builds lines that reach every custom rule', () => {
    expect(probes.length).toBeGreaterThan(2000);
    const probed = new Set(probes.filter((p) => p.server !== 'lacks').map((p) => p.name));
    const customOnServer = Object.keys(CUSTOM_RULES).filter((name) => commands.some((c) => c.name === name));
    expect(customOnServer.length).toBeGreaterThan(40);
    expect(customOnServer.filter((name) => !probed.has(name))).toEqual([]);
    // Every custom rule of the guard has a decision for the server.
    expect(Object.keys(CUSTOM_RULES).filter((name) => ACL_DECISIONS[name] === undefined)).toEqual([]);
    // The argument-level refusals were reached: each of these lines is refused or confined by the guard.
    const caught = new Set(probes.filter(mustRefuse).map((p) => p.line.join(' ')));
    for (const expected of [
      'FUNCTION LOAD REPLACE mcp2:s',
      'FUNCTION LIST WITHCODE',
      'CLIENT TRACKING ON BCAST',
      'PUBSUB CHANNELS',
      'PUBSUB NUMSUB celery:s',
      'SCAN 1',
      'KEYS celery:*',
      'SUBSCRIBE __redis__:invalidate',
    ]) {
      expect([...caught].map((line) => line.toUpperCase())).toContain(expected.toUpperCase());
    }
  });

  it('every line the guard refuses or would confine is refused by the server, but the documented exceptions', () => {
    // Refused means a permission refusal, the server lacking the command, or a line it rejects as
    // it parses it; any other answer (a wrong arity, a type error) would prove nothing, and fails too.
    expect(show(probes.filter((p) => mustRefuse(p) && !refusedByServer(p)))).toEqual([]);
    // The exceptions are exercised, and each is one the README names.
    const exceptions = new Set(probes.filter((p) => !mustRefuse(p) && [p.trust, p.confine].some(stopped) && p.server === 'grants').map((p) => p.name));
    const documented = ['auth', 'client|getname', 'client|info', 'client|reply', 'client|setname', 'cluster|keyslot', 'eval', 'eval_ro', 'evalsha', 'evalsha_ro', 'fcall', 'fcall_ro', 'hello', 'punsubscribe', 'reset', 'script|load', 'select', 'sunsubscribe', 'unsubscribe'];
    expect([...exceptions].filter((name) => !documented.includes(name))).toEqual([]);
    expect(exceptions.size).toBeGreaterThan(10);
  });

  it('every command the policy blocks is refused (or unknown to this server), but the connection-scoped ones', () => {
    for (const name of Object.keys(BLOCKED_COMMANDS)) {
      const outcomes = new Set(probes.filter((p) => p.name === name).map((p) => p.server));
      expect(outcomes.size, name).toBeGreaterThan(0);
      if (CONNECTION_SCOPED_COMMANDS.has(name)) expect([...outcomes], name).toEqual(['grants']);
      else expect([...outcomes].every((o) => o === 'refuses' || o === 'lacks'), `${name}: ${[...outcomes].join(', ')}`).toBe(true);
    }
  });

  it("grants what it says it grants: every line the guard passes is answered as the command's verdict says", () => {
    const verdicts = new Map(aclCommandVerdicts().map((v) => [v.name, v.granted]));
    const mismatches = probes.filter((p) => p.trust.outcome === 'passes' && p.server !== 'lacks' && (p.server === 'grants') !== (verdicts.get(p.name) ?? false));
    expect(show(mismatches)).toEqual([]);
    // The keyless commands the guard allows (the drivers' handshakes and INFO among them) are granted.
    const keyless = probes.filter((p) => KEYLESS_COMMANDS.has(p.name) && ACL_DECISIONS[p.name] === undefined && p.server !== 'lacks');
    expect(keyless.filter((p) => p.server !== 'grants').map((p) => p.line.join(' '))).toEqual([]);
    expect(keyless.some((p) => p.name === 'info')).toBe(true);
  });

  it('a command the guard table lacks is refused: the rules start from -@all', async () => {
    const table = new Set(aclCommandVerdicts().map((v) => v.name));
    for (const c of commands.filter((command) => !table.has(command.name))) {
      expect(probes.filter((p) => p.name === c.name).every((p) => p.server === 'refuses'), c.name).toBe(true);
    }
    const user = (await admin.call('ACL', 'GETUSER', 'svc')) as unknown[];
    expect(String(user[user.indexOf('commands') + 1])).toMatch(/^-@all /);
  });
});
