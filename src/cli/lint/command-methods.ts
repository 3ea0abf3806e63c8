import { BUILTIN_COMMANDS } from '../../core/command-table.js';

/**
 * Client methods that share a name with a Redis command but do something else, or that are
 * part of the client API rather than commands.
 */
const CLIENT_API = new Set([
  'connect', 'disconnect', 'duplicate', 'pipeline', 'multi', 'exec', 'execAsPipeline', 'batch', 'on', 'once', 'off', 'emit',
  'addListener', 'removeListener', 'removeAllListeners', 'defineCommand', 'end', 'destroy', 'close', 'ref', 'unref',
  'nodes', 'withTypeMapping', 'withCommandOptions', 'scanStream', 'sscanStream', 'hscanStream', 'zscanStream',
  'scanIterator', 'sScanIterator', 'hScanIterator', 'zScanIterator', 'call', 'callBuffer', 'sendCommand', 'then', 'catch',
]);

/**
 * The command line a driver method starts, from the command table: `hset` and `hSet` are
 * `['hset']`, `zUnionStore` is `['zunionstore']`, node-redis's `xGroupCreate` is
 * `['xgroup', 'create']`, `geoRadiusRo` is `['georadius_ro']`, ioredis's `getBuffer` is
 * `['get']`. `undefined` for a name that is not a command method.
 *
 * @example
 * ```ts
 * commandOfMethod('objectEncoding'); // ['object', 'encoding']
 * commandOfMethod('get');            // ['get']
 * commandOfMethod('on');             // undefined
 * ```
 */
export function commandOfMethod(method: string): readonly string[] | undefined {
  if (CLIENT_API.has(method)) return undefined;
  const name = method.endsWith('Buffer') && method.length > 6 ? method.slice(0, -6) : method;
  const lower = name.toLowerCase();
  if (BUILTIN_COMMANDS.get(lower)) return [lower];
  const parts = name.split(/(?=[A-Z])/);
  for (let i = 1; i < parts.length; i++) {
    const head = parts.slice(0, i).join('').toLowerCase();
    const tail = parts.slice(i).join('').toLowerCase();
    const container = BUILTIN_COMMANDS.get(head);
    if (container?.kind === 'container' && container.subcommands.get(tail)) return [head, tail];
    if (BUILTIN_COMMANDS.get(`${head}_${tail}`)) return [`${head}_${tail}`];
  }
  return undefined;
}
