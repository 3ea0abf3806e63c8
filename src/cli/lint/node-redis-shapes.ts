import type * as TS from 'typescript';
import type { LineDraft } from './command-line.js';

/**
 * Rebuilds the command line of one node-redis method from its arguments.
 *
 * @example
 * ```ts
 * const shape: Shape = (line, args) => args.forEach((arg) => line.push(arg));
 * ```
 */
export type Shape = (line: LineDraft, args: readonly TS.Expression[], callee: TS.Node) => void;

const rest = (line: LineDraft, args: readonly TS.Expression[], from: number) => {
  for (const arg of args.slice(from)) line.flatten(arg, '', true);
};

/** `fn(keys, ...)` -> `NUMKEYS keys...` (ZUNION, SINTERCARD, LMPOP...). */
const countedKeys: Shape = (line, args, callee) => {
  line.keyList(args[0], args[0] ?? callee);
  rest(line, args, 1);
};
/** `fn(destination, keys, options)` -> `destination NUMKEYS keys...` (ZUNIONSTORE...). */
const destinationAndCountedKeys: Shape = (line, args, callee) => {
  if (args[0]) line.push(args[0]);
  line.keyList(args[1], args[1] ?? callee);
};
/** `fn(timeout, keys, ...)` -> `timeout NUMKEYS keys...` (BLMPOP, BZMPOP). */
const timeoutAndCountedKeys: Shape = (line, args, callee) => {
  if (args[0]) line.push(args[0]);
  line.keyList(args[1], args[1] ?? callee);
  rest(line, args, 2);
};
/** `fn(script, { keys, arguments })` -> `script NUMKEYS keys... args...` (EVAL, EVALSHA, FCALL). */
const scriptCall: Shape = (line, args, callee) => {
  const ts = line.ts;
  const [script, options] = args;
  if (script) line.push(script);
  if (!options) return line.push(script ?? callee, { exact: true, text: '0' });
  if (!ts.isObjectLiteralExpression(options)) return line.open(options);
  const property = (name: string): TS.Expression | undefined => {
    for (const p of options.properties) {
      if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === name) return p.initializer;
      if (ts.isShorthandPropertyAssignment(p) && p.name.text === name) return p.name;
    }
    return undefined;
  };
  const keys = property('keys');
  if (keys) line.keyList(keys, keys);
  else line.push(options, { exact: true, text: '0' });
  const values = property('arguments');
  if (values) line.flatten(values, '');
};
/** `xRead(streams, options)`: streams are `{ key, id }` objects, alone or in an array. */
const streams = (line: LineDraft, value: TS.Expression | undefined): void => {
  const ts = line.ts;
  if (!value) return;
  line.push(value, { exact: true, text: 'STREAMS' });
  const entries = ts.isArrayLiteralExpression(value) ? value.elements : [value];
  const ids: TS.Expression[] = [];
  for (const entry of entries) {
    const key = ts.isObjectLiteralExpression(entry)
      ? entry.properties.find((p): p is TS.PropertyAssignment => ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === 'key')
      : undefined;
    if (!key) return line.open(entry);
    line.push(key.initializer);
    ids.push(key.initializer);
  }
  for (const id of ids) line.push(id, { exact: true, text: '0' });
};
/** `scan(cursor, { MATCH, COUNT, TYPE })`. */
const scan: Shape = (line, args) => {
  const ts = line.ts;
  const [cursor, options] = args;
  if (cursor) line.push(cursor);
  if (!options) return;
  if (!ts.isObjectLiteralExpression(options)) {
    line.push(options, { exact: true, text: 'MATCH' });
    return line.push(options, { exact: false, text: '' });
  }
  for (const property of options.properties) {
    if (!ts.isPropertyAssignment(property) || !ts.isIdentifier(property.name)) continue;
    line.push(property.name, { exact: true, text: property.name.text.toUpperCase() });
    line.push(property.initializer);
  }
};

/**
 * node-redis typed commands whose arguments are not the command line (counted key lists, stream
 * objects, script options). Other node-redis methods take the keys where Redis has them, with
 * arrays flattened and trailing option objects dropped.
 */
export const NODE_REDIS_SHAPES: Readonly<Record<string, Shape>> = {
  zunion: countedKeys,
  zinter: countedKeys,
  zdiff: countedKeys,
  zintercard: countedKeys,
  sintercard: countedKeys,
  lmpop: countedKeys,
  zmpop: countedKeys,
  zunionstore: destinationAndCountedKeys,
  zinterstore: destinationAndCountedKeys,
  zdiffstore: destinationAndCountedKeys,
  blmpop: timeoutAndCountedKeys,
  bzmpop: timeoutAndCountedKeys,
  eval: scriptCall,
  eval_ro: scriptCall,
  evalsha: scriptCall,
  evalsha_ro: scriptCall,
  fcall: scriptCall,
  fcall_ro: scriptCall,
  xread: (line, args) => streams(line, args[0]),
  xreadgroup: (line, args, callee) => {
    line.push(callee, { exact: true, text: 'GROUP' });
    if (args[0]) line.push(args[0]);
    if (args[1]) line.push(args[1]);
    streams(line, args[2]);
  },
  scan,
};
