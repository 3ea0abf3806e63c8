import type * as B from '@babel/types';
import type { IsolationMode } from '../../core/index.js';
import { isCall, isMember, memberName, unwrap, type Expression, type Node } from './ast.js';
import { readCommandRules, readDefinedCommand, readScripts, type ScriptSignature, type StaticRules } from './client-options.js';
import { commandOfMethod } from './command-methods.js';
import { driverPackageOf, type Binding, type ClassMember, type DriverPackage, type ModuleFacts } from './module-facts.js';
import type { ModuleGraph, Resolved } from './module-graph.js';
import type { StaticTextResolver } from './static-text.js';

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
  /** The `commands` rules of its `createIsolatedRedis` call. */
  readonly commands?: StaticRules;
  /** Its script methods (node-redis `scripts` option, ioredis `defineCommand`). */
  readonly scripts?: ReadonlyMap<string, ScriptSignature>;
}

/**
 * Tells, from the type checker, whether an expression of the file being linted is a Redis
 * client (type-aware mode).
 *
 * @example
 * ```ts
 * const oracle: ClientOracle = { clientAt: (node) => undefined };
 * ```
 */
export interface ClientOracle {
  clientAt(node: Node): ClientInfo | undefined;
}

/** Methods whose result is the same client (event-emitter methods return `this`). */
const SAME_CLIENT = new Set([
  'duplicate', 'withTypeMapping', 'withCommandOptions', 'withAbortSignal', 'asap', 'connect', 'createPool', 'acquire',
  'nodeClient', 'getNodeClientForKey', 'on', 'once', 'off', 'addListener', 'prependListener', 'prependOnceListener',
  'removeListener', 'removeAllListeners', 'setMaxListeners',
]);
const CHAIN_STARTS = new Set(['pipeline', 'multi']);
/** Methods whose callback gets a client as its first parameter: pool `execute`, sentinel `use`, v4 `executeIsolated`. */
const LENDING = new Set(['execute', 'use', 'executeIsolated']);

const IOREDIS_CLASSES = new Set(['default', '*', 'Redis', 'Cluster']);
const IOREDIS_TYPES = new Map([['Redis', false], ['Cluster', false], ['default', false], ['ChainableCommander', true], ['Pipeline', true]]);
const NODE_REDIS_FACTORIES = new Set(['createClient', 'createCluster', 'createSentinel', 'createClientPool']);
const NODE_REDIS_TYPES = new Set(['RedisClientType', 'RedisClusterType', 'RedisSentinelType', 'RedisClientPoolType']);
const ISOLATED_FACTORY = new Set(['createIsolatedRedis']);

const raw = (driver: ClientInfo['driver']): ClientInfo => ({ driver, isolated: false, mode: 'prefix', chain: false });

/**
 * Recognises Redis clients without a type checker: an expression is a client when it is (or a
 * name bound to, in its scope) `new Redis()` / `new Cluster()` of `ioredis`, `createClient()` /
 * `createCluster()` / `createSentinel()` / `createClientPool()` of `redis` or `@redis/client`,
 * `createIsolatedRedis()` of `isolated-redis`, a method of a client that returns the client
 * (`.duplicate()`, `.connect()`, `.on()`, `.createPool()`...), `.pipeline()` / `.multi()` of a
 * client and their command chains, the client a pool's `execute` or a sentinel's `use` lends its
 * callback, or a name declared with one of those packages' client types. With a
 * {@link ClientOracle} (type-aware mode), the type checker decides what this cannot.
 *
 * @example
 * ```ts
 * const clients = new ClientDetector(graph, texts, module);
 * clients.receiver(callee.object); // { driver: 'ioredis', isolated: false, ... } or undefined
 * ```
 */
export class ClientDetector {
  private readonly bindings = new Map<Binding | ClassMember, ClientInfo | undefined>();
  private readonly definedCommands = new Map<ModuleFacts, (B.CallExpression | B.OptionalCallExpression)[]>();

  constructor(
    private readonly graph: ModuleGraph,
    private readonly texts: StaticTextResolver,
    private readonly module: ModuleFacts,
    /** What a client known only by its type annotation is taken for (see `FileAnalysisOptions.typedClients`). */
    private readonly typedClients: 'raw' | 'isolated' = 'raw',
    private readonly oracle?: ClientOracle,
  ) {}

  /** The client a call's receiver is, from the syntax, else from the type checker when there is one. */
  receiver(expression: Node): ClientInfo | undefined {
    const found = this.clientOf(expression);
    if (found || !this.oracle) return found;
    const typed = this.oracle.clientAt(expression);
    return typed && !typed.isolated && this.typedClients === 'isolated' ? { ...typed, isolated: true } : typed;
  }

  /** The client an expression evaluates to, if the syntax tells. */
  clientOf(expression: Node, module: ModuleFacts = this.module, depth = 0): ClientInfo | undefined {
    if (depth > 24) return undefined;
    const next = (inner: Node, where = module) => this.clientOf(inner, where, depth + 1);
    // `make() as Redis`, `<Redis>make()`, `make() satisfies Redis`: the asserted type says it.
    for (let wrapped = expression; ; wrapped = wrapped.expression) {
      if (wrapped.type !== 'TSAsExpression' && wrapped.type !== 'TSTypeAssertion' && wrapped.type !== 'TSSatisfiesExpression') break;
      const asserted = this.clientOfType(wrapped.typeAnnotation, module);
      if (asserted) return asserted;
    }
    const node = unwrap(expression);
    if (node.type === 'AwaitExpression') return next(node.argument);
    if (node.type === 'Identifier') {
      const found = this.graph.resolve(module, node);
      return found ? this.bindingClient(found, depth) : undefined;
    }
    if (isMember(node) && node.object.type === 'ThisExpression') {
      const name = memberName(node);
      const member = name === undefined ? undefined : module.memberOf(node, name);
      return member ? this.memberClient(member, module, depth) : undefined;
    }
    if (node.type === 'NewExpression') return this.isIoredisClass(node.callee, module) ? raw('ioredis') : undefined;
    if (!isCall(node)) return undefined;
    const callee = node.callee;
    if (this.isDriverExport(callee, module, 'node-redis', NODE_REDIS_FACTORIES)) {
      const scripts = node.arguments[0] ? readScripts(node.arguments[0], module, this.texts) : undefined;
      return { ...raw('node-redis'), ...(scripts && scripts.size > 0 ? { scripts } : {}) };
    }
    if (this.isDriverExport(callee, module, 'isolated-redis', ISOLATED_FACTORY)) return this.isolatedClient(node, module, depth);
    if (!isMember(callee)) return undefined;
    const receiver = next(callee.object);
    const method = memberName(callee);
    if (!receiver || method === undefined) return undefined;
    if (SAME_CLIENT.has(method)) return receiver;
    if (CHAIN_STARTS.has(method)) return { ...receiver, chain: true };
    return receiver.chain && (method === 'addCommand' || commandOfMethod(method)) ? receiver : undefined;
  }

  /** Whether `expression` is `new Redis(...)`, `new Cluster(...)`, or a node-redis factory call. */
  isRawConstruction(expression: Node): boolean {
    if (expression.type === 'NewExpression') return this.isIoredisClass(expression.callee, this.module);
    return isCall(expression) && this.isDriverExport(expression.callee, this.module, 'node-redis', NODE_REDIS_FACTORIES);
  }

  /** Whether `expression` is a call of `createIsolatedRedis`. */
  isIsolatedFactoryCall(expression: Node | undefined): expression is B.CallExpression {
    return expression?.type === 'CallExpression' && this.isDriverExport(expression.callee, this.module, 'isolated-redis', ISOLATED_FACTORY);
  }

  private bindingClient(found: Resolved, depth: number): ClientInfo | undefined {
    const { binding, module } = found;
    if (this.bindings.has(binding)) return this.bindings.get(binding);
    this.bindings.set(binding, undefined);
    let info: ClientInfo | undefined;
    if (binding.init) info = this.clientOf(binding.init, module, depth + 1);
    info ??= this.clientOfType(binding.type, module);
    for (const value of binding.assigned) info ??= this.clientOf(value, module, depth + 1);
    if (!info && binding.param && binding.param.index === 0) info = this.lentClient(binding.param.fn, module, depth);
    info = info && this.withDefinedCommands(info, module, (receiver) => receiver.type === 'Identifier' && module.lookup(receiver) === binding);
    this.bindings.set(binding, info);
    return info;
  }

  private memberClient(member: ClassMember, module: ModuleFacts, depth: number): ClientInfo | undefined {
    if (this.bindings.has(member)) return this.bindings.get(member);
    this.bindings.set(member, undefined);
    let info = member.init ? this.clientOf(member.init, module, depth + 1) : undefined;
    info ??= this.clientOfType(member.type, module);
    for (const value of member.assigned) info ??= this.clientOf(value, module, depth + 1);
    info = info && this.withDefinedCommands(info, module, (receiver) => isMember(receiver) && receiver.object.type === 'ThisExpression' && module.memberOf(receiver, memberName(receiver) ?? '') === member);
    this.bindings.set(member, info);
    return info;
  }

  /** `pool.execute((client) => ...)`, `sentinel.use(async (client) => ...)`: the lent client. */
  private lentClient(fn: B.Function, module: ModuleFacts, depth: number): ClientInfo | undefined {
    const call = module.parentOf(fn);
    if (!isCall(call) || call.arguments[0] !== fn || !isMember(call.callee)) return undefined;
    const method = memberName(call.callee);
    if (method === undefined || !LENDING.has(method)) return undefined;
    const lender = this.clientOf(call.callee.object, module, depth + 1);
    return lender && { ...lender, chain: false };
  }

  /** Adds the script methods that ioredis `defineCommand` calls in `module` give this client. */
  private withDefinedCommands(info: ClientInfo, module: ModuleFacts, isThisClient: (receiver: Node) => boolean): ClientInfo {
    if (info.driver !== 'ioredis') return info;
    let calls = this.definedCommands.get(module);
    if (!calls) {
      calls = module.calls.filter((call) => isMember(call.callee) && memberName(call.callee) === 'defineCommand');
      this.definedCommands.set(module, calls);
    }
    let scripts: Map<string, ScriptSignature> | undefined;
    for (const call of calls) {
      if (!isMember(call.callee) || !isThisClient(unwrap(call.callee.object))) continue;
      const defined = readDefinedCommand(call, module, this.texts);
      if (defined) (scripts ??= new Map(info.scripts)).set(...defined);
    }
    return scripts ? { ...info, scripts } : info;
  }

  private isolatedClient(call: B.CallExpression | B.OptionalCallExpression, module: ModuleFacts, depth: number): ClientInfo {
    const [options] = call.arguments;
    let driver: ClientInfo['driver'] = 'ioredis';
    let namespace: string | undefined;
    let mode: IsolationMode = 'prefix';
    let commands: StaticRules | undefined;
    let scripts: ReadonlyMap<string, ScriptSignature> | undefined;
    const object = options && this.texts.objectOf(options, module);
    if (object?.node.type === 'ObjectExpression') {
      for (const property of object.node.properties) {
        if (property.type === 'SpreadElement') commands ??= 'unknown';
        if (property.type !== 'ObjectProperty') continue;
        const name = property.key.type === 'Identifier' && !property.computed ? property.key.name : property.key.type === 'StringLiteral' ? property.key.value : undefined;
        const value = property.value as Expression;
        const text = () => this.texts.resolve(value, object.module);
        if (name === 'client') {
          const inner = this.clientOf(value, object.module, depth + 1);
          driver = inner?.driver ?? driver;
          scripts = inner?.scripts;
        }
        if (name === 'driver' && text().exact && text().text === 'node-redis') driver = 'node-redis';
        if (name === 'namespace' && text().exact) namespace = text().text;
        if (name === 'mode' && text().exact && text().text === 'strict') mode = 'strict';
        if (name === 'commands') commands = readCommandRules(value, object.module, this.texts);
      }
    } else if (options) {
      commands = 'unknown';
    }
    return {
      driver,
      isolated: true,
      mode,
      chain: false,
      ...(namespace === undefined ? {} : { namespace }),
      ...(commands === undefined ? {} : { commands }),
      ...(scripts === undefined ? {} : { scripts }),
    };
  }

  private isIoredisClass(callee: Node, module: ModuleFacts): boolean {
    if (this.isDriverExport(callee, module, 'ioredis', IOREDIS_CLASSES)) return true;
    // `new Redis.Cluster()` / `new IORedis.Redis()` on the default or namespace import.
    return isMember(callee) && ['Cluster', 'Redis'].includes(memberName(callee) ?? '') && this.isDriverExport(callee.object, module, 'ioredis', IOREDIS_CLASSES);
  }

  /** `name(...)` imported from `pkg` as one of `exports`, `ns.name` on a namespace or default import of `pkg`, or `require(pkg).name`. */
  private isDriverExport(callee: Node, module: ModuleFacts, pkg: DriverPackage, exports: ReadonlySet<string>): boolean {
    const target = unwrap(callee);
    if (target.type === 'Identifier') {
      const bound = this.driverImport(target, module);
      return bound !== undefined && bound.pkg === pkg && exports.has(bound.imported);
    }
    if (isMember(target) && exports.has(memberName(target) ?? '')) {
      const owner = unwrap(target.object);
      if (isCall(owner) && owner.callee.type === 'Identifier' && owner.callee.name === 'require') {
        const [specifier] = owner.arguments;
        return specifier?.type === 'StringLiteral' && driverPackageOf(specifier.value) === pkg;
      }
      const bound = owner.type === 'Identifier' ? this.driverImport(owner, module) : undefined;
      return bound !== undefined && bound.pkg === pkg && (bound.imported === '*' || bound.imported === 'default');
    }
    return false;
  }

  /** The driver package and export a name is imported as, following the project's own re-exports. */
  private driverImport(identifier: B.Identifier, module: ModuleFacts): { pkg: DriverPackage; imported: string } | undefined {
    const imported = this.graph.resolve(module, identifier)?.binding.imported;
    const pkg = imported && driverPackageOf(imported.specifier);
    return pkg && imported ? { pkg, imported: imported.imported } : undefined;
  }

  /** A client declared by a type annotation (`redis: Redis`, `client: RedisClientType`, `Isolated<Redis>`, `Redis | undefined`). */
  private clientOfType(type: B.TSType | undefined, module: ModuleFacts): ClientInfo | undefined {
    if (!type) return undefined;
    if (type.type === 'TSUnionType') {
      const members = type.types.filter((member) => member.type !== 'TSNullKeyword' && member.type !== 'TSUndefinedKeyword');
      const clients = members.map((member) => this.clientOfType(member, module));
      return clients.every((client) => client !== undefined) ? clients[0] : undefined;
    }
    if (type.type !== 'TSTypeReference') return undefined;
    const typeName = type.typeName;
    const [local, member] = typeName.type === 'Identifier' ? [typeName, undefined] : typeName.left.type === 'Identifier' ? [typeName.left, typeName.right.name] : [undefined, undefined];
    if (!local) return undefined;
    const bound = this.driverImport(local, module);
    const argument = type.typeParameters?.params[0];
    if (!bound) {
      // Promise<Redis>: what `await` gives.
      return local.name === 'Promise' && !module.lookup(local) && argument ? this.clientOfType(argument, module) : undefined;
    }
    const imported = member ?? bound.imported;
    const typed = (driver: ClientInfo['driver']): ClientInfo => ({ ...raw(driver), isolated: this.typedClients === 'isolated' });
    if (bound.pkg === 'ioredis' && IOREDIS_TYPES.has(imported)) return { ...typed('ioredis'), chain: IOREDIS_TYPES.get(imported) === true };
    if (bound.pkg === 'node-redis' && NODE_REDIS_TYPES.has(imported)) return typed('node-redis');
    if (bound.pkg === 'isolated-redis' && imported === 'Isolated') {
      const inner = this.clientOfType(argument, module);
      return { driver: inner?.driver ?? 'ioredis', isolated: true, mode: 'prefix', chain: false };
    }
    return undefined;
  }
}

