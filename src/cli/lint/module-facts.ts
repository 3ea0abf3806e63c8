import type * as TS from 'typescript';

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
 * What the analysis needs to know of one module without a type checker: its `const` string
 * sources, its imports and exports, and which local names are bound to a Redis driver.
 */
export interface ModuleFacts {
  readonly fileName: string;
  readonly sourceFile: TS.SourceFile;
  /** `const` initializers by name; `null` when the name is declared more than once (shadowing). */
  readonly constants: ReadonlyMap<string, TS.Expression | null>;
  /** Names this module exports, with the local expression or the module they are re-exported from. */
  readonly exports: ReadonlyMap<string, { readonly local: string } | ImportedName>;
  readonly starExports: readonly string[];
  readonly imports: ReadonlyMap<string, ImportedName>;
  /** Local names bound to a driver package's export (`Redis` -> ioredis `Redis`). */
  readonly driverNames: ReadonlyMap<string, { readonly pkg: DriverPackage; readonly imported: string }>;
}

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
 * Collects {@link ModuleFacts} from a parsed file in one walk.
 *
 * @example
 * ```ts
 * const facts = collectModuleFacts(ts, ts.createSourceFile('a.ts', "export const P = 'mcp2:'", ts.ScriptTarget.Latest, true));
 * facts.constants.get('P'); // the 'mcp2:' literal
 * ```
 */
export function collectModuleFacts(ts: typeof TS, sourceFile: TS.SourceFile): ModuleFacts {
  const constants = new Map<string, TS.Expression | null>();
  const exports = new Map<string, { local: string } | ImportedName>();
  const starExports: string[] = [];
  const imports = new Map<string, ImportedName>();

  const addConstant = (name: string, value: TS.Expression) => constants.set(name, constants.has(name) ? null : value);
  const bindPattern = (pattern: TS.BindingName, specifier: string | undefined, initializer: TS.Expression | undefined) => {
    if (ts.isIdentifier(pattern)) {
      if (specifier !== undefined) imports.set(pattern.text, { specifier, imported: '*' });
      else if (initializer) addConstant(pattern.text, initializer);
      return;
    }
    if (!ts.isObjectBindingPattern(pattern) || specifier === undefined) return;
    for (const element of pattern.elements) {
      const imported = element.propertyName && ts.isIdentifier(element.propertyName) ? element.propertyName.text : ts.isIdentifier(element.name) ? element.name.text : undefined;
      if (imported !== undefined && ts.isIdentifier(element.name)) imports.set(element.name.text, { specifier, imported });
    }
  };

  const visit = (node: TS.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && node.importClause) {
      const specifier = node.moduleSpecifier.text;
      const clause = node.importClause;
      if (clause.name) imports.set(clause.name.text, { specifier, imported: 'default' });
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) imports.set(bindings.name.text, { specifier, imported: '*' });
      if (bindings && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) imports.set(element.name.text, { specifier, imported: (element.propertyName ?? element.name).text });
      }
      return;
    }
    if (ts.isExportDeclaration(node)) {
      const specifier = node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) ? node.moduleSpecifier.text : undefined;
      if (!node.exportClause) {
        if (specifier !== undefined) starExports.push(specifier);
      } else if (ts.isNamedExports(node.exportClause)) {
        for (const element of node.exportClause.elements) {
          const local = (element.propertyName ?? element.name).text;
          exports.set(element.name.text, specifier === undefined ? { local } : { specifier, imported: local });
        }
      }
      return;
    }
    if (ts.isExportAssignment(node) && !node.isExportEquals) {
      // `export default <expression>`: bound under a name no identifier can have.
      addConstant(DEFAULT_EXPORT, node.expression);
      exports.set('default', { local: DEFAULT_EXPORT });
    }
    if (ts.isVariableDeclaration(node)) {
      const specifier = requiredSpecifier(ts, node.initializer);
      const isConst = ts.isVariableDeclarationList(node.parent) && (node.parent.flags & ts.NodeFlags.Const) !== 0;
      if (specifier !== undefined || isConst) bindPattern(node.name, specifier, node.initializer);
      const statement = node.parent.parent;
      if (ts.isIdentifier(node.name) && ts.isVariableStatement(statement) && statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
        exports.set(node.name.text, { local: node.name.text });
      }
    }
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const name = commonJsExportName(ts, node.left);
      if (name !== undefined) {
        addConstant(`exports.${name}`, node.right);
        exports.set(name, { local: `exports.${name}` });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);

  const driverNames = new Map<string, { pkg: DriverPackage; imported: string }>();
  for (const [local, { specifier, imported }] of imports) {
    const pkg = driverPackageOf(specifier);
    if (pkg) driverNames.set(local, { pkg, imported });
  }
  return { fileName: sourceFile.fileName, sourceFile, constants, exports, starExports, imports, driverNames };
}

/** `'ioredis'` for `require('ioredis')`. */
function requiredSpecifier(ts: typeof TS, initializer: TS.Expression | undefined): string | undefined {
  if (!initializer || !ts.isCallExpression(initializer)) return undefined;
  const [first] = initializer.arguments;
  if (ts.isIdentifier(initializer.expression) && initializer.expression.text === 'require' && first && ts.isStringLiteral(first)) return first.text;
  return undefined;
}

/** `X` for `exports.X = ...` and `module.exports.X = ...`. */
function commonJsExportName(ts: typeof TS, target: TS.Expression): string | undefined {
  if (!ts.isPropertyAccessExpression(target)) return undefined;
  const owner = target.expression;
  const isExports = ts.isIdentifier(owner) && owner.text === 'exports';
  const isModuleExports = ts.isPropertyAccessExpression(owner) && ts.isIdentifier(owner.expression) && owner.expression.text === 'module' && owner.name.text === 'exports';
  return isExports || isModuleExports ? target.name.text : undefined;
}
