import { unwrap, type Node } from './ast.js';
import type { CommandLine, LineDraft } from './command-line.js';

/**
 * ioredis scan streams and node-redis scan iterators, by the command they send.
 *
 * @example
 * ```ts
 * SCAN_ITERATORS.hScanIterator; // 'hscan'
 * ```
 */
export const SCAN_ITERATORS: Readonly<Record<string, string>> = {
  scanStream: 'scan',
  scanBufferStream: 'scan',
  scanIterator: 'scan',
  sscanStream: 'sscan',
  sscanBufferStream: 'sscan',
  sScanIterator: 'sscan',
  hscanStream: 'hscan',
  hscanBufferStream: 'hscan',
  hScanIterator: 'hscan',
  zscanStream: 'zscan',
  zscanBufferStream: 'zscan',
  zScanIterator: 'zscan',
};

/**
 * `scanStream({ match })` / `scanIterator({ MATCH })` as `SCAN 0 MATCH pattern`; the member scans as `SSCAN key 0 ...`.
 *
 * @example
 * ```ts
 * scanIterator(line, 'scan', call.arguments, call.callee); // SCAN 0 MATCH <the match option>
 * ```
 */
export function scanIterator(line: LineDraft, command: string, args: readonly Node[], callee: Node): CommandLine {
  line.push(callee, { exact: true, text: command });
  const keyed = command !== 'scan';
  if (keyed && args[0]) line.push(args[0]);
  line.push(callee, { exact: true, text: '0' });
  const options = args[keyed ? 1 : 0];
  const object = options && unwrap(options);
  if (object?.type === 'ObjectExpression') {
    for (const property of object.properties) {
      if (property.type === 'ObjectProperty' && !property.computed && property.key.type === 'Identifier' && property.key.name.toLowerCase() === 'match') {
        line.push(property.key, { exact: true, text: 'MATCH' });
        line.push(property.value);
      }
    }
  } else if (options) {
    line.push(options, { exact: true, text: 'MATCH' });
    line.push(options, { exact: false, text: '' });
  }
  return line.done();
}
