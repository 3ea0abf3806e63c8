import type { NamespaceGuard } from '../../core/index.js';
import type { IoredisLike } from './internals.js';

/**
 * `duplicate()`'s arguments with the connection name the copy will give itself (`connectionName`,
 * on a Cluster `redisOptions.connectionName`) in the namespace, as CLIENT SETNAME's would be: a
 * name left as given could pass for another namespace's connection in its CLIENT LIST.
 */
export function namedInNamespace(guard: NamespaceGuard, client: IoredisLike, args: unknown[]): unknown[] {
  const inNamespace = (name: unknown): unknown =>
    typeof name === 'string' && name !== '' ? guard.rewrite('client', ['setname', name], { shape: undefined, keys: 0 })[1] : name;
  const named = <T extends { connectionName?: unknown } | undefined>(options: T): T =>
    options !== undefined && options !== null && typeof options === 'object' && 'connectionName' in options
      ? { ...options, connectionName: inNamespace(options.connectionName) }
      : options;
  if (!client.isCluster) return [named(args[0] as { connectionName?: unknown } | undefined), ...args.slice(1)];
  const options = args[1] as { redisOptions?: { connectionName?: unknown } } | undefined;
  if (options?.redisOptions === undefined) return args;
  return [args[0], { ...options, redisOptions: named(options.redisOptions) }, ...args.slice(2)];
}
