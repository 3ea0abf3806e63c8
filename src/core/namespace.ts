import { IsolationConfigError } from './errors.js';

/**
 * How a namespace name becomes the prefix its keys carry.
 *
 * @example
 * ```ts
 * const rule: PrefixRule = { separator: '/', hashTag: true }; // 'mcp2' -> '{mcp2}/'
 * ```
 */
export interface PrefixRule {
  /** Put between the namespace and the key. @defaultValue `':'` */
  readonly separator?: string;
  /**
   * Wrap the namespace in a Redis Cluster hash tag (`{mcp2}:`), so every key of the namespace
   * lives in one slot: multi-key commands always work, at the price of one hot node.
   * @defaultValue `false`
   */
  readonly hashTag?: boolean;
}

/**
 * The prefix of `namespace` under `rule`.
 *
 * @example
 * ```ts
 * namespacePrefix('mcp2'); // 'mcp2:'
 * namespacePrefix('mcp2', { hashTag: true }); // '{mcp2}:'
 * ```
 */
export function namespacePrefix(namespace: string, rule: PrefixRule = {}): string {
  if (typeof namespace !== 'string' || namespace.length === 0) {
    throw new IsolationConfigError('a namespace must be a non-empty string');
  }
  const separator = rule.separator ?? ':';
  return rule.hashTag ? `{${namespace}}${separator}` : `${namespace}${separator}`;
}

/**
 * Checks that no prefix is a prefix of another: with `a:` and `a:b:` both in use, namespace `a`
 * could write `b:x` as `a:b:x`, a key of namespace `a:b`.
 */
export function assertDisjointPrefixes(prefixes: ReadonlyMap<string, string>): void {
  const entries = [...prefixes];
  for (const [nameA, prefixA] of entries) {
    if (prefixA.length === 0) throw new IsolationConfigError(`namespace ${JSON.stringify(nameA)} has an empty prefix`);
    for (const [nameB, prefixB] of entries) {
      if (nameA !== nameB && prefixB.startsWith(prefixA)) {
        throw new IsolationConfigError(
          `namespaces ${JSON.stringify(nameA)} and ${JSON.stringify(nameB)} overlap: prefix ${JSON.stringify(prefixA)} ` +
            `is a prefix of ${JSON.stringify(prefixB)}, so one namespace could address the other's keys; rename one of them`,
        );
      }
    }
  }
}
