import type * as B from '@babel/types';
import { isMember, keyText, memberName, unwrap, type Node } from './ast.js';
import type { ModuleFacts } from './module-facts.js';
import type { ModuleGraph } from './module-graph.js';

/**
 * What is statically known of a string expression: all of it (`exact`), or only how it starts
 * (`text` is `''` when nothing is known).
 *
 * @example
 * ```ts
 * // `${PREFIX}payload:${id}` with const PREFIX = 'mcp2:'
 * const known: StaticText = { exact: false, text: 'mcp2:payload:' };
 * ```
 */
export interface StaticText {
  readonly exact: boolean;
  readonly text: string;
}

/**
 * An object literal (or enum) found behind an expression, with the module it is written in.
 *
 * @example
 * ```ts
 * const found: StaticObject | undefined = texts.objectOf(argument, module);
 * ```
 */
export interface StaticObject {
  readonly node: B.ObjectExpression | B.TSEnumDeclaration;
  readonly module: ModuleFacts;
}

const UNKNOWN: StaticText = { exact: false, text: '' };

const append = (left: StaticText, right: () => StaticText): StaticText => {
  if (!left.exact) return left;
  const next = right();
  return { exact: next.exact, text: left.text + next.text };
};

/**
 * Resolves the static start of string expressions: literals, `const` names (in their scope, or
 * imported from relative modules), template literals, `+` concatenation, `as const` objects and
 * their nested objects, destructured constants and string enum members.
 *
 * @example
 * ```ts
 * new StaticTextResolver(graph).resolve(expression, module); // { exact: false, text: 'mcp2:payload:' }
 * ```
 */
export class StaticTextResolver {
  constructor(private readonly graph: ModuleGraph) {}

  resolve(expression: Node, module: ModuleFacts, depth = 0): StaticText {
    if (depth > 32) return UNKNOWN;
    const next = (inner: Node, where = module) => this.resolve(inner, where, depth + 1);
    const node = unwrap(expression);
    switch (node.type) {
      case 'StringLiteral':
        return { exact: true, text: node.value };
      case 'NumericLiteral':
        return { exact: true, text: String(node.value) };
      case 'TemplateLiteral': {
        let known: StaticText = { exact: true, text: node.quasis[0]?.value.cooked ?? '' };
        node.expressions.forEach((inner, i) => {
          known = append(known, () => next(inner));
          known = append(known, () => ({ exact: true, text: node.quasis[i + 1]?.value.cooked ?? '' }));
        });
        return known;
      }
      case 'BinaryExpression':
        return node.operator === '+' ? append(next(node.left), () => next(node.right)) : UNKNOWN;
      case 'Identifier': {
        const found = this.graph.resolve(module, node);
        const binding = found?.binding;
        if (!found || binding?.kind !== 'const') return UNKNOWN;
        if (binding.init) return next(binding.init, found.module);
        if (binding.destructured) {
          const value = this.memberOf(binding.destructured.from, binding.destructured.key, found.module, depth + 1);
          return value ? next(value.node, value.module) : UNKNOWN;
        }
        return UNKNOWN;
      }
      case 'MemberExpression':
      case 'OptionalMemberExpression': {
        const name = memberName(node);
        const value = name === undefined ? undefined : this.memberOf(node.object, name, module, depth + 1);
        return value ? next(value.node, value.module) : UNKNOWN;
      }
      default:
        return UNKNOWN;
    }
  }

  /**
   * The object literal an expression stands for: written in place, a `const` bound to one, a
   * property of one, or a namespace import's export.
   */
  objectOf(expression: Node, module: ModuleFacts, depth = 0): StaticObject | undefined {
    if (depth > 32) return undefined;
    const node = unwrap(expression);
    if (node.type === 'ObjectExpression') return { node, module };
    if (node.type === 'Identifier') {
      const found = this.graph.resolve(module, node);
      const binding = found?.binding;
      if (!found || !binding) return undefined;
      if (binding.kind === 'enum' && binding.node.type === 'TSEnumDeclaration') return { node: binding.node, module: found.module };
      if (binding.kind !== 'const') return undefined;
      if (binding.init) return this.objectOf(binding.init, found.module, depth + 1);
      if (binding.destructured) {
        const value = this.memberOf(binding.destructured.from, binding.destructured.key, found.module, depth + 1);
        return value && this.objectOf(value.node, value.module, depth + 1);
      }
      return undefined;
    }
    if (isMember(node)) {
      const name = memberName(node);
      const value = name === undefined ? undefined : this.memberOf(node.object, name, module, depth + 1);
      return value && this.objectOf(value.node, value.module, depth + 1);
    }
    return undefined;
  }

  /** `owner.name`: a property of a static object, or an export of a namespace import. */
  private memberOf(owner: Node, name: string, module: ModuleFacts, depth: number): { node: Node; module: ModuleFacts } | undefined {
    const target = unwrap(owner);
    if (target.type === 'Identifier') {
      const found = this.graph.resolve(module, target);
      const namespace = found && this.graph.namespaceOf(found);
      if (namespace) {
        const exported = this.graph.exported(namespace, name);
        const binding = exported?.binding;
        return exported && binding?.kind === 'const' && binding.init ? { node: binding.init, module: exported.module } : undefined;
      }
    }
    const object = this.objectOf(target, module, depth);
    if (!object) return undefined;
    if (object.node.type === 'TSEnumDeclaration') {
      const enumMember = object.node.members.find((m) => keyText(m.id, false) === name);
      return enumMember?.initializer ? { node: enumMember.initializer, module: object.module } : undefined;
    }
    for (const property of object.node.properties) {
      if (property.type === 'ObjectProperty' && keyText(property.key, property.computed) === name) return { node: property.value, module: object.module };
    }
    return undefined;
  }
}
