import type * as TS from 'typescript';
import type { IsolationMode } from '../../core/index.js';
import { commandOfMethod } from './command-methods.js';
import type { ModuleFacts } from './module-facts.js';
import type { ModuleGraph } from './module-graph.js';
import { propertyNameText, type StaticTextResolver } from './static-text.js';

/**
 * A Redis client the analysis recognised, and what it knows of it.
 *
 * @example
 * ```ts
 * const client: ClientInfo = { driver: 'ioredis', isolated: true, namespace: 'mcp2', mode: 'prefix', chain: false };
 * ```
 */
export interface ClientInfo {
  readonly driver: 'ioredis' | 'node-redis';
  /** Made by `createIsolatedRedis`: the guard prefixes or checks keys at run time. */
  readonly isolated: boolean;
  /** The isolated client's namespace, when its `createIsolatedRedis({ namespace })` call shows it. */
  readonly namespace?: string;
  readonly mode: IsolationMode;
  /** A pipeline or MULTI: its command methods return the chain again. */
  readonly chain: boolean;
}

/** Methods whose result is the same client (or, for `pipeline`/`multi`, a chain of it). */
const SAME_CLIENT = new Set(['duplicate', 'withTypeMapping', 'withCommandOptions', 'connect']);
const CHAIN_STARTS = new Set(['pipeline', 'multi']);

const IOREDIS_CLASSES = new Set(['default', '*', 'Redis', 'Cluster']);
const IOREDIS_TYPES = new Map([['Redis', false], ['Cluster', false], ['default', false], ['ChainableCommander', true], ['Pipeline', true]]);
const NODE_REDIS_FACTORIES = new Set(['createClient', 'createCluster', 'createSentinel']);
const NODE_REDIS_TYPES = new Set(['RedisClientType', 'RedisClusterType', 'RedisSentinelType']);

const raw = (driver: ClientInfo['driver']): ClientInfo => ({ driver, isolated: false, mode: 'prefix', chain: false });

/**
 * Recognises Redis clients without a type checker: an expression is a client when it is (or a
 * name bound to) `new Redis()` / `new Cluster()` of `ioredis`, `createClient()` /
 * `createCluster()` of `redis` or `@redis/client`, `createIsolatedRedis()` of `isolated-redis`,
 * `.duplicate()` / `.pipeline()` / `.multi()` of a client, or a name declared with one of those
 * packages' client types. Names are tracked per file without scopes: a client name shadowed by
 * another variable in an inner scope is still taken for the client.
 *
 * @example
 * ```ts
 * const clients = new ClientDetector(ts, graph, texts, module);
 * clients.clientOf(call.expression.expression); // { driver: 'ioredis', isolated: false, ... } or undefined
 * ```
 */
export class ClientDetector {
  private readonly local = new Map<string, ClientInfo>();

  constructor(
    private readonly ts: typeof TS,
    private readonly graph: ModuleGraph,
    private readonly texts: StaticTextResolver,
    private readonly module: ModuleFacts,
    /** What a client known only by its type annotation is taken for (see `FileAnalysisOptions.typedClients`). */
    private readonly typedClients: 'raw' | 'isolated' = 'raw',
  ) {
    // Twice: the second walk sees names a function uses before the line that declares them.
    this.collect(module.sourceFile);
    this.collect(module.sourceFile);
  }

  /** The client an expression evaluates to, if the analysis can tell. */
  clientOf(expression: TS.Expression, module: ModuleFacts = this.module, depth = 0): ClientInfo | undefined {
    const ts = this.ts;
    if (depth > 16) return undefined;
    const next = (inner: TS.Expression, where = module) => this.clientOf(inner, where, depth + 1);
    if (ts.isParenthesizedExpression(expression) || ts.isAwaitExpression(expression) || ts.isAsExpression(expression) || ts.isNonNullExpression(expression)) {
      return next(expression.expression);
    }
    if (ts.isIdentifier(expression)) {
      const known = module === this.module ? this.local.get(expression.text) : undefined;
      if (known) return known;
      const binding = this.graph.lookup(module, expression.text);
      return binding ? next(binding.expression, binding.module) : undefined;
    }
    if (ts.isPropertyAccessExpression(expression) && expression.expression.kind === ts.SyntaxKind.ThisKeyword && module === this.module) {
      return this.local.get(`this.${expression.name.text}`);
    }
    if (ts.isNewExpression(expression)) return this.isIoredisClass(expression.expression, module) ? raw('ioredis') : undefined;
    if (!ts.isCallExpression(expression)) return undefined;
    const callee = expression.expression;
    if (this.isDriverExport(callee, module, 'node-redis', NODE_REDIS_FACTORIES)) return raw('node-redis');
    if (this.isDriverExport(callee, module, 'isolated-redis', new Set(['createIsolatedRedis']))) return this.isolatedClient(expression, module, depth);
    if (!ts.isPropertyAccessExpression(callee)) return undefined;
    const receiver = next(callee.expression);
    if (!receiver) return undefined;
    const method = callee.name.text;
    if (SAME_CLIENT.has(method)) return receiver;
    if (CHAIN_STARTS.has(method)) return { ...receiver, chain: true };
    return receiver.chain && commandOfMethod(method) ? receiver : undefined;
  }

  /** Whether `expression` is `new Redis(...)`, `new Cluster(...)`, `createClient(...)` or `createCluster(...)`. */
  isRawConstruction(expression: TS.Expression): boolean {
    const ts = this.ts;
    if (ts.isNewExpression(expression)) return this.isIoredisClass(expression.expression, this.module);
    return ts.isCallExpression(expression) && this.isDriverExport(expression.expression, this.module, 'node-redis', NODE_REDIS_FACTORIES);
  }

  /** Whether `expression` is a call of `createIsolatedRedis`. */
  isIsolatedFactoryCall(expression: TS.Node): expression is TS.CallExpression {
    return this.ts.isCallExpression(expression) && this.isDriverExport(expression.expression, this.module, 'isolated-redis', new Set(['createIsolatedRedis']));
  }

  private isolatedClient(call: TS.CallExpression, module: ModuleFacts, depth: number): ClientInfo {
    const ts = this.ts;
    const [options] = call.arguments;
    let driver: ClientInfo['driver'] = 'ioredis';
    let namespace: string | undefined;
    let mode: IsolationMode = 'prefix';
    if (options && ts.isObjectLiteralExpression(options)) {
      for (const property of options.properties) {
        const name = property.name && propertyNameText(ts, property.name);
        const value = ts.isPropertyAssignment(property) ? property.initializer : ts.isShorthandPropertyAssignment(property) ? property.name : undefined;
        if (!value) continue;
        if (name === 'client') driver = this.clientOf(value, module, depth + 1)?.driver ?? driver;
        const text = name === 'namespace' || name === 'mode' ? this.texts.resolve(value, module) : undefined;
        if (name === 'namespace' && text?.exact) namespace = text.text;
        if (name === 'mode' && text?.exact && text.text === 'strict') mode = 'strict';
      }
    }
    return { driver, isolated: true, mode, chain: false, ...(namespace === undefined ? {} : { namespace }) };
  }

  private isIoredisClass(callee: TS.Expression, module: ModuleFacts): boolean {
    if (this.isDriverExport(callee, module, 'ioredis', IOREDIS_CLASSES)) return true;
    // `new Redis.Cluster()` / `new IORedis.Redis()` on the default or namespace import.
    const ts = this.ts;
    return ts.isPropertyAccessExpression(callee) && ['Cluster', 'Redis'].includes(callee.name.text) && this.isDriverExport(callee.expression, module, 'ioredis', IOREDIS_CLASSES);
  }

  /** `name(...)` imported from `pkg` as one of `exports`, or `ns.name` on a namespace import of `pkg`. */
  private isDriverExport(callee: TS.Expression, module: ModuleFacts, pkg: string, exports: ReadonlySet<string>): boolean {
    const ts = this.ts;
    if (ts.isIdentifier(callee)) {
      const bound = module.driverNames.get(callee.text);
      return bound !== undefined && bound.pkg === pkg && exports.has(bound.imported);
    }
    if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && exports.has(callee.name.text)) {
      const bound = module.driverNames.get(callee.expression.text);
      return bound !== undefined && bound.pkg === pkg && (bound.imported === '*' || bound.imported === 'default');
    }
    return false;
  }

  /** A client declared by a type annotation (`redis: Redis`, `client: RedisClientType`, `Isolated<Redis>`). */
  private clientOfType(type: TS.TypeNode | undefined): ClientInfo | undefined {
    const ts = this.ts;
    if (!type || !ts.isTypeReferenceNode(type)) return undefined;
    const typeName = type.typeName;
    const [local, member] = ts.isIdentifier(typeName)
      ? [typeName.text, undefined]
      : ts.isIdentifier(typeName.left)
        ? [typeName.left.text, typeName.right.text]
        : [undefined, undefined];
    const bound = local === undefined ? undefined : this.module.driverNames.get(local);
    if (!bound) return undefined;
    const imported = member ?? bound.imported;
    const typed = (driver: ClientInfo['driver']): ClientInfo => ({ ...raw(driver), isolated: this.typedClients === 'isolated' });
    if (bound.pkg === 'ioredis' && IOREDIS_TYPES.has(imported)) return { ...typed('ioredis'), chain: IOREDIS_TYPES.get(imported) === true };
    if (bound.pkg === 'node-redis' && NODE_REDIS_TYPES.has(imported)) return typed('node-redis');
    if (bound.pkg === 'isolated-redis' && imported === 'Isolated') {
      const inner = this.clientOfType(type.typeArguments?.[0]);
      return { driver: inner?.driver ?? 'ioredis', isolated: true, mode: 'prefix', chain: false };
    }
    return undefined;
  }

  private collect(root: TS.Node): void {
    const ts = this.ts;
    const bind = (name: string, info: ClientInfo | undefined) => {
      if (info) this.local.set(name, info);
    };
    const visit = (node: TS.Node): void => {
      if ((ts.isVariableDeclaration(node) || ts.isParameter(node) || ts.isPropertyDeclaration(node)) && (ts.isIdentifier(node.name) || ts.isPrivateIdentifier(node.name))) {
        const info = (node.initializer && this.clientOf(node.initializer)) || this.clientOfType(node.type);
        const isMember = ts.isPropertyDeclaration(node) || ts.isParameterPropertyDeclaration(node, node.parent);
        bind(isMember ? `this.${node.name.text}` : node.name.text, info);
        if (ts.isParameter(node)) bind(node.name.text, info);
      }
      if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        const target = node.left;
        const name = ts.isIdentifier(target)
          ? target.text
          : ts.isPropertyAccessExpression(target) && target.expression.kind === ts.SyntaxKind.ThisKeyword
            ? `this.${target.name.text}`
            : undefined;
        if (name !== undefined) bind(name, this.clientOf(node.right));
      }
      ts.forEachChild(node, visit);
    };
    visit(root);
  }
}
