/**
 * What the chaos run checks, independent of drivers and servers: every value and key it writes
 * names its worker (`{w12}`), so a reply that reaches the wrong view, a key outside its namespace
 * and a message of another namespace are recognisable wherever they turn up.
 */

/** The namespaces of the run; every view is confined to one of them. */
export const NAMESPACES = ['mcp2', 'celery', 'journal'] as const;
export type Namespace = (typeof NAMESPACES)[number];

export type TopologyName = 'standalone' | 'sentinel' | 'cluster';
export type DriverName = 'ioredis' | 'node-redis';

/** One view's workload: its id is in every key (`{w12}name`) and value it writes. */
export interface Worker {
  readonly id: number;
  readonly namespace: Namespace;
  readonly topology: TopologyName;
  readonly driver: DriverName;
}

export type ViolationKind =
  | 'misdelivered-reply'
  | 'prefix-in-reply'
  | 'key-outside-namespace'
  | 'key-of-another-view'
  | 'foreign-message'
  | 'unhandled-rejection'
  | 'uncaught-exception'
  | 'internal-error'
  | 'unsettled-promise'
  | 'lost-durable-write'
  | 'subscription-lost'
  | 'check-incomplete';

export interface Violation {
  readonly kind: ViolationKind;
  readonly detail: string;
}

/** The worker tag in keys and values: `{w12}`. */
export const workerTag = (id: number): string => `{w${id}}`;

/** The un-prefixed name of a worker's key: `{w12}name`, which gives a Cluster one slot per worker. */
export const workerKey = (id: number, name: string): string => `${workerTag(id)}${name}`;

/** A value a worker writes: its namespace, its tag, the key (as the view names it) and a sequence number. */
export const taggedValue = (worker: Worker, key: string, seq: number): string => `${worker.namespace}|${workerTag(worker.id)}|${key}|${seq}`;

export interface TaggedValue {
  readonly namespace: string;
  readonly id: number;
  readonly key: string;
  readonly seq: number;
}

export function parseValue(value: string): TaggedValue | undefined {
  const match = /^([^|]*)\|\{w(\d+)\}\|(.*)\|(\d+)$/s.exec(value);
  if (!match) return undefined;
  return { namespace: match[1] as string, id: Number(match[2]), key: match[3] as string, seq: Number(match[4]) };
}

const TAG = /\{w(\d+)\}/g;
const PREFIX = new RegExp(`(?:^|[^a-z0-9])(${NAMESPACES.join('|')}):`);
const RAW_KEY = new RegExp(`^(${NAMESPACES.join('|')}):\\{w(\\d+)\\}`);

/** Every string in a reply (arrays, Maps, objects, Buffers read as latin1), depth-first. */
export function replyStrings(reply: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > 16 || reply === null || reply === undefined) return out;
  if (typeof reply === 'string') out.push(reply);
  else if (Buffer.isBuffer(reply)) out.push(reply.toString('latin1'));
  else if (reply instanceof Error) return out;
  else if (Array.isArray(reply)) for (const item of reply) replyStrings(item, out, depth + 1);
  else if (reply instanceof Map) {
    for (const [key, value] of reply) {
      replyStrings(key, out, depth + 1);
      replyStrings(value, out, depth + 1);
    }
  }
  else if (reply instanceof Set) for (const item of reply) replyStrings(item, out, depth + 1);
  else if (typeof reply === 'object') {
    for (const [key, value] of Object.entries(reply)) {
      out.push(key);
      replyStrings(value, out, depth + 1);
    }
  }
  return out;
}

const short = (text: string): string => (text.length > 120 ? `${text.slice(0, 117)}...` : text);

/**
 * The run's ledger: violations, counters, the promises still outstanding and the writes that
 * must survive. One instance per run; the checks are methods so that the unit test can inject a
 * misdelivered reply or a stray key and see the violation.
 */
export class Checker {
  readonly violations: Violation[] = [];
  readonly violationCounts = new Map<ViolationKind, number>();
  readonly commands = new Map<string, number>();
  readonly errors = new Map<string, number>();
  /** kind -> `topology/driver` -> count, for the report's breakdown of each error kind. */
  readonly errorSites = new Map<string, Map<string, number>>();
  readonly faults = new Map<string, number>();
  readonly notes: string[] = [];
  private readonly workers = new Map<number, Worker>();
  private readonly reportedKeys = new Set<string>();
  private readonly pending = new Set<{ readonly label: string; readonly started: number }>();
  /** `${topology}/${driver}/${namespace}/${key}` -> the highest sequence number WAIT confirmed. */
  readonly durable = new Map<string, { readonly worker: Worker; readonly key: string; readonly seq: number }>();
  messages = 0;

  register(worker: Worker): void {
    this.workers.set(worker.id, worker);
  }

  worker(id: number): Worker | undefined {
    return this.workers.get(id);
  }

  allWorkers(): Worker[] {
    return [...this.workers.values()];
  }

  violation(kind: ViolationKind, detail: string): void {
    this.violationCounts.set(kind, (this.violationCounts.get(kind) ?? 0) + 1);
    // The first few of each kind are kept in full; the count says how many there were.
    if ((this.violationCounts.get(kind) ?? 0) <= 5) this.violations.push({ kind, detail: short(detail) });
  }

  get violationTotal(): number {
    let total = 0;
    for (const count of this.violationCounts.values()) total += count;
    return total;
  }

  count(map: Map<string, number>, kind: string, by = 1): void {
    map.set(kind, (map.get(kind) ?? 0) + by);
  }

  /** An error a command got (or a client emitted) at `site`, counted by kind. */
  error(kind: string, site: string): void {
    this.count(this.errors, kind);
    let sites = this.errorSites.get(kind);
    if (!sites) this.errorSites.set(kind, (sites = new Map()));
    this.count(sites, site);
  }

  /** Follows a promise until it settles; `outstanding()` lists those that have not. */
  track<T>(label: string, promise: Promise<T>): Promise<T> {
    const entry = { label, started: Date.now() };
    this.pending.add(entry);
    const done = (): void => void this.pending.delete(entry);
    promise.then(done, done);
    return promise;
  }

  outstanding(): Array<{ label: string; ageMs: number }> {
    const now = Date.now();
    return [...this.pending].map((entry) => ({ label: entry.label, ageMs: now - entry.started }));
  }

  /**
   * A successful reply of `worker`: it may name only that worker's keys and values, and never a
   * namespace prefix (replies come back un-prefixed). Returns false on a violation.
   */
  checkReply(worker: Worker, label: string, reply: unknown): boolean {
    let ok = true;
    for (const text of replyStrings(reply)) {
      for (const match of text.matchAll(TAG)) {
        const id = Number(match[1]);
        if (id === worker.id) continue;
        const other = this.workers.get(id);
        const whose = other ? `${other.namespace} (${other.topology}/${other.driver} w${id})` : `unknown w${id}`;
        this.violation('misdelivered-reply', `${describe(worker)} ${label}: reply names ${whose}: ${JSON.stringify(short(text))}`);
        ok = false;
      }
      const prefix = PREFIX.exec(text);
      if (prefix) {
        this.violation('prefix-in-reply', `${describe(worker)} ${label}: reply carries the prefix "${prefix[1]}:": ${JSON.stringify(short(text))}`);
        ok = false;
      }
    }
    return ok;
  }

  /**
   * A reply that must be exactly `expected` (ECHO, a script returning its argument): anything
   * else is a reply meant for another command.
   */
  expectExact(worker: Worker, label: string, reply: unknown, expected: string): boolean {
    const got = Buffer.isBuffer(reply) ? reply.toString() : reply;
    if (got === expected) return true;
    this.violation('misdelivered-reply', `${describe(worker)} ${label}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(short(String(got)))}`);
    return false;
  }

  /**
   * A reply that is `null` or a value `worker` wrote to `key` with a sequence number up to `maxSeq`.
   * A value of another key, worker or namespace is a misdelivered reply.
   */
  expectOwnValue(worker: Worker, label: string, key: string, reply: unknown, maxSeq: number): boolean {
    if (reply === null) return true;
    const text = Buffer.isBuffer(reply) ? reply.toString() : reply;
    const value = typeof text === 'string' ? parseValue(text) : undefined;
    if (value && value.namespace === worker.namespace && value.id === worker.id && value.key === key && value.seq <= maxSeq) return true;
    this.violation('misdelivered-reply', `${describe(worker)} ${label}: ${key} read ${JSON.stringify(short(String(text)))} (own values up to #${maxSeq})`);
    return false;
  }

  /** A reply that must be a number (INCR, PUBLISH, WAIT...), as either driver returns one. */
  expectInteger(worker: Worker, label: string, reply: unknown): boolean {
    if (typeof reply === 'number' && Number.isInteger(reply)) return true;
    this.violation('misdelivered-reply', `${describe(worker)} ${label}: expected an integer, got ${JSON.stringify(short(String(reply)))}`);
    return false;
  }

  expectOk(worker: Worker, label: string, reply: unknown): boolean {
    return this.expectExact(worker, label, reply, 'OK');
  }

  /** A pub/sub message a view of `subscriber.namespace` received: only its namespace's, on the channel it subscribed to. */
  checkMessage(subscriber: Worker, channel: string, message: string, expectedChannel: string): boolean {
    this.messages++;
    const value = parseValue(message);
    const sender = value ? this.workers.get(value.id) : undefined;
    if (channel === expectedChannel && value && sender && value.namespace === subscriber.namespace && sender.namespace === subscriber.namespace && sender.topology === subscriber.topology) return true;
    this.violation('foreign-message', `${describe(subscriber)} received ${JSON.stringify(short(message))} on ${JSON.stringify(channel)} (subscribed to ${expectedChannel})`);
    return false;
  }

  /**
   * A key a raw SCAN found on a node of `topology`: it must be `<namespace>:{w<id>}...` of a
   * worker of that namespace on that topology.
   */
  checkRawKey(topology: TopologyName, node: string, key: string): boolean {
    const match = RAW_KEY.exec(key);
    const owner = match ? this.workers.get(Number(match[2])) : undefined;
    if (match && owner && owner.namespace === match[1] && owner.topology === topology) return true;
    // Every SCAN finds a stray key again: it counts once per node.
    if (this.reportedKeys.has(`${node} ${key}`)) return false;
    this.reportedKeys.add(`${node} ${key}`);
    if (!match) {
      this.violation('key-outside-namespace', `${topology} ${node}: key ${JSON.stringify(short(key))} is outside every namespace`);
      return false;
    }
    const whose = owner ? `${owner.namespace} (${owner.topology}/${owner.driver} w${owner.id})` : 'no worker';
    this.violation('key-of-another-view', `${topology} ${node}: key ${JSON.stringify(short(key))} is in namespace ${match[1]} but names ${whose}`);
    return false;
  }

  /** A write WAIT confirmed on at least one replica: it must still be readable at the end. */
  recordDurable(worker: Worker, key: string, seq: number): void {
    const id = `${worker.topology}/${worker.driver}/${worker.namespace}/${key}`;
    const known = this.durable.get(id);
    if (!known || known.seq < seq) this.durable.set(id, { worker, key, seq });
  }

  /** The final read of a durable key: the value WAIT confirmed, or a later one of the same key. */
  checkDurable(worker: Worker, key: string, seq: number, reply: unknown): boolean {
    const text = Buffer.isBuffer(reply) ? reply.toString() : reply;
    const value = typeof text === 'string' ? parseValue(text) : undefined;
    if (value && value.namespace === worker.namespace && value.id === worker.id && value.key === key && value.seq >= seq) return true;
    this.violation('lost-durable-write', `${describe(worker)}: ${key} #${seq} was acknowledged and replicated (WAIT), read back ${JSON.stringify(text === null ? null : short(String(text)))}`);
    return false;
  }
}

export const describe = (worker: Worker): string => `${worker.namespace}@${worker.topology}/${worker.driver}#w${worker.id}`;

/**
 * The kind of an error a command got, for the counts: a refusal's code, a timeout, a server
 * error's first word (WRONGTYPE, MOVED, READONLY...), a connection error's name or code.
 */
export function errorKind(error: unknown): string {
  if (!(error instanceof Error)) return `non-error: ${typeof error}`;
  const code = (error as { code?: unknown }).code;
  if (code === 'ERR_COMMAND_TIMEOUT') return 'timeout (commandTimeoutMs)';
  if (typeof code === 'string' && code.startsWith('ERR_')) return `refused ${code}`;
  const message = short(error.message.replace(/\d+/g, 'N').replace(/'[^']*'/g, "'…'").split('\n')[0] ?? '');
  if (error.name === 'ReplyError' || error.name === 'ErrorReply' || error.name === 'SimpleError' || error.name === 'BlobError') return `server: ${message}`;
  if (typeof code === 'string') return `connection ${code}`;
  return error.name === 'Error' ? message : `${error.name}: ${message}`;
}

/**
 * Errors that mean a bug in the code that threw them (the library's or this harness's), never a
 * fault the run injected: they count as violations.
 */
export function isInternalError(error: unknown): boolean {
  return error instanceof TypeError || error instanceof RangeError || error instanceof ReferenceError || error instanceof SyntaxError;
}
