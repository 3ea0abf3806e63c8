import type * as B from '@babel/types';

/**
 * A node of the syntax tree `lint` reads (`@babel/parser`'s, typed by `@babel/types`).
 *
 * @example
 * ```ts
 * const node: Node = file.program;
 * ```
 */
export type Node = B.Node;
/** An expression node. */
export type Expression = B.Expression;
/** A call, optional or not (`a.b()`, `a?.b()`). */
export type Call = B.CallExpression | B.OptionalCallExpression;
/** A member access, optional or not (`a.b`, `a?.b`, `a['b']`). */
export type Member = B.MemberExpression | B.OptionalMemberExpression;

const NOT_CHILDREN = new Set(['type', 'start', 'end', 'loc', 'range', 'extra', 'leadingComments', 'trailingComments', 'innerComments', 'comments', 'tokens', 'errors']);

const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';

/**
 * Calls `visit` on each child node of `node`, in source order.
 *
 * @example
 * ```ts
 * forEachChild(call, (child) => count++);
 * ```
 */
export function forEachChild(node: Node, visit: (child: Node) => void): void {
  const fields = node as unknown as Record<string, unknown>;
  for (const key in fields) {
    if (NOT_CHILDREN.has(key)) continue;
    const value = fields[key];
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) visit(item);
    } else if (isNode(value)) {
      visit(value);
    }
  }
}

/** Type-only wrappers, which change nothing at run time. */
const WRAPPERS = new Set(['TSAsExpression', 'TSSatisfiesExpression', 'TSNonNullExpression', 'TSTypeAssertion', 'TSInstantiationExpression', 'ParenthesizedExpression']);

/**
 * The expression under type-only wrappers (`x as T`, `x!`, `<T>x`, `x satisfies T`, `f<T>`).
 *
 * @example
 * ```ts
 * unwrap(node).type; // 'ObjectExpression' for `{ a: 1 } as const`
 * ```
 */
export function unwrap(node: Node): Node {
  let current = node;
  while (WRAPPERS.has(current.type)) current = (current as B.TSAsExpression).expression;
  return current;
}

/**
 * Whether `node` is a call (`a()`, `a?.()`).
 *
 * @example
 * ```ts
 * isCall(node) && node.arguments.length;
 * ```
 */
export function isCall(node: Node | null | undefined): node is Call {
  return node?.type === 'CallExpression' || node?.type === 'OptionalCallExpression';
}

/**
 * Whether `node` is a member access (`a.b`, `a?.b`, `a['b']`).
 *
 * @example
 * ```ts
 * isMember(node) && memberName(node);
 * ```
 */
export function isMember(node: Node | null | undefined): node is Member {
  return node?.type === 'MemberExpression' || node?.type === 'OptionalMemberExpression';
}

/**
 * Whether `node` is a function (declaration, expression, arrow, method).
 *
 * @example
 * ```ts
 * isFunction(argument) && argument.params.length;
 * ```
 */
export function isFunction(node: Node | null | undefined): node is B.Function {
  switch (node?.type) {
    case 'FunctionDeclaration':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
    case 'ObjectMethod':
    case 'ClassMethod':
    case 'ClassPrivateMethod':
      return true;
    default:
      return false;
  }
}

/**
 * The name a member access reads, when it is written out: `a.b` and `a['b']` give `b`, `a.#b` gives `#b`.
 *
 * @example
 * ```ts
 * memberName(callee); // 'get'
 * ```
 */
export function memberName(member: Member): string | undefined {
  const property = member.property;
  if (!member.computed) {
    if (property.type === 'Identifier') return property.name;
    if (property.type === 'PrivateName') return `#${property.id.name}`;
    return undefined;
  }
  return literalText(property);
}

/**
 * The text of a property key that is written out (`a`, `'a'`, `1`, `['a']`, `#a`), else `undefined`.
 *
 * @example
 * ```ts
 * keyText(property.key, property.computed); // 'queue'
 * ```
 */
export function keyText(key: Node, computed: boolean): string | undefined {
  if (computed) return literalText(key);
  if (key.type === 'Identifier') return key.name;
  if (key.type === 'PrivateName') return `#${key.id.name}`;
  return literalText(key);
}

/** A string or number literal (or a template without substitutions) as text. */
function literalText(node: Node): string | undefined {
  if (node.type === 'StringLiteral') return node.value;
  if (node.type === 'NumericLiteral') return String(node.value);
  if (node.type === 'TemplateLiteral' && node.expressions.length === 0) return node.quasis[0]?.value.cooked ?? undefined;
  return undefined;
}

/**
 * The value of a property of an object literal, by name (`{ keys }` and `{ keys: x }` alike).
 *
 * @example
 * ```ts
 * propertyValue(options, 'keys'); // the `keys` expression of `{ keys, arguments: [] }`
 * ```
 */
export function propertyValue(object: B.ObjectExpression, name: string): Node | undefined {
  for (const property of object.properties) {
    if (property.type === 'ObjectProperty' && keyText(property.key, property.computed) === name) return property.value;
    if (property.type === 'ObjectMethod' && keyText(property.key, property.computed) === name) return property;
  }
  return undefined;
}
