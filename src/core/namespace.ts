import { NamespaceSet } from './namespace-set.js';

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
 * @throws {@link IsolationConfigError} for an invalid namespace or separator (see {@link NamespaceSet.invalidName}).
 * @example
 * ```ts
 * namespacePrefix('mcp2'); // 'mcp2:'
 * namespacePrefix('mcp2', { hashTag: true }); // '{mcp2}:'
 * ```
 */
export function namespacePrefix(namespace: string, rule: PrefixRule = {}): string {
  return new NamespaceSet(rule).prefixOf(namespace);
}
