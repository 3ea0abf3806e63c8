import type * as TS from 'typescript';
import type { ClientInfo } from './client-detection.js';
import type { ModuleFacts } from './module-facts.js';
import { NODE_REDIS_SHAPES } from './node-redis-shapes.js';
import { SCAN_ITERATORS, scanIterator } from './scan-iterators.js';
import { propertyNameText, type StaticText, type StaticTextResolver } from './static-text.js';

const NODE_REDIS_PUBSUB = new Set(['subscribe', 'psubscribe', 'ssubscribe', 'unsubscribe', 'punsubscribe', 'sunsubscribe']);

/**
 * One element of a command line as the source spells it: where it is and what is known of it.
 *
 * @example
 * ```ts
 * const slot: Slot = { node: argument, text: { exact: true, text: 'mcp2:a' } };
 * ```
 */
export interface Slot {
  readonly node: TS.Node;
  readonly text: StaticText;
}

/**
 * A command line rebuilt from a call's arguments, name first (`['hset', key, field, value]`).
 * `openFrom` is the first position whose place is unknown (after a spread or an array of
 * unknown length): positions from there on cannot be told apart.
 *
 * @example
 * ```ts
 * const line: CommandLine = { slots: [nameSlot, keySlot], openFrom: undefined };
 * ```
 */
export interface CommandLine {
  readonly slots: readonly Slot[];
  readonly openFrom: number | undefined;
}

const UNKNOWN: StaticText = { exact: false, text: '' };
/** Commands whose object argument both drivers expand into field (or key) / value pairs. */
const OBJECT_PAIRS = new Set(['mset', 'msetnx', 'hset', 'hmset']);

/**
 * Builds {@link CommandLine}s from driver calls.
 *
 * @example
 * ```ts
 * new CommandLineBuilder(ts, texts, module).fromCall('hSet', ['hset'], call.arguments, call.expression, client);
 * ```
 */
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
  fromCall(method: string, command: readonly string[] | undefined, allArgs: readonly TS.Expression[], callee: TS.Node, client: ClientInfo): CommandLine | undefined {
    const line = new LineDraft(this.ts, this.texts, this.module);
    // A function written in the call is a callback (ioredis) or a listener (node-redis pub/sub), never an argument Redis gets.
    let args = allArgs.filter((arg) => !this.ts.isArrowFunction(arg) && !this.ts.isFunctionExpression(arg));
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
    // node-redis (p|s)(un)subscribe(channels, listener, bufferMode): only the channels go to Redis.
    if (client.driver === 'node-redis' && NODE_REDIS_PUBSUB.has(name)) args = args.slice(0, 1);
    const shape = client.driver === 'node-redis' ? NODE_REDIS_SHAPES[name] : undefined;
    if (shape) shape(line, args, callee);
    else for (const arg of args) line.flatten(arg, name, client.driver === 'node-redis');
    return line.done();
  }
}

/**
 * A command line being built.
 *
 * @example
 * ```ts
 * const line = new LineDraft(ts, texts, module);
 * line.push(callee, { exact: true, text: 'get' });
 * line.flatten(keyArgument, 'get');
 * line.done();
 * ```
 */
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
