import type * as TS from 'typescript';
import type { ClientInfo } from './client-detection.js';
import type { ModuleFacts } from './module-facts.js';
import { propertyNameText, type StaticText, type StaticTextResolver } from './static-text.js';

/** One element of a command line as the source spells it: where it is and what is known of it. */
export interface Slot {
  readonly node: TS.Node;
  readonly text: StaticText;
}

/**
 * A command line rebuilt from a call's arguments, name first (`['hset', key, field, value]`).
 * `openFrom` is the first position whose place is unknown (after a spread or an array of
 * unknown length): positions from there on cannot be told apart.
 */
export interface CommandLine {
  readonly slots: readonly Slot[];
  readonly openFrom: number | undefined;
}

const UNKNOWN: StaticText = { exact: false, text: '' };
/** Commands whose object argument both drivers expand into field (or key) / value pairs. */
const OBJECT_PAIRS = new Set(['mset', 'msetnx', 'hset', 'hmset']);

/** Builds {@link CommandLine}s from driver calls. */
export class CommandLineBuilder {
  constructor(
    private readonly ts: typeof TS,
    private readonly texts: StaticTextResolver,
    private readonly module: ModuleFacts,
  ) {}

  /**
   * The command line of `client.method(...args)`, `client.call(name, ...args)` (ioredis) or
   * `client.sendCommand([name, ...args])` (node-redis); `undefined` when the command's name is
   * not static.
   */
  fromCall(method: string, command: readonly string[] | undefined, args: readonly TS.Expression[], callee: TS.Node, client: ClientInfo): CommandLine | undefined {
    const line = new LineDraft(this.ts, this.texts, this.module);
    if (method === 'call' || method === 'callBuffer') {
      const [name, ...rest] = args;
      const text = name && this.texts.resolve(name, this.module);
      if (!name || !text?.exact) return undefined;
      line.push(name, text);
      for (const arg of rest) line.flatten(arg, text.text.toLowerCase());
      return line.done();
    }
    if (method === 'sendCommand') {
      const [argv] = args;
      if (!argv || !this.ts.isArrayLiteralExpression(argv) || argv.elements.length === 0) return undefined;
      const first = argv.elements[0] as TS.Expression;
      const text = this.texts.resolve(first, this.module);
      if (!text.exact) return undefined;
      for (const element of argv.elements) line.flatten(element, text.text.toLowerCase());
      return line.done();
    }
    const iterated = SCAN_ITERATORS[method];
    if (iterated) return scanIterator(line, iterated, args, callee);
    if (!command) return undefined;
    for (const token of command) line.push(callee, { exact: true, text: token });
    const name = command.join('|');
    const shape = client.driver === 'node-redis' ? NODE_REDIS_SHAPES[name] : undefined;
    if (shape) shape(line, args, callee);
    else for (const arg of args) line.flatten(arg, name, client.driver === 'node-redis');
    return line.done();
  }
}

/** A command line being built. */
export class LineDraft {
  private readonly slots: Slot[] = [];
  private openFrom: number | undefined;

  constructor(
    readonly ts: typeof TS,
    private readonly texts: StaticTextResolver,
    private readonly module: ModuleFacts,
  ) {}

  push(node: TS.Node, text: StaticText = this.texts.resolve(node as TS.Expression, this.module)): void {
    this.slots.push({ node, text });
  }

  /** Marks that an unknown number of elements stands here (a spread, an array variable). */
  open(node: TS.Node): void {
    this.openFrom ??= this.slots.length;
    this.slots.push({ node, text: UNKNOWN });
  }

  /**
   * Appends an argument as the driver sends it: arrays flattened, `{ field: value }` objects of
   * MSET/HSET expanded into pairs; other object literals are node-redis options (dropped when
   * `dropOptions`) or a single unknown argument.
   */
  flatten(arg: TS.Expression, command: string, dropOptions = false): void {
    const ts = this.ts;
    if (ts.isSpreadElement(arg)) return this.open(arg);
    if (ts.isArrayLiteralExpression(arg)) {
      for (const element of arg.elements) this.flatten(element, command, dropOptions);
      return;
    }
    if (ts.isObjectLiteralExpression(arg)) {
      if (OBJECT_PAIRS.has(command)) return this.pairs(arg);
      if (!dropOptions) this.slots.push({ node: arg, text: UNKNOWN });
      return;
    }
    this.push(arg);
  }

  /** `{ a: 1, [name]: 2 }` as `a 1 <unknown> 2`. */
  private pairs(object: TS.ObjectLiteralExpression): void {
    const ts = this.ts;
    for (const property of object.properties) {
      if (!ts.isPropertyAssignment(property)) {
        this.open(property);
        continue;
      }
      const name = propertyNameText(ts, property.name);
      const text = name === undefined && ts.isComputedPropertyName(property.name) ? this.texts.resolve(property.name.expression, this.module) : { exact: name !== undefined, text: name ?? '' };
      this.slots.push({ node: property.name, text });
      this.push(property.initializer);
    }
  }

  /** The count of a node-redis key list (`[a, b]` or a single key), pushed as NUMKEYS, then the keys. */
  keyList(keys: TS.Expression | undefined, anchor: TS.Node): void {
    const ts = this.ts;
    if (!keys) return;
    if (ts.isArrayLiteralExpression(keys)) {
      const spread = keys.elements.some((element) => ts.isSpreadElement(element));
      if (spread) this.open(keys);
      else this.push(anchor, { exact: true, text: String(keys.elements.length) });
      for (const element of keys.elements) this.flatten(element, '');
      return;
    }
    const text = this.texts.resolve(keys, this.module);
    // A string expression is one key; a name may hold an array, whose length is unknown.
    if (ts.isStringLiteralLike(keys) || ts.isTemplateExpression(keys) || text.exact) {
      this.push(anchor, { exact: true, text: '1' });
      this.slots.push({ node: keys, text });
    } else {
      this.open(keys);
    }
  }

  done(): CommandLine {
    return { slots: this.slots, openFrom: this.openFrom };
  }
}

/** ioredis scan streams and node-redis scan iterators, by the command they send. */
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

/** `scanStream({ match })` / `scanIterator({ MATCH })` as `SCAN 0 MATCH pattern`; the member scans as `SSCAN key 0 ...`. */
function scanIterator(line: LineDraft, command: string, args: readonly TS.Expression[], callee: TS.Node): CommandLine {
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

type Shape = (line: LineDraft, args: readonly TS.Expression[], callee: TS.Node) => void;

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
const NODE_REDIS_SHAPES: Readonly<Record<string, Shape>> = {
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
