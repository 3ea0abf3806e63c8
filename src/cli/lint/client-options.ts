import type * as B from '@babel/types';
import type { CommandRule } from '../../core/command-rules.js';
import { forEachChild, isCall, isFunction, keyText, memberName, propertyValue, unwrap, type Node } from './ast.js';
import type { ModuleFacts } from './module-facts.js';
import type { StaticTextResolver } from './static-text.js';

/**
 * How a script method takes its keys: the declared number of keys, and which call arguments
 * are keys when the definition says so (node-redis `parseCommand(parser, key)` pushing `key`
 * with `parser.pushKey`).
 *
 * @example
 * ```ts
 * const signature: ScriptSignature = { numberOfKeys: 1, keyArguments: [0] };
 * ```
 */
export interface ScriptSignature {
  /** `undefined` when not declared: ioredis then takes the number of keys as the first argument. */
  readonly numberOfKeys: number | undefined;
  readonly keyArguments?: readonly number[] | undefined;
}

/**
 * The `commands` rules of a `createIsolatedRedis` call, or of the lint configuration, as far
 * as they are written out. `'unknown'` when the option is there but not static (then no
 * command of that client is reported as unknown).
 *
 * @example
 * ```ts
 * const rules: StaticRules = { 'json.set': { firstKey: 0 } };
 * ```
 */
export type StaticRules = Readonly<Record<string, CommandRule>> | 'unknown';

/**
 * Reads the `commands` option of an isolated client: `{ 'json.set': { firstKey: 0 } }` and the
 * like. A rule written with a `locate` function (which lint cannot run) registers the command
 * without key positions: its keys are left to the guard at run time.
 *
 * @example
 * ```ts
 * readCommandRules(options.commands, module, texts); // { 'json.set': { firstKey: 0 } }
 * ```
 */
export function readCommandRules(value: Node, module: ModuleFacts, texts: StaticTextResolver): StaticRules {
  const object = texts.objectOf(value, module);
  if (!object || object.node.type !== 'ObjectExpression') return 'unknown';
  const rules: Record<string, CommandRule> = {};
  for (const property of object.node.properties) {
    if (property.type !== 'ObjectProperty') return 'unknown';
    const name = keyText(property.key, property.computed) ?? (property.computed ? exactText(texts, property.key, object.module) : undefined);
    const rule = name === undefined ? undefined : readRule(property.value, object.module, texts);
    if (name === undefined || !rule) return 'unknown';
    rules[name] = rule;
  }
  return rules;
}

function readRule(value: Node, module: ModuleFacts, texts: StaticTextResolver): CommandRule | undefined {
  const object = texts.objectOf(value, module);
  if (!object || object.node.type !== 'ObjectExpression') return undefined;
  const field = (name: string) => {
    const found = propertyValue(object.node as B.ObjectExpression, name);
    return found && (found.type === 'ObjectMethod' || isFunction(found) ? found : unwrap(found));
  };
  const number = (name: string): number | undefined => numberOf(field(name));
  if (field('locate')) return { keys: 'none' };
  const blocked = field('blocked');
  if (blocked) return { blocked: exactText(texts, blocked, object.module) ?? 'blocked' };
  const keys = field('keys');
  if (keys) return exactText(texts, keys, object.module) === 'none' ? { keys: 'none' } : undefined;
  const firstKey = number('firstKey');
  if (firstKey === undefined) return undefined;
  const lastKey = number('lastKey');
  const keyStep = number('keyStep');
  return { firstKey, ...(lastKey === undefined ? {} : { lastKey }), ...(keyStep === undefined ? {} : { keyStep }) };
}

/**
 * Reads node-redis's `scripts` option (`{ name: defineScript({ NUMBER_OF_KEYS, parseCommand }) }`)
 * into the signature of each script method.
 *
 * @example
 * ```ts
 * readScripts(options, module, texts).get('addAndGet'); // { numberOfKeys: 1, keyArguments: [0] }
 * ```
 */
export function readScripts(options: Node, module: ModuleFacts, texts: StaticTextResolver): Map<string, ScriptSignature> {
  const scripts = new Map<string, ScriptSignature>();
  const object = texts.objectOf(options, module);
  if (!object || object.node.type !== 'ObjectExpression') return scripts;
  const value = propertyValue(object.node, 'scripts');
  const table = value && texts.objectOf(value, object.module);
  if (!table || table.node.type !== 'ObjectExpression') return scripts;
  for (const property of table.node.properties) {
    if (property.type !== 'ObjectProperty') continue;
    const name = keyText(property.key, property.computed);
    let definition: Node = unwrap(property.value);
    // defineScript({...}) returns its argument.
    if (isCall(definition) && definition.arguments[0]) definition = definition.arguments[0];
    const script = texts.objectOf(definition, table.module);
    if (name === undefined || !script || script.node.type !== 'ObjectExpression') continue;
    scripts.set(name, scriptSignature(script.node));
  }
  return scripts;
}

function scriptSignature(script: B.ObjectExpression): ScriptSignature {
  const numberOfKeys = numberOf(propertyValue(script, 'NUMBER_OF_KEYS'));
  const parse = propertyValue(script, 'parseCommand');
  if (!parse || !isFunction(parse)) return { numberOfKeys };
  // parseCommand(parser, ...args): which of args it pushes as keys.
  const [parser, ...params] = parse.params;
  const parserName = parser?.type === 'Identifier' ? parser.name : undefined;
  const indexOf = new Map(params.map((param, i) => [param.type === 'Identifier' ? param.name : '', i] as const));
  const keyArguments: number[] = [];
  const visit = (node: Node) => {
    if (isCall(node) && node.callee.type === 'MemberExpression' && node.callee.object.type === 'Identifier' && node.callee.object.name === parserName) {
      const method = memberName(node.callee);
      const [argument] = node.arguments;
      const index = argument?.type === 'Identifier' ? indexOf.get(argument.name) : undefined;
      if ((method === 'pushKey' || method === 'pushKeys') && index !== undefined) keyArguments.push(index);
    }
    forEachChild(node, visit);
  };
  visit(parse.body);
  return { numberOfKeys, keyArguments: keyArguments.length > 0 ? keyArguments : undefined };
}

/**
 * Reads ioredis's `defineCommand(name, { numberOfKeys })`.
 *
 * @example
 * ```ts
 * readDefinedCommand(call, module, texts); // ['incrTwo', { numberOfKeys: 2 }]
 * ```
 */
export function readDefinedCommand(call: B.CallExpression | B.OptionalCallExpression, module: ModuleFacts, texts: StaticTextResolver): [string, ScriptSignature] | undefined {
  const [name, definition] = call.arguments;
  const text = name ? texts.resolve(name, module) : undefined;
  if (!text?.exact) return undefined;
  const object = definition && texts.objectOf(definition, module);
  const numberOfKeys = object?.node.type === 'ObjectExpression' ? numberOf(propertyValue(object.node, 'numberOfKeys')) : undefined;
  return [text.text, { numberOfKeys }];
}

function numberOf(node: Node | undefined): number | undefined {
  if (!node) return undefined;
  const value = unwrap(node);
  if (value.type === 'NumericLiteral') return value.value;
  if (value.type === 'UnaryExpression' && value.operator === '-' && value.argument.type === 'NumericLiteral') return -value.argument.value;
  return undefined;
}

function exactText(texts: StaticTextResolver, node: Node, module: ModuleFacts): string | undefined {
  const text = texts.resolve(node, module);
  return text.exact ? text.text : undefined;
}
