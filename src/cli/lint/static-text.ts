import type * as TS from 'typescript';
import type { ModuleGraph } from './module-graph.js';
import type { ModuleFacts } from './module-facts.js';

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

const UNKNOWN: StaticText = { exact: false, text: '' };

const append = (left: StaticText, right: () => StaticText): StaticText => {
  if (!left.exact) return left;
  const next = right();
  return { exact: next.exact, text: left.text + next.text };
};

/**
 * Resolves the static start of string expressions: literals, `const` names (in the file or
 * imported from relative modules), template literals, `+` concatenation, `as const` objects.
 *
 * @example
 * ```ts
 * new StaticTextResolver(ts, graph).resolve(expression, module); // { exact: false, text: 'mcp2:payload:' }
 * ```
 */
export class StaticTextResolver {
  constructor(
    private readonly ts: typeof TS,
    private readonly graph: ModuleGraph,
  ) {}

  resolve(expression: TS.Expression, module: ModuleFacts, depth = 0): StaticText {
    const ts = this.ts;
    if (depth > 32) return UNKNOWN;
    const next = (inner: TS.Expression, where = module) => this.resolve(inner, where, depth + 1);
    if (ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression)) return { exact: true, text: expression.text };
    if (ts.isNumericLiteral(expression)) return { exact: true, text: String(Number(expression.text)) };
    if (ts.isParenthesizedExpression(expression) || ts.isAsExpression(expression) || ts.isSatisfiesExpression(expression) || ts.isNonNullExpression(expression)) {
      return next(expression.expression);
    }
    if (ts.isTypeAssertionExpression(expression)) return next(expression.expression);
    if (ts.isTemplateExpression(expression)) {
      let known: StaticText = { exact: true, text: expression.head.text };
      for (const span of expression.templateSpans) {
        known = append(known, () => next(span.expression));
        known = append(known, () => ({ exact: true, text: span.literal.text }));
      }
      return known;
    }
    if (ts.isBinaryExpression(expression) && expression.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      return append(next(expression.left), () => next(expression.right));
    }
    if (ts.isIdentifier(expression)) {
      const binding = this.graph.lookup(module, expression.text);
      return binding ? next(binding.expression, binding.module) : UNKNOWN;
    }
    if (ts.isPropertyAccessExpression(expression) || ts.isElementAccessExpression(expression)) {
      return this.resolveMember(expression, module, depth);
    }
    return UNKNOWN;
  }

  /** `KEYS.user` where `const KEYS = { user: 'mcp2:user' }`, and `mod.PREFIX` of a namespace import. */
  private resolveMember(expression: TS.PropertyAccessExpression | TS.ElementAccessExpression, module: ModuleFacts, depth: number): StaticText {
    const ts = this.ts;
    const name = ts.isPropertyAccessExpression(expression)
      ? expression.name.text
      : ts.isStringLiteral(expression.argumentExpression) || ts.isNumericLiteral(expression.argumentExpression)
        ? expression.argumentExpression.text
        : undefined;
    if (name === undefined || !ts.isIdentifier(expression.expression)) return UNKNOWN;
    const owner = expression.expression.text;
    const imported = module.imports.get(owner);
    if (imported?.imported === '*') {
      const target = this.graph.imported(module, imported.specifier);
      const binding = target && this.graph.exported(target, name);
      return binding ? this.resolve(binding.expression, binding.module, depth + 1) : UNKNOWN;
    }
    const binding = this.graph.lookup(module, owner);
    if (!binding) return UNKNOWN;
    let object = binding.expression;
    while (ts.isAsExpression(object) || ts.isSatisfiesExpression(object) || ts.isParenthesizedExpression(object)) object = object.expression;
    if (!ts.isObjectLiteralExpression(object)) return UNKNOWN;
    for (const property of object.properties) {
      if (ts.isPropertyAssignment(property) && propertyNameText(ts, property.name) === name) {
        return this.resolve(property.initializer, binding.module, depth + 1);
      }
    }
    return UNKNOWN;
  }
}

/**
 * The text of a property name that is written out (`a`, `'a'`, `1`), else `undefined`.
 *
 * @example
 * ```ts
 * propertyNameText(ts, property.name); // 'queue'
 * ```
 */
export function propertyNameText(ts: typeof TS, name: TS.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
  if (ts.isComputedPropertyName(name) && ts.isStringLiteral(name.expression)) return name.expression.text;
  return undefined;
}
