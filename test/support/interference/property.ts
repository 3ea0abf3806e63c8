import fc from 'fast-check';
import { within, type InterferenceEnv } from './env.js';
import { BLOCK_MS, NAMESPACES, VICTIMS, VICTIM_KEYS, programArbitrary, secretOf, type Step, type VictimName } from './program.js';
import { VICTIM_CHANNEL, checkMailbox, show, victimLoop, type Mailbox } from './victims.js';

/** What one variant's property ran. */
export interface InterferenceRun {
  programs: number;
  steps: number;
  stallMs: number;
}

export interface InterferenceOptions {
  readonly seed: number;
  readonly numRuns: number;
  /** A victim operation slower than its baseline plus this is a stall. */
  readonly stallMarginMs: number;
  /** An attacker step that has not settled after this hangs. */
  readonly attackerHangMs: number;
  /** The whole property, shrinking included, stops (and fails) after this. */
  readonly timeLimitMs: number;
}

/** Markers of the victims' data: none may reach the attacker (its own values never contain them). */
const FOREIGN = /CELERY-SECRET|JOURNAL-SECRET|celery-|journal-|celery:|journal:/;

/** The first string (or Buffer) in a reply that carries a victim's marker; errors inside batch replies are skipped. */
function foreignIn(value: unknown, depth = 0): string | undefined {
  if (depth > 6 || value === null || value === undefined || value instanceof Error) return undefined;
  if (typeof value === 'string') return FOREIGN.test(value) ? value : undefined;
  if (Buffer.isBuffer(value)) return foreignIn(value.toString('latin1'), depth);
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = foreignIn(item, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (value instanceof Map) return foreignIn([...value.keys(), ...value.values()], depth + 1);
  if (typeof value === 'object') return foreignIn([...Object.keys(value), ...Object.values(value)], depth + 1);
  return undefined;
}

/**
 * Runs the interference property on one variant: fast-check draws attacker programs, each runs
 * while both victims loop; a program fails on the first broken invariant, with a message that
 * names it (fast-check adds the seed, the path and the shrunk program). After a failed program
 * the env is rebuilt, so that each (shrinking) run starts from a sound connection.
 */
export async function runInterference(create: () => Promise<InterferenceEnv>, options: InterferenceOptions, run: InterferenceRun): Promise<void> {
  let env = await create();
  let mailboxes = freshMailboxes();
  let closeSubscribers = await subscribeVictims(env, () => mailboxes);
  const stallMs = Math.ceil((await baseline(env)) + options.stallMarginMs);
  run.stallMs = stallMs;
  let broken = false;

  const property = fc.asyncProperty(programArbitrary, async (program) => {
    if (broken) {
      await closeSubscribers().catch(() => undefined);
      await env.close().catch(() => undefined);
      env = await create();
      closeSubscribers = await subscribeVictims(env, () => mailboxes);
      broken = false;
    }
    run.programs++;
    const violations = await runProgram(env, program, options, stallMs, run, (m) => (mailboxes = m));
    if (violations.length > 0) {
      broken = true;
      throw new Error(`interference: ${violations.join('\n  ')}`);
    }
  });
  try {
    await fc.assert(property, { seed: options.seed, numRuns: options.numRuns, interruptAfterTimeLimit: options.timeLimitMs, markInterruptAsFailure: true });
  } finally {
    await closeSubscribers().catch(() => undefined);
    await env.close().catch(() => undefined);
  }
}

function freshMailboxes(): Record<VictimName, Mailbox> {
  return { celery: { published: [], received: [], foreign: [] }, journal: { published: [], received: [], foreign: [] } };
}

/** Each victim's subscriber, on a connection of its own; messages go to the current program's mailbox. */
async function subscribeVictims(env: InterferenceEnv, mailboxes: () => Record<VictimName, Mailbox>): Promise<() => Promise<void>> {
  const closers = await Promise.all(
    VICTIMS.map((name) =>
      env.subscribeVictim(name, VICTIM_CHANNEL, (channel, message) => {
        const box = mailboxes()[name];
        if (channel === VICTIM_CHANNEL && message.startsWith(`${name}-`)) box.received.push(message);
        else box.foreign.push(`${channel}: ${message}`);
      }),
    ),
  );
  return async () => {
    await Promise.all(closers.map((close) => close()));
  };
}

/** The slowest victim operation with no attacker, over a few rounds: the base of the stall bound. */
async function baseline(env: InterferenceEnv): Promise<number> {
  const v = env.victim('celery');
  await env.rawSet(`celery:${VICTIM_KEYS.secret}`, secretOf('celery'));
  let slowest = 0;
  for (let i = 0; i < 30; i++) {
    for (const run of [() => v.set(VICTIM_KEYS.value, 'celery-0'), () => v.get(VICTIM_KEYS.value), () => v.incr(VICTIM_KEYS.counter), () => v.publish('baseline', 'x')]) {
      const started = performance.now();
      await run();
      slowest = Math.max(slowest, performance.now() - started);
    }
  }
  await env.rawFlush();
  return slowest;
}

/** One program: fresh data, victims looping, the attacker's steps, then the end-of-program checks and the reset. */
async function runProgram(
  env: InterferenceEnv,
  program: readonly Step[],
  options: InterferenceOptions,
  stallMs: number,
  run: InterferenceRun,
  setMailboxes: (m: Record<VictimName, Mailbox>) => void,
): Promise<string[]> {
  const violations: string[] = [];
  const mailboxes = freshMailboxes();
  setMailboxes(mailboxes);
  await env.rawFlush();
  for (const name of VICTIMS) await env.rawSet(`${name}:${VICTIM_KEYS.secret}`, secretOf(name));
  await env.rawSet(`celery:${VICTIM_KEYS.probe}`, 'celery-probe');

  let stopped = false;
  const loops = VICTIMS.map((name) => victimLoop(env, name, mailboxes[name], stallMs, () => stopped, violations));
  const heard = (channel: string, message: string): void => {
    if (FOREIGN.test(channel) || FOREIGN.test(message)) violations.push(`mcp2 heard another namespace's message: ${channel}: ${message}`);
  };

  for (const [index, step] of program.entries()) {
    run.steps++;
    const label = `step ${index + 1} ${show(step)}`;
    try {
      const started = performance.now();
      const pending = env.runStep(step, heard);
      let probe: Promise<{ settled: number; reply: unknown }> | undefined;
      if (step.kind === 'blocking') {
        // Once the blocking command is written, a victim's command on the same slot must not wait for it.
        await new Promise((resolve) => setImmediate(resolve));
        probe = within(env.victim('celery').get(VICTIM_KEYS.probe), options.attackerHangMs, 'probe').then((reply) => ({ settled: performance.now(), reply }));
        probe.catch(() => undefined);
      }
      const outcome = await within(pending, options.attackerHangMs, 'hang');
      const settled = performance.now();
      const leak = foreignIn(outcome.replies);
      if (leak !== undefined) violations.push(`mcp2 received another namespace's data at ${label}: ${show(leak)}`);
      if (probe) {
        const { settled: probeSettled, reply } = await probe;
        if (reply !== 'celery-probe') violations.push(`celery received a reply that is not its own during ${label}: GET ${VICTIM_KEYS.probe} answered ${show(reply)}`);
        if (settled - started >= BLOCK_MS * 0.8 && probeSettled > settled) {
          violations.push(`celery stalled behind mcp2's blocking command at ${label}: its GET answered only after the blocking command (${(settled - started).toFixed(0)} ms)`);
        }
      }
    } catch (error) {
      violations.push(`attacker hang at ${label}: ${(error as Error).message} (not settled within ${options.attackerHangMs} ms)`);
      break;
    }
    if (violations.length > 0) break;
  }
  stopped = true;
  await Promise.all(loops);
  for (const name of VICTIMS) await checkMailbox(name, mailboxes[name], 2_000, env.cluster, violations);
  await checkRaw(env, 'at the end of the program', violations);
  if (violations.length === 0) {
    try {
      await within(env.resetAttacker(), options.attackerHangMs, 'reset');
    } catch (error) {
      violations.push(`closing the attacker view did not settle: ${(error as Error).message}`);
    }
    await checkRaw(env, "after the attacker view's quit()", violations);
  }
  return violations;
}

/** The raw client still answers, is not in a transaction nor in subscriber mode, and the server holds only namespaced keys. */
async function checkRaw(env: InterferenceEnv, when: string, violations: string[]): Promise<void> {
  try {
    const pong = await within(env.rawPing(), 5_000, 'PING');
    if (pong !== 'PONG' && !(Array.isArray(pong) && pong.every((p) => p === 'PONG'))) violations.push(`raw PING answered ${show(pong)} ${when}`);
    const secret = await within(env.rawGet(`celery:${VICTIM_KEYS.secret}`), 5_000, 'GET');
    if (secret !== secretOf('celery')) violations.push(`raw GET celery:${VICTIM_KEYS.secret} answered ${show(secret)} ${when} (a transaction or subscriber mode left open, or data lost)`);
    const outside = (await within(env.rawKeys(), 5_000, 'SCAN')).filter((key) => !NAMESPACES.some((ns) => key.startsWith(`${ns}:`)));
    if (outside.length > 0) violations.push(`the server holds keys outside every namespace ${when}: ${show(outside)}`);
  } catch (error) {
    violations.push(`the raw client failed ${when}: ${(error as Error).message}`);
  }
}
