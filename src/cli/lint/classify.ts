import { createGuard, defineNamespaces, IsolationError, type ArgumentRole, type IsolationMode, type NamespaceGuard, type NamespaceSet } from '../../core/index.js';
import type { RuleId } from './rules.js';
import type { StaticText } from './static-text.js';

/**
 * The namespaces of a deployment and how their prefixes are built, as the lint configuration
 * states them.
 *
 * @example
 * ```ts
 * const layout: NamespaceLayout = { namespaces: ['mcp2', 'celery', 'journal'] };
 * ```
 */
export interface NamespaceLayout {
  /** The deployment's namespaces; a name ending in `*` is a family (`tenant-*`: every `tenant-<id>`). */
  readonly namespaces: readonly string[];
  /** @defaultValue `':'` */
  readonly separator?: string;
  /** @defaultValue `false` */
  readonly hashTag?: boolean;
}

/**
 * Whose keys a call sends: the namespace owning them, and whether an isolated client guards them at run time.
 *
 * @example
 * ```ts
 * const owner: KeyOwner = { namespace: 'mcp2', isolated: true, mode: 'prefix' };
 * ```
 */
export interface KeyOwner {
  readonly namespace: string | undefined;
  readonly isolated: boolean;
  readonly mode: IsolationMode;
}

/**
 * What is wrong with one key argument: the rule and the reason, completed by the caller into a message.
 *
 * @example
 * ```ts
 * const verdict: KeyVerdict = { rule: 'unprefixed-key', reason: 'carries no namespace prefix' };
 * ```
 */
export interface KeyVerdict {
  readonly rule: RuleId;
  readonly reason: string;
}

/** A command that reads the prefix from a key of each role, to ask the core guard about it. */
const PROBES: Readonly<Partial<Record<ArgumentRole, (text: string, guard: NamespaceGuard) => [string, string[]]>>> = {
  key: (text) => ['get', [text]],
  'key-pattern': (text) => ['keys', [text]],
  // SORT's own key is one the guard accepts, so only the BY/GET pattern is judged.
  'sort-pattern': (text, guard) => ['sort', [guard.mode === 'strict' ? `${guard.prefix}k` : 'k', 'BY', text]],
  channel: (text) => ['publish', [text, 'message']],
  'channel-pattern': (text) => ['psubscribe', [text]],
};

const RULE_OF_CODE: Readonly<Record<string, RuleId>> = {
  ERR_UNPREFIXED_KEY: 'unprefixed-key',
  ERR_CROSS_NAMESPACE: 'cross-namespace-key',
  ERR_DOUBLE_PREFIX: 'double-prefix',
  ERR_BLOCKED_COMMAND: 'blocked-command',
};

const isPattern = (role: ArgumentRole) => role === 'key-pattern' || role === 'channel-pattern';

/**
 * Tells whether a statically known key is confined to the namespace that owns it, by asking the
 * core guard (strict mode for raw clients, the client's own mode for isolated ones), so that
 * lint and run time apply one set of namespace rules.
 *
 * @example
 * ```ts
 * const classifier = new KeyClassifier({ namespaces: ['mcp2', 'celery'] });
 * classifier.classify('key', { exact: true, text: 'celery:x' }, { namespace: 'mcp2', isolated: false, mode: 'prefix' });
 * // { rule: 'cross-namespace-key', reason: 'belongs to namespace "celery", ...' }
 * ```
 */
export class KeyClassifier {
  private readonly guards = new Map<string, NamespaceGuard>();
  private readonly set: NamespaceSet;
  /** Where a prefix can begin: each listed namespace's prefix, and each family's fixed start. */
  private readonly starts: readonly string[];

  constructor(private readonly layout: NamespaceLayout) {
    this.set = setOf(layout.namespaces, layout);
    this.starts = [...this.set.names.map((name) => this.set.prefixOf(name)), ...this.set.familyStarts()];
  }

  /** The verdict on one key, pattern or channel argument, or `undefined` when it is fine (or cannot be judged). */
  classify(role: ArgumentRole, known: StaticText, owner: KeyOwner): KeyVerdict | undefined {
    const probe = PROBES[role];
    if (!probe) return undefined;
    // `#` and a pattern without `*` (`BY nosort`) read no key: the guard leaves them alone too.
    if (role === 'sort-pattern' && known.exact && (known.text === '#' || !known.text.includes('*'))) return undefined;
    const claimed = this.set.ownerOf(known.text, isPattern(role)) !== undefined;
    // A known start that a namespace's prefix could still begin with is not decided yet.
    const decided = known.exact || claimed || known.text.includes(this.set.separator) || !this.starts.some((start) => start.startsWith(known.text) || known.text.startsWith(start));
    if (!decided) {
      // An isolated client's guard checks the full key at run time; a raw client sends it as it is.
      return owner.isolated ? undefined : { rule: 'dynamic-key', reason: 'has a namespace prefix that cannot be resolved statically' };
    }
    const namespace = owner.namespace;
    if (namespace === undefined) {
      if (owner.isolated || claimed) return undefined;
      return this.unprefixed(role, known);
    }
    const guard = this.guardOf(namespace, owner);
    const [command, args] = probe(known.text, guard);
    try {
      guard.rewrite(command, args);
      return undefined;
    } catch (error) {
      if (!(error instanceof IsolationError)) throw error;
      const rule = RULE_OF_CODE[error.code];
      if (rule === 'unprefixed-key') return this.unprefixed(role, known, guard.prefix);
      if (rule === 'cross-namespace-key') {
        const other = this.set.ownerOf(known.text, isPattern(role));
        const whose = owner.isolated ? "this isolated client's namespace" : 'which owns this code';
        return { rule, reason: `belongs to namespace "${other ?? '?'}", not to "${namespace}", ${whose}` };
      }
      if (rule === 'double-prefix') return { rule, reason: `already starts with "${guard.prefix}", which this isolated client adds itself` };
      if (rule === 'blocked-command') return { rule, reason: 'is a channel the server publishes for every namespace' };
      return undefined;
    }
  }

  private unprefixed(role: ArgumentRole, known: StaticText, prefix?: string): KeyVerdict {
    const hint = prefix === undefined ? 'no namespace prefix' : `no namespace prefix (expected "${prefix}")`;
    if (role === 'key-pattern' && (known.text === '' || /^[*?[]/.test(known.text))) {
      return { rule: 'blocked-command', reason: "matches every namespace's keys" };
    }
    return { rule: 'unprefixed-key', reason: `carries ${hint}` };
  }

  private guardOf(namespace: string, owner: KeyOwner): NamespaceGuard {
    const mode = owner.isolated ? owner.mode : 'strict';
    const id = `${namespace}\0${mode}`;
    let guard = this.guards.get(id);
    if (!guard) {
      const namespaces = this.set.has(namespace) ? this.set : setOf([...this.layout.namespaces, namespace], this.layout);
      guard = createGuard({ namespace, namespaces, mode });
      this.guards.set(id, guard);
    }
    return guard;
  }
}

/** The namespace set of a lint configuration: names ending in `*` are families. */
function setOf(names: readonly string[], rule: Pick<NamespaceLayout, 'separator' | 'hashTag'>): NamespaceSet {
  return defineNamespaces({
    namespaces: names.filter((name) => !name.endsWith('*')),
    families: names.filter((name) => name.endsWith('*')),
    separator: rule.separator ?? ':',
    hashTag: rule.hashTag ?? false,
  });
}
