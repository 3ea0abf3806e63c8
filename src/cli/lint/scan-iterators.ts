import type * as TS from 'typescript';
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
 * scanIterator(line, 'scan', call.arguments, call.expression); // SCAN 0 MATCH <the match option>
 * ```
 */
export function scanIterator(line: LineDraft, command: string, args: readonly TS.Expression[], callee: TS.Node): CommandLine {
  const ts = line.ts;
  line.push(callee, { exact: true, text: command });
  const keyed = command !== 'scan';
  if (keyed && args[0]) line.push(args[0]);
  line.push(callee, { exact: true, text: '0' });
  const options = args[keyed ? 1 : 0];
  if (options && ts.isObjectLiteralExpression(options)) {
    for (const property of options.properties) {
      if (ts.isPropertyAssignment(property) && ts.isIdentifier(property.name) && property.name.text.toLowerCase() === 'match') {
        line.push(property.name, { exact: true, text: 'MATCH' });
        line.push(property.initializer);
      }
    }
  } else if (options) {
    line.push(options, { exact: true, text: 'MATCH' });
    line.push(options, { exact: false, text: '' });
  }
  return line.done();
}
