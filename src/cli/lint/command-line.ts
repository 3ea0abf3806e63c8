import type * as B from '@babel/types';
import { isFunction, keyText, propertyValue, unwrap, type Node } from './ast.js';
import type { ClientInfo } from './client-detection.js';
import type { ScriptSignature } from './client-options.js';
import type { ModuleFacts } from './module-facts.js';
import { NODE_REDIS_SHAPES } from './node-redis-shapes.js';
import { SCAN_ITERATORS, scanIterator } from './scan-iterators.js';
import type { StaticText, StaticTextResolver } from './static-text.js';

const NODE_REDIS_PUBSUB = new Set(['subscribe', 'psubscribe', 'ssubscribe', 'unsubscribe', 'punsubscribe', 'sunsubscribe']);

/**
 * One element of a command line as the source spells it: where it is, what is known of it, and
 * how a message names it when its node is not the element itself (a key of an object written in
 * another module is reported at the argument that names the object).
 *
 * @example
 * ```ts
 * const slot: Slot = { node: argument, text: { exact: true, text: 'mcp2:a' } };
 * ```
 */
export interface Slot {
  readonly node: Node;
  readonly text: StaticText;
  readonly label?: string;
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

const notCallback = (arg: Node) => !isFunction(arg);

/**
 * Builds {@link CommandLine}s from driver calls.
 *
 * @example
 * ```ts
 * new CommandLineBuilder(texts, module).fromCall('hSet', ['hset'], call.arguments, call.callee, client);
 * ```
 */
export class CommandLineBuilder {
  constructor(
    private readonly texts: StaticTextResolver,
    private readonly module: ModuleFacts,
  ) {}

  /**
   * The command line of `client.method(...args)`, `client.call(name, ...args)` (ioredis) or
   * `client.sendCommand([name, ...args])` (node-redis); `undefined` when the command's name is
   * not static.
   */
  fromCall(method: string, command: readonly string[] | undefined, allArgs: readonly Node[], callee: Node, client: ClientInfo): CommandLine | undefined {
    const line = this.draft();
    // A function written in the call is a callback (ioredis) or a listener (node-redis pub/sub), never an argument Redis gets.
    let args = allArgs.filter(notCallback);
    if (method === 'call' || method === 'callBuffer') {
      const [name, ...rest] = args;
      const text = name && this.texts.resolve(name, this.module);
      if (!name || !text?.exact) return undefined;
      line.push(name, text);
      for (const arg of rest) line.flatten(arg, text.text.toLowerCase());
      return line.done();
    }
    if (method === 'sendCommand' || method === 'addCommand') return args[0] ? this.fromArgv(args[0]) : undefined;
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

  /** A whole command line written as an array (`sendCommand([...])`, `addCommand([...])`, ioredis `pipeline([[...]])`); `undefined` when its name is not static. */
  fromArgv(argv: Node): CommandLine | undefined {
    const array = unwrap(argv);
    if (array.type !== 'ArrayExpression' || !array.elements[0] || array.elements[0].type === 'SpreadElement') return undefined;
    const text = this.texts.resolve(array.elements[0], this.module);
    if (!text.exact) return undefined;
    const line = this.draft();
    for (const element of array.elements) if (element) line.flatten(element, text.text.toLowerCase());
    return line.done();
  }

  /** A node-redis module command (`client.json.set(key, path, value)` as `JSON.SET key path value`). */
  fromModuleCall(name: string, args: readonly Node[], callee: Node): CommandLine {
    const line = this.draft();
    line.push(callee, { exact: true, text: name });
    for (const arg of args.filter(notCallback)) line.flatten(arg, name.toLowerCase(), true);
    return line.done();
  }

  /**
   * A script method as the EVALSHA it sends: ioredis `defineCommand` scripts take their keys
   * first (and the number of keys first when it is not declared); node-redis `scripts` take the
   * arguments their `parseCommand` pushes as keys, else the first `NUMBER_OF_KEYS`.
   */
  fromScript(signature: ScriptSignature, allArgs: readonly Node[], callee: Node, client: ClientInfo): CommandLine | undefined {
    const line = this.draft();
    const args = allArgs.filter(notCallback);
    line.push(callee, { exact: true, text: 'evalsha' });
    line.push(callee, { exact: true, text: 'sha1' });
    if (client.driver === 'ioredis') {
      if (signature.numberOfKeys !== undefined) line.push(callee, { exact: true, text: String(signature.numberOfKeys) });
      for (const arg of args) line.flatten(arg, 'evalsha');
      return line.done();
    }
    const keyArguments = signature.keyArguments ?? (signature.numberOfKeys === undefined ? undefined : args.map((_, i) => i).slice(0, signature.numberOfKeys));
    if (!keyArguments) return undefined;
    const keys: Node[] = [];
    for (const i of keyArguments) {
      const key = args[i];
      if (key) keys.push(key);
    }
    const plainKeys = keys.every((key) => unwrap(key).type !== 'ArrayExpression' && unwrap(key).type !== 'SpreadElement');
    if (plainKeys) line.push(callee, { exact: true, text: String(keys.length) });
    else line.open(callee);
    for (const key of keys) line.flatten(key, '');
    args.forEach((arg, i) => {
      if (!keyArguments.includes(i)) line.flatten(arg, '', true);
    });
    return line.done();
  }

  private draft(): LineDraft {
    return new LineDraft(this.texts, this.module);
  }
}

/**
 * A command line being built.
 *
 * @example
 * ```ts
 * const line = new LineDraft(texts, module);
 * line.push(callee, { exact: true, text: 'get' });
 * line.flatten(keyArgument, 'get');
 * line.done();
 * ```
 */
export class LineDraft {
  private readonly slots: Slot[] = [];
  private openFrom: number | undefined;

  constructor(
    private readonly texts: StaticTextResolver,
    private readonly module: ModuleFacts,
  ) {}

  push(node: Node, text: StaticText = this.texts.resolve(node, this.module), label?: string): void {
    this.slots.push(label === undefined ? { node, text } : { node, text, label });
  }

  /** Marks that an unknown number of elements stands here (a spread, an array variable). */
  open(node: Node): void {
    this.openFrom ??= this.slots.length;
    this.slots.push({ node, text: UNKNOWN });
  }

  /**
   * Appends an argument as the driver sends it: arrays flattened, `{ field: value }` objects of
   * MSET/HSET expanded into pairs (also when the object is a `const` of the project); other object
   * literals are node-redis options (dropped when `dropOptions`) or a single unknown argument.
   */
  flatten(arg: Node, command: string, dropOptions = false): void {
    const node = unwrap(arg);
    if (node.type === 'SpreadElement') return this.open(node);
    if (node.type === 'ArrayExpression') {
      for (const element of node.elements) if (element) this.flatten(element, command, dropOptions);
      return;
    }
    if (node.type === 'ObjectExpression') {
      if (OBJECT_PAIRS.has(command)) return this.pairs(node, this.module, undefined);
      if (!dropOptions) this.slots.push({ node, text: UNKNOWN });
      return;
    }
    if (OBJECT_PAIRS.has(command) && (node.type === 'Identifier' || node.type === 'MemberExpression')) {
      const object = this.texts.objectOf(node, this.module);
      if (object?.node.type === 'ObjectExpression') return this.pairs(object.node, object.module, object.module === this.module ? undefined : arg);
    }
    this.push(arg);
  }

  /** `{ a: 1, [name]: 2 }` as `a 1 <unknown> 2`; `anchor` is where to report keys written in another module. */
  private pairs(object: B.ObjectExpression, module: ModuleFacts, anchor: Node | undefined): void {
    for (const property of object.properties) {
      if (property.type !== 'ObjectProperty') {
        this.open(anchor ?? property);
        continue;
      }
      const name = keyText(property.key, property.computed);
      const text = name === undefined && property.computed ? this.texts.resolve(property.key, module) : { exact: name !== undefined, text: name ?? '' };
      this.push(anchor ?? property.key, text, anchor && text.exact ? `'${text.text}'` : undefined);
      this.push(anchor ?? property.value, this.texts.resolve(property.value, module));
    }
  }

  /**
   * The count of a node-redis key list (`[a, b]`, a single key, or `{ key, weight }` objects as
   * ZUNIONSTORE and ZINTERSTORE take them), pushed as NUMKEYS, then the keys.
   */
  keyList(keys: Node | undefined, anchor: Node): void {
    if (!keys) return;
    const node = unwrap(keys);
    if (node.type === 'ArrayExpression') {
      const spread = node.elements.some((element) => element?.type === 'SpreadElement');
      if (spread) this.open(node);
      else this.push(anchor, { exact: true, text: String(node.elements.length) });
      for (const element of node.elements) if (element && !this.weighted(element)) this.flatten(element, '');
      return;
    }
    if (node.type === 'ObjectExpression') {
      this.push(anchor, { exact: true, text: '1' });
      if (this.weighted(node) === undefined) this.open(node);
      return;
    }
    const text = this.texts.resolve(keys, this.module);
    // A string expression is one key; a name may hold an array, whose length is unknown.
    if (node.type === 'StringLiteral' || node.type === 'TemplateLiteral' || text.exact) {
      this.push(anchor, { exact: true, text: '1' });
      this.slots.push({ node: keys, text });
    } else {
      this.open(keys);
    }
  }

  /** `{ key, weight }`: its key; `undefined` for anything else. */
  private weighted(element: Node): true | undefined {
    const node = unwrap(element);
    const key = node.type === 'ObjectExpression' ? propertyValue(node, 'key') : undefined;
    if (!key || key.type === 'ObjectMethod') return undefined;
    this.push(key);
    return true;
  }

  done(): CommandLine {
    return { slots: this.slots, openFrom: this.openFrom };
  }
}
