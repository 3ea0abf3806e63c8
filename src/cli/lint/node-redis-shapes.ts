import { propertyValue, unwrap, type Node } from './ast.js';
import type { LineDraft } from './command-line.js';

/**
 * Rebuilds the command line of one node-redis method from its arguments.
 *
 * @example
 * ```ts
 * const shape: Shape = (line, args) => args.forEach((arg) => line.push(arg));
 * ```
 */
export type Shape = (line: LineDraft, args: readonly Node[], callee: Node) => void;

const rest = (line: LineDraft, args: readonly Node[], from: number) => {
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
  const [script, options] = args;
  if (script) line.push(script);
  if (!options) return line.push(script ?? callee, { exact: true, text: '0' });
  const object = unwrap(options);
  if (object.type !== 'ObjectExpression') return line.open(options);
  const keys = propertyValue(object, 'keys');
  if (keys) line.keyList(keys, keys);
  else line.push(options, { exact: true, text: '0' });
  const values = propertyValue(object, 'arguments');
  if (values) line.flatten(values, '');
};
/** `xRead(streams, options)`: streams are `{ key, id }` objects, alone or in an array. */
const streams = (line: LineDraft, value: Node | undefined): void => {
  if (!value) return;
  line.push(value, { exact: true, text: 'STREAMS' });
  const list = unwrap(value);
  const entries = list.type === 'ArrayExpression' ? list.elements : [list];
  const ids: Node[] = [];
  for (const entry of entries) {
    if (!entry) continue;
    const object = unwrap(entry);
    const key = object.type === 'ObjectExpression' ? propertyValue(object, 'key') : undefined;
    if (!key || key.type === 'ObjectMethod') return line.open(entry);
    line.push(key);
    ids.push(key);
  }
  for (const id of ids) line.push(id, { exact: true, text: '0' });
};
/** `scan(cursor, { MATCH, COUNT, TYPE })`. */
const scan: Shape = (line, args) => {
  const [cursor, options] = args;
  if (cursor) line.push(cursor);
  if (!options) return;
  const object = unwrap(options);
  if (object.type !== 'ObjectExpression') {
    line.push(options, { exact: true, text: 'MATCH' });
    return line.push(options, { exact: false, text: '' });
  }
  for (const property of object.properties) {
    if (property.type !== 'ObjectProperty' || property.computed || property.key.type !== 'Identifier') continue;
    line.push(property.key, { exact: true, text: property.key.name.toUpperCase() });
    line.push(property.value);
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
