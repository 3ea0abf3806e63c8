import type * as B from '@babel/types';
import { forEachChild, isCall, isFunction, keyText, memberName, unwrap, type Call, type Expression, type Node } from './ast.js';

/**
 * Where an imported name comes from: `imported` is `default`, `*` (namespace) or the exported name.
 *
 * @example
 * ```ts
 * const name: ImportedName = { specifier: './keys.js', imported: 'PREFIX' };
 * ```
 */
export interface ImportedName {
  readonly specifier: string;
  readonly imported: string;
}

/**
 * The local name under which `export default <expression>` is recorded.
 *
 * @example
 * ```ts
 * facts.exports.get('default'); // { local: DEFAULT_EXPORT }
 * ```
 */
export const DEFAULT_EXPORT = '*default*';

/**
 * The packages whose exports make Redis clients, and what the CLI calls them.
 *
 * @example
 * ```ts
 * const pkg: DriverPackage = 'node-redis'; // `redis` or `@redis/client`
 * ```
 */
export type DriverPackage = 'ioredis' | 'node-redis' | 'isolated-redis';

const PACKAGES: Readonly<Record<string, DriverPackage>> = {
  ioredis: 'ioredis',
  redis: 'node-redis',
  '@redis/client': 'node-redis',
  'isolated-redis': 'isolated-redis',
};

/**
 * Which driver package a module specifier names, if any.
 *
 * @example
 * ```ts
 * driverPackageOf('@redis/client'); // 'node-redis'
 * ```
 */
export function driverPackageOf(specifier: string): DriverPackage | undefined {
  return PACKAGES[specifier];
}

/**
 * One declared name, in the scope that declares it: what it was initialised with, its type
 * annotation, what is assigned to it later, or where it is imported from.
 *
 * @example
 * ```ts
 * const binding: Binding | undefined = facts.lookup(identifier); // { kind: 'const', init: <'mcp2:'>, ... }
 * ```
 */
export interface Binding {
  readonly name: string;
  readonly kind: 'const' | 'let' | 'var' | 'param' | 'function' | 'class' | 'import' | 'enum' | 'other';
  /** The declaring node (an identifier, or the declaration for functions, classes, enums). */
  readonly node: Node;
  readonly init?: Expression | undefined;
  /** `const { key: name } = from`. */
  readonly destructured?: { readonly from: Expression; readonly key: string } | undefined;
  readonly imported?: ImportedName;
  readonly type?: B.TSType | undefined;
  /** The function and position of a parameter. */
  readonly param?: { readonly fn: B.Function; readonly index: number };
  /** Values assigned with `name = value` anywhere in the file. */
  readonly assigned: Expression[];
}

/**
 * A class member (`this.name`): its initializer, type, and the values assigned to it in the class.
 *
 * @example
 * ```ts
 * facts.memberOf(thisNode, 'redis')?.type; // the `Redis` of `private redis: Redis`
 * ```
 */
export interface ClassMember {
  readonly init?: Expression | undefined;
  readonly type?: B.TSType | undefined;
  readonly assigned: Expression[];
}

/**
 * What the analysis needs to know of one module without a type checker: its syntax tree, its
 * scopes and the names each declares, its imports, exports and class members, and its calls.
 */
export interface ModuleFacts {
  readonly fileName: string;
  readonly text: string;
  readonly file: B.File;
  /** Names of the module scope (imports, top-level declarations, `exports.X`, the default export). */
  readonly topLevel: ReadonlyMap<string, Binding>;
  /** Names this module exports, with the local name or the module they are re-exported from. */
  readonly exports: ReadonlyMap<string, { readonly local: string } | ImportedName>;
  readonly starExports: readonly string[];
  /** Every call and `new` of the module, in source order. */
  readonly calls: readonly Call[];
  readonly constructions: readonly B.NewExpression[];
  parentOf(node: Node): Node | undefined;
  /** The binding an identifier refers to, from the innermost scope out (this module only). */
  lookup(identifier: B.Identifier): Binding | undefined;
  /** The member `name` of the class `node` is in (for `this.name`). */
  memberOf(node: Node, name: string): ClassMember | undefined;
}

type Scope = Map<string, Binding>;

const FUNCTION_SCOPES = new Set(['Program', 'StaticBlock', 'TSModuleBlock']);
const BLOCK_SCOPES = new Set(['BlockStatement', 'ForStatement', 'ForInStatement', 'ForOfStatement', 'CatchClause', 'SwitchStatement', 'ClassDeclaration', 'ClassExpression']);

/**
 * Collects {@link ModuleFacts} from a parsed file in one walk.
 *
 * @example
 * ```ts
 * const facts = collectModuleFacts('a.ts', text, parseSource('a.ts', text) as File);
 * facts.topLevel.get('PREFIX')?.init; // the 'mcp2:' literal
 * ```
 */
export function collectModuleFacts(fileName: string, text: string, file: B.File): ModuleFacts {
  const parents = new Map<Node, Node>();
  const scopes = new Map<Node, Scope>();
  const classes = new Map<Node, Map<string, ClassMember>>();
  const exports = new Map<string, { local: string } | ImportedName>();
  const starExports: string[] = [];
  const calls: Call[] = [];
  const constructions: B.NewExpression[] = [];
  const assignments: [B.Identifier, Expression][] = [];
  const program = file.program;
  const topLevel: Scope = new Map();
  scopes.set(program, topLevel);

  const scopeOf = (node: Node): Scope => {
    let scope = scopes.get(node);
    if (!scope) scopes.set(node, (scope = new Map()));
    return scope;
  };
  /** The scope a declaration at `node` goes to: the innermost block, or for `var` the function. */
  const enclosing = (node: Node, hoisted: boolean): Scope => {
    for (let current = parents.get(node); current; current = parents.get(current)) {
      if (FUNCTION_SCOPES.has(current.type) || isFunction(current)) return scopeOf(current);
      if (!hoisted && BLOCK_SCOPES.has(current.type)) return scopeOf(current);
    }
    return topLevel;
  };
  const declare = (scope: Scope, binding: Binding) => scope.set(binding.name, binding);
  const classOf = (node: Node): Node | undefined => {
    for (let current = parents.get(node); current; current = parents.get(current)) {
      if (current.type === 'ClassDeclaration' || current.type === 'ClassExpression') return current;
    }
    return undefined;
  };
  const memberTable = (owner: Node): Map<string, ClassMember> => {
    let table = classes.get(owner);
    if (!table) classes.set(owner, (table = new Map()));
    return table;
  };
  const member = (owner: Node, name: string, init?: Expression | null, type?: B.TSType): ClassMember => {
    const table = memberTable(owner);
    let found = table.get(name);
    if (!found) table.set(name, (found = { init: init ?? undefined, type, assigned: [] }));
    return found;
  };

  /** Binds every name of a declaration pattern; `init` is the whole value when the pattern is a plain identifier. */
  const bindPattern = (pattern: Node, scope: Scope, kind: Binding['kind'], init: Expression | null | undefined, extra: Partial<Binding> = {}): void => {
    switch (pattern.type) {
      case 'Identifier':
        declare(scope, { name: pattern.name, kind, node: pattern, init: init ?? undefined, type: typeOf(pattern), assigned: [], ...extra });
        return;
      case 'AssignmentPattern':
        return bindPattern(pattern.left, scope, kind, init ?? pattern.right, extra);
      case 'RestElement':
        return bindPattern(pattern.argument, scope, kind, undefined, { ...extra, destructured: undefined });
      case 'ArrayPattern':
        for (const element of pattern.elements) if (element) bindPattern(element, scope, kind, undefined, { ...extra, destructured: undefined });
        return;
      case 'ObjectPattern':
        for (const property of pattern.properties) {
          if (property.type === 'RestElement') {
            bindPattern(property, scope, kind, undefined, { ...extra, destructured: undefined });
            continue;
          }
          const key = keyText(property.key, property.computed);
          const value = property.value;
          const destructured = init && key !== undefined ? { from: init, key } : undefined;
          bindPattern(value, scope, kind, undefined, { ...extra, ...(destructured ? { destructured } : {}) });
        }
        return;
      default:
        return;
    }
  };

  const visit = (node: Node, parent: Node | undefined): void => {
    if (parent) parents.set(node, parent);
    switch (node.type) {
      case 'ImportDeclaration': {
        const specifier = node.source.value;
        for (const s of node.specifiers) {
          const imported = s.type === 'ImportDefaultSpecifier' ? 'default' : s.type === 'ImportNamespaceSpecifier' ? '*' : s.imported.type === 'Identifier' ? s.imported.name : s.imported.value;
          declare(topLevel, { name: s.local.name, kind: 'import', node: s.local, imported: { specifier, imported }, assigned: [] });
        }
        break;
      }
      case 'TSImportEqualsDeclaration':
        if (node.moduleReference.type === 'TSExternalModuleReference') {
          declare(topLevel, { name: node.id.name, kind: 'import', node: node.id, imported: { specifier: node.moduleReference.expression.value, imported: '*' }, assigned: [] });
        }
        break;
      case 'VariableDeclaration':
        for (const declarator of node.declarations) {
          parents.set(declarator, node);
          const scope = enclosing(declarator, node.kind === 'var');
          const kind = node.kind === 'var' ? 'var' : node.kind === 'let' ? 'let' : 'const';
          const required = requiredName(declarator.init);
          if (required && declarator.id.type === 'Identifier') {
            declare(scope, { name: declarator.id.name, kind: 'import', node: declarator.id, imported: required, assigned: [] });
          } else if (required?.imported === '*' && declarator.id.type === 'ObjectPattern') {
            for (const property of declarator.id.properties) {
              if (property.type !== 'ObjectProperty' || property.value.type !== 'Identifier') continue;
              const imported = keyText(property.key, property.computed);
              if (imported !== undefined) declare(scope, { name: property.value.name, kind: 'import', node: property.value, imported: { specifier: required.specifier, imported }, assigned: [] });
            }
          } else {
            bindPattern(declarator.id, scope, kind, declarator.init);
          }
        }
        break;
      case 'FunctionDeclaration':
        if (node.id) declare(enclosing(node, false), { name: node.id.name, kind: 'function', node, assigned: [] });
        break;
      case 'ClassDeclaration':
        if (node.id) declare(enclosing(node, false), { name: node.id.name, kind: 'class', node, assigned: [] });
        break;
      case 'ClassExpression':
        if (node.id) declare(scopeOf(node), { name: node.id.name, kind: 'class', node, assigned: [] });
        break;
      case 'TSEnumDeclaration':
        declare(enclosing(node, false), { name: node.id.name, kind: 'enum', node, assigned: [] });
        break;
      case 'TSModuleDeclaration':
        if (node.id.type === 'Identifier') declare(enclosing(node, false), { name: node.id.name, kind: 'other', node, assigned: [] });
        break;
      case 'CatchClause':
        if (node.param) bindPattern(node.param, scopeOf(node), 'let', undefined);
        break;
      case 'ClassProperty':
      case 'ClassPrivateProperty':
      case 'ClassAccessorProperty': {
        const owner = classOf(node) ?? parent;
        const name = node.key.type === 'PrivateName' ? `#${node.key.id.name}` : keyText(node.key, 'computed' in node && node.computed === true);
        const annotation = node.typeAnnotation?.type === 'TSTypeAnnotation' ? node.typeAnnotation.typeAnnotation : undefined;
        if (owner && name !== undefined && !('static' in node && node.static)) member(owner, name, node.value as Expression | null, annotation);
        break;
      }
      case 'AssignmentExpression': {
        if (node.operator !== '=') break;
        const target = node.left;
        if (target.type === 'Identifier') assignments.push([target, node.right]);
        if (target.type === 'MemberExpression' && target.object.type === 'ThisExpression') {
          const name = memberName(target);
          const owner = classOf(node);
          if (owner && name !== undefined) member(owner, name).assigned.push(node.right);
        }
        const exported = commonJsExportName(target);
        if (exported !== undefined) {
          declare(topLevel, { name: `exports.${exported}`, kind: 'const', node: target, init: node.right, assigned: [] });
          exports.set(exported, { local: `exports.${exported}` });
        }
        break;
      }
      case 'ExportNamedDeclaration': {
        const specifier = node.source?.value;
        for (const s of node.specifiers) {
          const exported = s.exported.type === 'Identifier' ? s.exported.name : s.exported.value;
          if (s.type === 'ExportNamespaceSpecifier') {
            if (specifier !== undefined) exports.set(exported, { specifier, imported: '*' });
          } else if (s.type === 'ExportSpecifier') {
            exports.set(exported, specifier === undefined ? { local: s.local.name } : { specifier, imported: s.local.name });
          }
        }
        const declaration = node.declaration;
        if (declaration?.type === 'VariableDeclaration') {
          for (const declarator of declaration.declarations) for (const name of patternNames(declarator.id)) exports.set(name, { local: name });
        } else if (declaration && 'id' in declaration && declaration.id?.type === 'Identifier') {
          exports.set(declaration.id.name, { local: declaration.id.name });
        }
        break;
      }
      case 'ExportAllDeclaration':
        starExports.push(node.source.value);
        break;
      case 'ExportDefaultDeclaration': {
        const declaration = node.declaration;
        if ((declaration.type === 'FunctionDeclaration' || declaration.type === 'ClassDeclaration') && declaration.id) {
          exports.set('default', { local: declaration.id.name });
        } else {
          const init = declaration.type === 'FunctionDeclaration' || declaration.type === 'ClassDeclaration' || declaration.type === 'TSDeclareFunction' ? undefined : (declaration as Expression);
          declare(topLevel, { name: DEFAULT_EXPORT, kind: 'const', node: declaration, init, assigned: [] });
          exports.set('default', { local: DEFAULT_EXPORT });
        }
        break;
      }
      case 'CallExpression':
      case 'OptionalCallExpression':
        calls.push(node);
        break;
      case 'NewExpression':
        constructions.push(node);
        break;
      default:
        break;
    }
    if (isFunction(node)) bindParameters(node);
    forEachChild(node, (child) => visit(child, node));
  };

  const bindParameters = (fn: B.Function): void => {
    const scope = scopeOf(fn);
    if (fn.type === 'FunctionExpression' && fn.id) declare(scope, { name: fn.id.name, kind: 'function', node: fn, assigned: [] });
    fn.params.forEach((param, index) => {
      if (param.type === 'TSParameterProperty') {
        const inner = param.parameter;
        const id = inner.type === 'AssignmentPattern' ? inner.left : inner;
        const init = inner.type === 'AssignmentPattern' ? inner.right : undefined;
        bindPattern(inner, scope, 'param', undefined, { param: { fn, index } });
        const owner = classOf(fn);
        if (owner && id.type === 'Identifier') member(owner, id.name, init, typeOf(id));
        return;
      }
      bindPattern(param, scope, 'param', undefined, { param: { fn, index } });
    });
  };

  visit(program, undefined);
  parents.set(program, file);

  const lookupIn = (start: Node, name: string): Binding | undefined => {
    for (let current: Node | undefined = start; current; current = parents.get(current)) {
      const found = scopes.get(current)?.get(name);
      if (found) return found;
    }
    return undefined;
  };
  for (const [target, value] of assignments) lookupIn(target, target.name)?.assigned.push(value);

  return {
    fileName,
    text,
    file,
    topLevel,
    exports,
    starExports,
    calls,
    constructions,
    parentOf: (node) => parents.get(node),
    lookup: (identifier) => lookupIn(identifier, identifier.name),
    memberOf(node, name) {
      for (let current = parents.get(node); current; current = parents.get(current)) {
        const table = classes.get(current);
        if (table) return table.get(name);
      }
      return undefined;
    },
  };
}

/** The type annotation of a declared identifier (`redis: Redis`). */
function typeOf(node: Node): B.TSType | undefined {
  const annotation = 'typeAnnotation' in node ? node.typeAnnotation : undefined;
  return annotation?.type === 'TSTypeAnnotation' ? annotation.typeAnnotation : undefined;
}

/** Every name a declaration pattern binds. */
function patternNames(pattern: Node): string[] {
  switch (pattern.type) {
    case 'Identifier':
      return [pattern.name];
    case 'AssignmentPattern':
      return patternNames(pattern.left);
    case 'RestElement':
      return patternNames(pattern.argument);
    case 'ArrayPattern':
      return pattern.elements.flatMap((element) => (element ? patternNames(element) : []));
    case 'ObjectPattern':
      return pattern.properties.flatMap((property) => patternNames(property.type === 'RestElement' ? property : property.value));
    default:
      return [];
  }
}

/**
 * `{ specifier: 'ioredis', imported: '*' }` for `require('ioredis')`, and the export's name for
 * `require('ioredis').Cluster` (`default` for `.default`).
 */
function requiredName(init: Expression | null | undefined): ImportedName | undefined {
  if (!init) return undefined;
  const expression = unwrap(init);
  if (isCall(expression)) {
    const [first] = expression.arguments;
    const isRequire = expression.callee.type === 'Identifier' && expression.callee.name === 'require';
    return isRequire && first?.type === 'StringLiteral' ? { specifier: first.value, imported: '*' } : undefined;
  }
  if (expression.type === 'MemberExpression') {
    const inner = requiredName(expression.object as Expression);
    const name = memberName(expression);
    return inner?.imported === '*' && name !== undefined ? { specifier: inner.specifier, imported: name } : undefined;
  }
  return undefined;
}

/** `X` for `exports.X = ...` and `module.exports.X = ...`. */
function commonJsExportName(target: Node): string | undefined {
  if (target.type !== 'MemberExpression') return undefined;
  const owner = target.object;
  const isExports = owner.type === 'Identifier' && owner.name === 'exports';
  const isModuleExports = owner.type === 'MemberExpression' && owner.object.type === 'Identifier' && owner.object.name === 'module' && memberName(owner) === 'exports';
  return isExports || isModuleExports ? memberName(target) : undefined;
}
