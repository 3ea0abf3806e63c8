import { escapeGlob } from './glob.js';
import { IsolationConfigError } from './errors.js';

/**
 * Options of {@link defineNamespaces}.
 *
 * @example
 * ```ts
 * const options: NamespaceSetOptions = { namespaces: ['mcp2', 'celery'], families: ['tenant-*'] };
 * ```
 */
export interface NamespaceSetOptions {
  /** Namespaces named one by one. */
  readonly namespaces?: Iterable<string> | undefined;
  /**
   * Families of namespaces that are not listed one by one: `'tenant-*'` stands for every
   * namespace `tenant-<id>`, where `<id>` is any non-empty valid namespace text. A key that
   * starts with any member's prefix (`tenant-42:`) belongs to that member, listed or not.
   */
  readonly families?: Iterable<string> | undefined;
  /**
   * Prefixes given by hand, by namespace (`{ legacy: 'myapp_' }`), for keyspaces that predate
   * the deployment's rule. Each is checked against every other prefix of the set, so that no
   * namespace can address another's keys; a guard of such a namespace uses it.
   */
  readonly prefixes?: Readonly<Record<string, string>> | undefined;
  /** Put between a namespace and its keys. @defaultValue `':'` */
  readonly separator?: string | undefined;
  /** Prefix every namespace as a Redis Cluster hash tag (`{mcp2}:`). @defaultValue `false` */
  readonly hashTag?: boolean | undefined;
}

/** Marks sets across copies of the package (its ESM and CJS builds loaded side by side). */
const BRAND = Symbol.for('isolated-redis.NamespaceSet');

/** Whether `value` is a {@link NamespaceSet}, from this copy of the package or another. */
export function isNamespaceSet(value: unknown): value is NamespaceSet {
  return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
}

/**
 * Characters a namespace name (and a separator) must not hold: glob syntax, hash-tag braces,
 * whitespace, controls, and lone UTF-16 surrogates (which Node sends as the bytes of U+FFFD, so
 * that two names that differ as text would share their keys on the server).
 */
const FORBIDDEN = /[*?[\]\\{}\s\p{Cc}\p{Cs}]/u;

const LONE_SURROGATE = /\p{Cs}/u;

/** Channels the server publishes on itself start so (`__keyspace@0__:`, `__redis__:invalidate`). */
const SERVER_CHANNELS = '__';

/** A prefix given by hand, with its forms for patterns and bytes. */
interface HandPrefix {
  readonly namespace: string;
  readonly text: string;
  readonly pattern: string;
  readonly bytes: Buffer;
  readonly patternBytes: Buffer;
}

const OPEN = 0x7b;
const CLOSE = 0x7d;

/**
 * The namespaces of a deployment, as one structure every guard and view shares: which namespace a
 * key, pattern or channel belongs to is one lookup, whatever the number of namespaces.
 *
 * A prefix is the namespace followed by the separator (`mcp2:`; `{mcp2}:` with `hashTag`), and a
 * namespace may not contain the separator. So no prefix can be the start of another, by
 * construction: the text before the first separator of a key names the only namespace the key can
 * belong to. Creating a set is linear in the number of namespaces (O(N log N) with prefixes given
 * by hand); {@link NamespaceSet.ownerOf} does not depend on it. A set is frozen once created.
 *
 * @example
 * ```ts
 * const deployment = defineNamespaces({ namespaces: ['mcp2', 'celery'], families: ['tenant-*'] });
 * deployment.ownerOf('celery:task:1'); // 'celery'
 * deployment.ownerOf('tenant-42:cart'); // 'tenant-42'
 * deployment.ownerOf('orphan');         // undefined
 * ```
 */
export class NamespaceSet {
  readonly [BRAND] = true;
  readonly separator: string;
  readonly hashTag: boolean;
  /** The namespaces listed one by one, in the order given. */
  readonly names: readonly string[];
  /** The families, as given (`'tenant-*'`). */
  readonly families: readonly string[];
  readonly #listed: ReadonlySet<string>;
  /** The families' fixed starts (`'tenant-'`). */
  readonly #stems: readonly string[];
  readonly #separatorBytes: Buffer;
  /** Prefixes given by hand: few, compared one by one. */
  readonly #hand: readonly HandPrefix[];
  readonly #handOf: ReadonlyMap<string, string>;

  constructor(options: NamespaceSetOptions = {}) {
    const separator = options.separator ?? ':';
    if (typeof separator !== 'string' || separator.length === 0) {
      throw new IsolationConfigError('the separator must be a non-empty string: without one, a namespace such as "mcp" could address the keys of "mcp2"');
    }
    if (FORBIDDEN.test(separator)) {
      throw new IsolationConfigError(`the separator ${JSON.stringify(separator)} holds glob characters, braces, whitespace or lone surrogates, which patterns and hash tags give a meaning to`);
    }
    this.separator = separator;
    this.hashTag = options.hashTag === true;
    this.#separatorBytes = Buffer.from(separator);
    const names: string[] = [];
    const listed = new Set<string>();
    for (const name of options.namespaces ?? []) {
      this.assertName(name);
      if (!listed.has(name)) names.push(name);
      listed.add(name);
    }
    this.#listed = listed;
    const families = [...(options.families ?? [])];
    this.#stems = families.map((family) => familyStem(family, this));
    assertDisjointFamilies(families, this.#stems);
    this.names = Object.freeze(names);
    this.families = Object.freeze(families);
    this.#hand = [];
    this.#handOf = new Map();
    const hand = Object.entries(options.prefixes ?? {});
    if (hand.length > 0) {
      for (const [namespace] of hand) {
        if (!this.has(namespace)) throw new IsolationConfigError(`prefixes: namespace ${JSON.stringify(namespace)} is not in the set; list it in \`namespaces\``);
      }
      this.#hand = checkedHandPrefixes(this, hand);
      this.#handOf = new Map(hand);
    }
    Object.freeze(this);
  }

  /**
   * Whether `name` is a valid namespace under this set's rule; when it is not, why.
   *
   * @example
   * ```ts
   * defineNamespaces().invalidName('mcp2:'); // 'it contains the separator ":" ...'
   * ```
   */
  invalidName(name: unknown): string | undefined {
    if (typeof name !== 'string' || name.length === 0) return 'a namespace must be a non-empty string';
    if (FORBIDDEN.test(name)) return 'a namespace may not hold glob characters (* ? [ ] \\), braces, whitespace, control characters or lone surrogates';
    if (name.startsWith(SERVER_CHANNELS)) return `a namespace may not start with "${SERVER_CHANNELS}", as the channels the server publishes on itself do`;
    // The first separator of a key must be the one that ends its namespace's prefix: `a:` with
    // separator `::` would make `a:::k` read as namespace `a`.
    if (`${name}${this.separator}`.indexOf(this.separator) !== name.length) {
      return `it contains the separator ${JSON.stringify(this.separator)} (or the start of it), so its prefix would start another namespace's`;
    }
    return undefined;
  }

  /**
   * The prefix of `namespace`: the one given by hand in `prefixes`, else the namespace and the
   * separator (`mcp2:`, or `{mcp2}:` with `hashTag`).
   *
   * @throws {@link IsolationConfigError} for a name that is not a valid namespace.
   * @example
   * ```ts
   * defineNamespaces({ hashTag: true }).prefixOf('mcp2'); // '{mcp2}:'
   * ```
   */
  prefixOf(namespace: string): string {
    const hand = this.#handOf.get(namespace);
    if (hand !== undefined) return hand;
    this.assertName(namespace);
    return this.hashTag ? `{${namespace}}${this.separator}` : `${namespace}${this.separator}`;
  }

  /**
   * Whether `namespace` is in the set: listed, or a member of a family.
   *
   * @example
   * ```ts
   * defineNamespaces({ families: ['tenant-*'] }).has('tenant-7'); // true
   * ```
   */
  has(namespace: string): boolean {
    return this.#listed.has(namespace) || this.familyOf(namespace) !== undefined;
  }

  /**
   * The family `namespace` is a member of (`'tenant-*'`), or `undefined`.
   *
   * @example
   * ```ts
   * defineNamespaces({ families: ['tenant-*'] }).familyOf('tenant-7'); // 'tenant-*'
   * ```
   */
  familyOf(namespace: string): string | undefined {
    const stems = this.#stems;
    for (let i = 0; i < stems.length; i++) {
      const stem = stems[i] as string;
      if (namespace.length > stem.length && namespace.startsWith(stem)) return this.invalidName(namespace) === undefined ? this.families[i] : undefined;
    }
    return undefined;
  }

  /**
   * The namespace whose prefix `name` (a key or channel; with `pattern`, a glob pattern; text or
   * bytes) starts with, or `undefined` when it starts with no namespace's prefix. One cut at the
   * first separator and one lookup (and a comparison per prefix given by hand): the cost does
   * not depend on how many namespaces the set holds.
   *
   * @example
   * ```ts
   * defineNamespaces({ namespaces: ['celery'] }).ownerOf(Buffer.from('celery:x')); // 'celery'
   * ```
   */
  ownerOf(name: string | Uint8Array, pattern = false): string | undefined {
    if (this.#hand.length > 0) {
      const hand = this.handOwner(name, pattern);
      if (hand !== undefined) return hand;
    }
    const candidate = typeof name === 'string' ? this.textCandidate(name) : this.bytesCandidate(name);
    return candidate !== undefined && this.has(candidate) ? candidate : undefined;
  }

  /** Throws when `name` is not a valid namespace. */
  assertName(name: unknown): void {
    const invalid = this.invalidName(name);
    if (invalid !== undefined) throw new IsolationConfigError(`namespace ${JSON.stringify(name)} is refused: ${invalid}`);
  }

  /** A listed namespace's computed prefix that starts with `start` (other than `except`'s), if any. */
  listedPrefixStartsWith(start: string, except: string): string | undefined {
    // One pass per prefix given by hand: they are few, and checked once, when defined.
    for (const name of this.#listed) {
      if (name === except || this.#handOf.has(name)) continue;
      const computed = this.hashTag ? `{${name}}${this.separator}` : `${name}${this.separator}`;
      if (computed.startsWith(start)) return computed;
    }
    return undefined;
  }

  /** The families' fixed starts (`tenant-`), as the namespace names of their members begin. */
  familyStems(): readonly string[] {
    return this.#stems;
  }

  /** The prefixes given by hand, as `[namespace, prefix]`. */
  handPrefixes(): ReadonlyArray<readonly [string, string]> {
    return [...this.#handOf];
  }

  /** The families' fixed starts as their members' prefixes begin (`{tenant-` with `hashTag`). */
  familyStarts(): readonly string[] {
    return this.#stems.map((stem) => (this.hashTag ? `{${stem}` : stem));
  }

  private handOwner(name: string | Uint8Array, pattern: boolean): string | undefined {
    for (const hand of this.#hand) {
      if (typeof name === 'string' ? name.startsWith(pattern ? hand.pattern : hand.text) : bytesStartWith(name, pattern ? hand.patternBytes : hand.bytes)) return hand.namespace;
    }
    return undefined;
  }

  /** The namespace a text would belong to, judged by its first separator. */
  private textCandidate(text: string): string | undefined {
    const end = text.indexOf(this.separator);
    if (end <= 0) return undefined;
    if (!this.hashTag) return text.slice(0, end);
    return end > 2 && text.charCodeAt(0) === OPEN && text.charCodeAt(end - 1) === CLOSE ? text.slice(1, end - 1) : undefined;
  }

  private bytesCandidate(bytes: Uint8Array): string | undefined {
    const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const end = buffer.indexOf(this.#separatorBytes);
    if (end <= 0) return undefined;
    // Bytes that are not UTF-8 decode to U+FFFD: a name holding it then claims them, and they are
    // refused (the safe side); no name holds a lone surrogate, so no other text encodes alike.
    if (!this.hashTag) return buffer.toString('utf8', 0, end);
    return end > 2 && buffer[0] === OPEN && buffer[end - 1] === CLOSE ? buffer.toString('utf8', 1, end - 1) : undefined;
  }
}

const bytesStartWith = (value: Uint8Array, start: Buffer): boolean =>
  value.length >= start.length && Buffer.from(value.buffer, value.byteOffset, start.length).equals(start);

function overlap(namespace: string, prefix: string, other: string): IsolationConfigError {
  return new IsolationConfigError(
    `namespace ${JSON.stringify(namespace)}: its prefix ${JSON.stringify(prefix)} overlaps ${other.startsWith('family ') ? other : JSON.stringify(other)}, ` +
      "so one namespace could address the other's keys; choose another prefix",
  );
}

/**
 * Prefixes given by hand, checked against the set's computed prefixes, its families and each
 * other: none may start another. Returned with their pattern and byte forms.
 */
function checkedHandPrefixes(set: NamespaceSet, hand: ReadonlyArray<readonly [string, string]>): HandPrefix[] {
  const checked = hand.map(([namespace, prefix]): HandPrefix => {
    if (typeof prefix !== 'string' || prefix.length === 0 || LONE_SURROGATE.test(prefix)) {
      throw new IsolationConfigError(`namespace ${JSON.stringify(namespace)}: a prefix must be a non-empty string of whole characters (no lone surrogates)`);
    }
    if (prefix.startsWith(SERVER_CHANNELS)) {
      throw new IsolationConfigError(`namespace ${JSON.stringify(namespace)}: a prefix may not start with "${SERVER_CHANNELS}", as the channels the server publishes on itself do`);
    }
    const owner = set.ownerOf(prefix);
    if (owner !== undefined && owner !== namespace) throw overlap(namespace, prefix, owner);
    // A computed prefix holds exactly one separator, at its end: one that `prefix` starts is either
    // found by the cut above, or `prefix` holds no separator and starts it within its name.
    if (!prefix.includes(set.separator)) {
      const started = set.listedPrefixStartsWith(prefix, namespace);
      if (started !== undefined) throw overlap(namespace, prefix, started);
    }
    const families = set.families;
    set.familyStarts().forEach((start, i) => {
      if (start.startsWith(prefix) || prefix.startsWith(start)) throw overlap(namespace, prefix, `family ${families[i] as string}`);
    });
    const pattern = escapeGlob(prefix);
    return { namespace, text: prefix, pattern, bytes: Buffer.from(prefix), patternBytes: Buffer.from(pattern) };
  });
  // Between prefixes given by hand: sorted, one that starts another starts its next neighbour.
  const all = [...checked].sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  for (let i = 1; i < all.length; i++) {
    const before = all[i - 1] as HandPrefix;
    const after = all[i] as HandPrefix;
    if (bytesStartWith(after.bytes, before.bytes)) throw overlap(after.namespace, after.text, before.text);
  }
  return checked;
}

/** The fixed start of a family (`'tenant-'` of `'tenant-*'`), checked to be a valid namespace start. */
function familyStem(family: unknown, set: NamespaceSet): string {
  if (typeof family !== 'string' || !family.endsWith('*') || family.length < 2) {
    throw new IsolationConfigError(`namespace family ${JSON.stringify(family)} is refused: write it as a fixed start followed by "*", such as "tenant-*"`);
  }
  const stem = family.slice(0, -1);
  const invalid = set.invalidName(stem);
  if (invalid !== undefined) throw new IsolationConfigError(`namespace family ${JSON.stringify(family)} is refused: ${invalid}`);
  return stem;
}

/**
 * Two families overlap when one's start begins the other's (`tenant-*` and `tenant-eu-*` both
 * claim `tenant-eu-1`). Sorted, a start that begins another begins its next neighbour: one pass.
 */
function assertDisjointFamilies(families: readonly string[], stems: readonly string[]): void {
  const order = stems.map((stem, index) => ({ stem, family: families[index] as string })).sort((a, b) => (a.stem < b.stem ? -1 : a.stem > b.stem ? 1 : 0));
  for (let i = 1; i < order.length; i++) {
    const before = order[i - 1] as { stem: string; family: string };
    const after = order[i] as { stem: string; family: string };
    if (after.stem.startsWith(before.stem)) {
      throw new IsolationConfigError(
        `namespace families ${JSON.stringify(before.family)} and ${JSON.stringify(after.family)} overlap: ` +
          `a namespace such as ${JSON.stringify(`${after.stem}1`)} would belong to both`,
      );
    }
  }
}

/**
 * Defines the namespaces of a deployment once, to share between every guard and view
 * (`createIsolatedRedis({ namespace, namespaces: deployment, client })`): a view then costs a
 * reference to the set, not a copy of it.
 *
 * @throws {@link IsolationConfigError} for an invalid name, family, prefix or separator, or families or prefixes that overlap.
 * @example
 * ```ts
 * import { defineNamespaces, createIsolatedRedis } from 'isolated-redis';
 * const deployment = defineNamespaces({ namespaces: ['mcp2', 'celery'], families: ['tenant-*'] });
 * const tenant = createIsolatedRedis({ namespace: 'tenant-42', namespaces: deployment, client: shared });
 * await tenant.get('tenant-7:cart'); // rejects with CrossNamespaceError
 * ```
 */
export function defineNamespaces(options: NamespaceSetOptions = {}): NamespaceSet {
  return new NamespaceSet(options);
}
