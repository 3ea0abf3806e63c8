import { createGuard, escapeGlob, IsolationError, namespacePrefix, type ArgumentRole, type IsolationMode, type NamespaceGuard } from '../../core/index.js';
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
  private readonly prefixes: readonly { readonly namespace: string; readonly text: string; readonly pattern: string }[];

  constructor(private readonly layout: NamespaceLayout) {
    this.prefixes = layout.namespaces.map((namespace) => {
      const text = namespacePrefix(namespace, layout);
      return { namespace, text, pattern: escapeGlob(text) };
    });
  }

  /** The verdict on one key, pattern or channel argument, or `undefined` when it is fine (or cannot be judged). */
  classify(role: ArgumentRole, known: StaticText, owner: KeyOwner): KeyVerdict | undefined {
    const probe = PROBES[role];
    if (!probe) return undefined;
    // `#` and a pattern without `*` (`BY nosort`) read no key: the guard leaves them alone too.
    if (role === 'sort-pattern' && known.exact && (known.text === '#' || !known.text.includes('*'))) return undefined;
    const claims = this.prefixes.map((prefix) => (isPattern(role) ? prefix.pattern : prefix.text));
    const decided = known.exact || claims.some((claim) => known.text.startsWith(claim)) || !claims.some((claim) => claim.startsWith(known.text));
    if (!decided) {
      // An isolated client's guard checks the full key at run time; a raw client sends it as it is.
      return owner.isolated ? undefined : { rule: 'dynamic-key', reason: 'has a namespace prefix that cannot be resolved statically' };
    }
    const namespace = owner.namespace;
    if (namespace === undefined) {
      if (owner.isolated || claims.some((claim) => known.text.startsWith(claim))) return undefined;
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
        const other = this.prefixes.find((prefix) => known.text.startsWith(isPattern(role) ? prefix.pattern : prefix.text));
        const whose = owner.isolated ? "this isolated client's namespace" : 'which owns this code';
        return { rule, reason: `belongs to namespace "${other?.namespace ?? '?'}", not to "${namespace}", ${whose}` };
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
      const namespaces = this.layout.namespaces.includes(namespace) ? this.layout.namespaces : [...this.layout.namespaces, namespace];
      guard = createGuard({ namespace, namespaces, mode, separator: this.layout.separator ?? ':', hashTag: this.layout.hashTag ?? false });
      this.guards.set(id, guard);
    }
    return guard;
  }
}
