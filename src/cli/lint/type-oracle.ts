import type * as TS from 'typescript';
import type { Node } from './ast.js';
import type { ClientInfo, ClientOracle } from './client-detection.js';

/** Client types by package folder and declared name; `true` marks a pipeline or MULTI chain. */
const DRIVER_TYPES: readonly { readonly folder: string; readonly driver: ClientInfo['driver']; readonly names: ReadonlyMap<string, boolean> }[] = [
  {
    folder: '/node_modules/ioredis/',
    driver: 'ioredis',
    names: new Map([['Redis', false], ['Cluster', false], ['RedisCommander', false], ['Pipeline', true], ['ChainableCommander', true]]),
  },
  {
    folder: '/node_modules/@redis/client/',
    driver: 'node-redis',
    names: new Map([
      ['RedisClient', false], ['RedisCluster', false], ['RedisSentinel', false], ['RedisSentinelClient', false], ['RedisClientPool', false],
      ['RedisClientMultiCommand', true], ['RedisClusterMultiCommand', true], ['RedisSentinelMultiCommand', true],
    ]),
  },
];

/**
 * Type-aware client detection for one file: asks the type checker for the type of an expression
 * and tells whether it is a Redis client by where its declarations come from (`ioredis`,
 * `@redis/client`), through interfaces and classes that extend them, unions (`Redis | Cluster`),
 * intersections (`RedisClientType`, `Isolated<Redis>`), type parameters' constraints, values
 * returned by functions and awaited promises. Written against the program's own objects, so it
 * works with whichever TypeScript made the program (the project's, or typescript-eslint's).
 *
 * @example
 * ```ts
 * const oracle = new TypeOracle(program, program.getSourceFile('/repo/src/queue.ts')!);
 * oracle.clientAt(receiverNode); // { driver: 'ioredis', isolated: false, ... }
 * ```
 */
export class TypeOracle implements ClientOracle {
  private readonly checker: TS.TypeChecker;

  constructor(
    program: TS.Program,
    private readonly sourceFile: TS.SourceFile,
  ) {
    this.checker = program.getTypeChecker();
  }

  clientAt(node: Node): ClientInfo | undefined {
    const found = node.start == null || node.end == null ? undefined : this.nodeAt(node.start, node.end);
    if (!found) return undefined;
    let type: TS.Type;
    try {
      type = this.checker.getTypeAtLocation(found);
    } catch {
      return undefined;
    }
    return this.clientOfType(type, 0);
  }

  /** The deepest node of the TypeScript tree that spans exactly `start`-`end`. */
  private nodeAt(start: number, end: number): TS.Node | undefined {
    const sourceFile = this.sourceFile;
    let current: TS.Node = sourceFile;
    let exact: TS.Node | undefined;
    for (;;) {
      const child: TS.Node | undefined = current.getChildren(sourceFile).find((c) => c.getStart(sourceFile) <= start && c.end >= end);
      if (!child) return exact;
      if (child.getStart(sourceFile) === start && child.end === end) exact = child;
      current = child;
    }
  }

  private clientOfType(input: TS.Type, depth: number): ClientInfo | undefined {
    if (depth > 6) return undefined;
    const checker = this.checker;
    const type = checker.getNonNullableType(input);
    const parameter = type.isTypeParameter() ? type : undefined;
    if (parameter) {
      const constraint = checker.getBaseConstraintOfType(parameter);
      return constraint && constraint !== parameter ? this.clientOfType(constraint, depth + 1) : undefined;
    }
    if (type.isUnion()) {
      const members = type.types.map((member) => this.clientOfType(member, depth + 1));
      return members.every((member) => member !== undefined) ? members[0] : undefined;
    }
    if (type.isIntersection()) {
      let found: ClientInfo | undefined;
      for (const member of type.types) if (!found) found = this.clientOfType(member, depth + 1);
      // `Isolated<C>` is `{ readonly isolation: IsolationInfo } & ... & C`, declared by this package.
      const isolated = type.types.some((member) => declaredIn(member.getSymbol() ?? member.aliasSymbol, '/isolated-redis/'));
      return found && isolated ? { ...found, isolated: true } : found;
    }
    const known = this.driverOf(type.getSymbol() ?? type.aliasSymbol);
    if (known) return known;
    if (type.isClassOrInterface()) {
      for (const base of checker.getBaseTypes(type)) {
        const inherited = this.clientOfType(base, depth + 1);
        if (inherited) return inherited;
      }
    }
    return undefined;
  }

  private driverOf(symbol: TS.Symbol | undefined): ClientInfo | undefined {
    if (!symbol) return undefined;
    for (const declaration of symbol.getDeclarations() ?? []) {
      const path = declaration.getSourceFile().fileName.split('\\').join('/');
      // `export default class RedisClient`: the symbol is `default`, the declaration has the name.
      const name = (declaration as { readonly name?: { readonly text?: string } }).name?.text ?? symbol.getName();
      for (const entry of DRIVER_TYPES) {
        const chain = entry.names.get(name);
        if (chain !== undefined && path.includes(entry.folder)) return { driver: entry.driver, isolated: false, mode: 'prefix', chain };
      }
    }
    return undefined;
  }
}

function declaredIn(symbol: TS.Symbol | undefined, folder: string): boolean {
  return (symbol?.getDeclarations() ?? []).some((declaration) => declaration.getSourceFile().fileName.split('\\').join('/').includes(folder));
}
