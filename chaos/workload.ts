/**
 * One worker per view: a lane that runs the differential command list (one at a time, or a chunk
 * as a pipeline or a MULTI) and a lane of checked operations whose replies are known in advance
 * (tagged values, ECHO, scripts with KEYS, blocking pops, pub/sub, durable writes with WAIT).
 */
import { commandList } from '../test/support/differential-commands.js';
import { describe, errorKind, isInternalError, taggedValue, workerKey, type Checker, type Worker } from './checks.js';
import type { Argv, ViewDriver } from './drivers.js';
import type { Rng } from './rng.js';

const EVAL_SET_GET = "redis.call('SET', KEYS[1], ARGV[1]) return redis.call('GET', KEYS[1])";
const EVAL_GET = "return redis.call('GET', KEYS[1])";

export interface WorkerOptions {
  readonly checker: Checker;
  readonly rng: Rng;
  /** A DUMP payload for the list's RESTORE. */
  readonly dump: Buffer;
  /** The topology has replicas: durable writes (SET + WAIT 1) are part of the mix. */
  readonly durable: boolean;
  /** Prints the first error of each kind, operation and site (`--trace-errors`). */
  readonly traceErrors: boolean;
  readonly tracedErrors: Set<string>;
}

/** A subscription of the worker's namespace and what it has heard. */
interface Subscription {
  readonly name: string;
  received: number;
  finalSeen: boolean;
}

export class WorkerRun {
  private stopped = false;
  private seq = 0;
  private readonly lastSeq = new Map<string, number>();
  private readonly lanes: Array<Promise<void>> = [];
  readonly subscriptions: Subscription[] = [];
  durableConfirmed = 0;
  durableUnconfirmed = 0;

  constructor(
    readonly worker: Worker,
    private readonly view: ViewDriver,
    /** A duplicate of the view: a connection of its own, for the durable writes (WAIT needs one). */
    private readonly own: ViewDriver | undefined,
    /** Another duplicate, in subscriber mode once it pattern-subscribes. */
    private readonly subscriber: ViewDriver | undefined,
    private readonly options: WorkerOptions,
  ) {}

  private get checker(): Checker {
    return this.options.checker;
  }

  private key(name: string): string {
    return workerKey(this.worker.id, name);
  }

  private next(key: string): { seq: number; value: string } {
    const seq = ++this.seq;
    this.lastSeq.set(key, seq);
    return { seq, value: taggedValue(this.worker, key, seq) };
  }

  /**
   * Runs one driver call, counted and tracked until it settles. Its error is counted by kind
   * (a fault's connection error, a server error, a refusal); an error that means a bug in the
   * code that threw it (TypeError and the like) is a violation. Checks run on the reply only.
   */
  private async call<T>(op: string, commands: number, run: () => Promise<T>, detail?: string): Promise<{ ok: true; reply: T } | { ok: false }> {
    this.checker.count(this.checker.commands, op, commands);
    const label = `${describe(this.worker)} ${op}`;
    try {
      return { ok: true, reply: await this.checker.track(label, new Promise<T>((resolve) => resolve(run()))) };
    } catch (error) {
      this.countError(op, error, detail);
      return { ok: false };
    }
  }

  private countError(op: string, error: unknown, detail?: string): void {
    if (isInternalError(error)) this.checker.violation('internal-error', `${describe(this.worker)} ${op}: ${(error as Error).stack ?? String(error)}`);
    this.checker.error(errorKind(error), `${this.worker.topology}/${this.worker.driver}`);
    const first = `${errorKind(error)} ${op} ${this.worker.topology}/${this.worker.driver}`;
    if (this.options.traceErrors && !this.options.tracedErrors.has(first)) {
      this.options.tracedErrors.add(first);
      const message = error instanceof Error ? error.message.slice(0, 200) : String(error);
      console.log(`error (first of its kind for this operation and site): ${describe(this.worker)} ${op}${detail ? ` (${detail})` : ''}: ${message}`);
    }
  }

  /** Entries of a pipeline or MULTI: errors counted, replies checked for other views' names. */
  private entries(op: string, results: readonly unknown[]): void {
    for (const result of results) {
      if (result instanceof Error) this.countError(op, result);
      else this.checker.checkReply(this.worker, op, result);
    }
  }

  /** Subscribes on the shared view (the client's one subscriber connection), and with a pattern on the subscriber duplicate. */
  async subscribe(): Promise<void> {
    const listen = (name: string) => {
      const subscription: Subscription = { name, received: 0, finalSeen: false };
      this.subscriptions.push(subscription);
      return (channel: string, message: string): void => {
        subscription.received++;
        if (this.checker.checkMessage(this.worker, channel, message, 'chat') && message.includes('|final|')) subscription.finalSeen = true;
      };
    };
    await this.checker.track(`${describe(this.worker)} subscribe`, this.view.subscribe('chat', listen('SUBSCRIBE chat (shared view)')));
    if (this.subscriber) await this.checker.track(`${describe(this.worker)} psubscribe`, this.subscriber.psubscribe('ch*', listen('PSUBSCRIBE ch* (duplicate)')));
  }

  start(): void {
    this.lanes.push(this.lane(() => this.differentialPass()), this.lane(() => this.mixedOp()));
  }

  stop(): void {
    this.stopped = true;
  }

  /** Resolves when both lanes have finished their current operation. */
  done(): Promise<void> {
    return Promise.all(this.lanes).then(() => undefined);
  }

  /** Quits the view (what it opened for itself) and its duplicate; the shared client stays open. */
  async close(): Promise<void> {
    await Promise.allSettled([this.view.quit(), this.own?.quit(), this.subscriber?.quit()]);
  }

  private async lane(step: () => Promise<void>): Promise<void> {
    while (!this.stopped) {
      try {
        await step();
      } catch (error) {
        // Driver errors are caught per call: what reaches here is a bug in a check or a step.
        this.checker.violation('internal-error', `${describe(this.worker)}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
      await sleep(this.options.rng.int(2, 12));
    }
  }

  private listPosition = 0;
  private list: Argv[] = [];
  private listKeys: string[] = [];

  /** The next chunk of the differential list; a new pass starts by deleting the list's keys. */
  private async differentialPass(): Promise<void> {
    if (this.listPosition >= this.list.length) {
      const names = new Set<string>();
      this.list = commandList((name) => {
        const key = this.key(name);
        names.add(key);
        return key;
      }, this.options.dump) as unknown as Argv[];
      this.listKeys = [...names].filter((key) => !key.includes('*'));
      this.listPosition = 0;
      const del = await this.call('list: DEL keys', 1, () => this.view.send(['del', ...this.listKeys]));
      if (del.ok) this.checker.expectInteger(this.worker, 'DEL', del.reply);
    }
    const rng = this.options.rng;
    const chunk = this.list.slice(this.listPosition, this.listPosition + rng.int(1, 8));
    this.listPosition += chunk.length;
    const mode = rng.pick(['single', 'single', 'single', 'pipeline', 'multi'] as const);
    if (mode === 'single') {
      for (const argv of chunk) {
        const result = await this.call('list: command', 1, () => this.view.send(argv), argv.map((arg) => (Buffer.isBuffer(arg) ? '<buffer>' : String(arg).slice(0, 30))).join(' '));
        if (result.ok) this.checker.checkReply(this.worker, `list ${argv[0]}`, result.reply);
      }
      return;
    }
    const result = await this.call(`list: ${mode}`, chunk.length, () => (mode === 'pipeline' ? this.view.pipeline(chunk) : this.view.multi(chunk)));
    if (result.ok) this.entries(`list ${mode}`, result.reply);
  }

  private async mixedOp(): Promise<void> {
    const ops: Array<[number, () => Promise<void>]> = [
      [3, () => this.probe()],
      [2, () => this.batch('pipeline')],
      [2, () => this.batch('multi')],
      [2, () => this.script()],
      [1, () => this.blocking()],
      [2, () => this.publish()],
      [1, () => this.scan()],
      [1, () => this.burst()],
    ];
    if (this.options.durable && this.own) ops.push([2, () => this.durableWrite()]);
    await this.options.rng.weighted(ops)();
  }

  /** SET a tagged value, GET it back, ECHO a token: each reply must be this view's own. */
  private async probe(): Promise<void> {
    const key = this.key('probe');
    const { value } = this.next(key);
    const set = await this.call('probe: SET', 1, () => this.view.send(['set', key, value]));
    if (set.ok) this.checker.expectOk(this.worker, 'probe SET', set.reply);
    const get = await this.call('probe: GET', 1, () => this.view.send(['get', key]));
    if (get.ok) this.checker.expectOwnValue(this.worker, 'probe GET', key, get.reply, this.lastSeq.get(key) ?? 0);
    const token = taggedValue(this.worker, 'echo', ++this.seq);
    const echo = await this.call('probe: ECHO', 1, () => this.view.send(['echo', token]));
    if (echo.ok) this.checker.expectExact(this.worker, 'probe ECHO', echo.reply, token);
  }

  /** Eight commands in flight at once on the shared connection (ECHO and GET): each reply must be its own command's. */
  private async burst(): Promise<void> {
    const key = this.key('probe');
    const calls = Array.from({ length: 8 }, (_, i) => {
      if (i % 2 === 1) {
        return this.call('burst: GET', 1, () => this.view.send(['get', key])).then((get) => {
          if (get.ok) this.checker.expectOwnValue(this.worker, 'burst GET', key, get.reply, this.lastSeq.get(key) ?? 0);
        });
      }
      const token = taggedValue(this.worker, `echo${i}`, ++this.seq);
      return this.call('burst: ECHO', 1, () => this.view.send(['echo', token])).then((echo) => {
        if (echo.ok) this.checker.expectExact(this.worker, 'burst ECHO', echo.reply, token);
      });
    });
    await Promise.all(calls);
  }

  /** A pipeline or MULTI whose every reply is known: OK, the value just set, the ECHO token, an integer, an own value or null. */
  private async batch(kind: 'pipeline' | 'multi'): Promise<void> {
    const key = this.key(`${kind}:a`);
    const other = this.key(`${kind}:b`);
    const { value } = this.next(key);
    const token = taggedValue(this.worker, 'echo', ++this.seq);
    const list: Argv[] = [['set', key, value], ['get', key], ['echo', token], ['incr', this.key(`${kind}:n`)], ['get', other], ['set', other, this.next(other).value]];
    const result = await this.call(`${kind}`, list.length, () => (kind === 'pipeline' ? this.view.pipeline(list) : this.view.multi(list)));
    if (!result.ok) return;
    const replies = result.reply;
    const label = kind.toUpperCase();
    if (replies.length !== list.length) {
      this.checker.violation('misdelivered-reply', `${describe(this.worker)} ${label}: ${replies.length} replies to ${list.length} commands`);
      return;
    }
    const [set, get, echo, incr, getOther, setOther] = replies;
    const checks: Array<[unknown, () => boolean]> = [
      [set, () => this.checker.expectOk(this.worker, `${label} SET`, set)],
      [get, () => this.checker.expectOwnValue(this.worker, `${label} GET`, key, get, this.lastSeq.get(key) ?? 0)],
      [echo, () => this.checker.expectExact(this.worker, `${label} ECHO`, echo, token)],
      [incr, () => this.checker.expectInteger(this.worker, `${label} INCR`, incr)],
      [getOther, () => this.checker.expectOwnValue(this.worker, `${label} GET`, other, getOther, this.lastSeq.get(other) ?? 0)],
      [setOther, () => this.checker.expectOk(this.worker, `${label} SET`, setOther)],
    ];
    for (const [reply, check] of checks) {
      if (reply instanceof Error) this.countError(kind, reply);
      else check();
    }
  }

  /** EVAL with KEYS: the script writes and reads the prefixed key; the reply is the argument it was given. */
  private async script(): Promise<void> {
    const key = this.key('script');
    const { value } = this.next(key);
    const set = await this.call('EVAL (KEYS)', 1, () => this.view.send(['eval', EVAL_SET_GET, 1, key, value]));
    if (set.ok) this.checker.expectExact(this.worker, 'EVAL SET+GET', set.reply, value);
    const get = await this.call('EVAL (KEYS)', 1, () => this.view.send(['eval', EVAL_GET, 1, this.key('probe')]));
    if (get.ok) this.checker.expectOwnValue(this.worker, 'EVAL GET', this.key('probe'), get.reply, this.lastSeq.get(this.key('probe')) ?? 0);
  }

  /** RPUSH then BLPOP (a connection of the view's own): the popped key is the view's, un-prefixed, the value its own. */
  private async blocking(): Promise<void> {
    const key = this.key('queue');
    const { value } = this.next(key);
    const push = await this.call('blocking: RPUSH', 1, () => this.view.send(['rpush', key, value]));
    if (push.ok) this.checker.expectInteger(this.worker, 'RPUSH', push.reply);
    const pop = await this.call('blocking: BLPOP', 1, () => this.view.send(['blpop', key, 0.5]));
    if (!pop.ok || pop.reply === null) return;
    const reply = pop.reply as unknown[];
    const [popped, item] = Array.isArray(reply) ? reply : [];
    if (String(popped) !== key) this.checker.violation('misdelivered-reply', `${describe(this.worker)} BLPOP ${key}: popped from ${JSON.stringify(String(popped))}`);
    else this.checker.expectOwnValue(this.worker, 'BLPOP', key, item ?? null, this.lastSeq.get(key) ?? 0);
  }

  private async publish(final = false): Promise<void> {
    const message = taggedValue(this.worker, final ? 'final' : 'chat', ++this.seq);
    const result = await this.call('PUBLISH', 1, () => this.view.publish('chat', message));
    if (result.ok) this.checker.expectInteger(this.worker, 'PUBLISH', result.reply);
  }

  /** The final message: every subscription of the namespace on this topology must hear one. */
  publishFinal(): Promise<void> {
    return this.publish(true);
  }

  /** SCAN and KEYS through the view: only the worker's own keys, un-prefixed. */
  private async scan(): Promise<void> {
    const scan = await this.call('SCAN', 1, () => this.view.send(['scan', 0, 'MATCH', this.key('*'), 'COUNT', 1000]));
    if (scan.ok) this.checker.checkReply(this.worker, 'SCAN', scan.reply);
    const keys = await this.call('KEYS', 1, () => this.view.send(['keys', this.key('*')]));
    if (keys.ok) this.checker.checkReply(this.worker, 'KEYS', keys.reply);
  }

  /** SET + WAIT 1 on the view's own connection: a write WAIT confirms must survive every failover. */
  private async durableWrite(): Promise<void> {
    const own = this.own;
    if (!own) return;
    const key = this.key(`durable:${this.options.rng.int(0, 9)}`);
    const { seq, value } = this.next(key);
    const result = await this.call('durable: SET+WAIT', 4, () => own.durableSet(key, value, 1000));
    if (!result.ok) return;
    if (result.reply >= 1) {
      this.durableConfirmed++;
      this.checker.recordDurable(this.worker, key, seq);
    } else this.durableUnconfirmed++;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

