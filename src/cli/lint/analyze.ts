import type * as B from '@babel/types';
import type { ArgumentRole } from '../../core/index.js';
import { buildCommandTable, type CommandRule } from '../../core/command-rules.js';
import type { CommandLookup } from '../../core/command-table.js';
import { describeWith, type CommandDescription } from '../../core/describe.js';
import { CONNECTION_SCOPED_COMMANDS } from '../../core/policy.js';
import { isCall, isMember, memberName, unwrap, type Call, type Node } from './ast.js';
import { ClientDetector, type ClientInfo, type ClientOracle } from './client-detection.js';
import { KeyClassifier, type NamespaceLayout } from './classify.js';
import { CommandLineBuilder, type CommandLine, type Slot } from './command-line.js';
import { commandOfMethod } from './command-methods.js';
import type { ClassMember, Binding, ModuleFacts } from './module-facts.js';
import { ModuleGraph } from './module-graph.js';
import { RULES, type Finding, type RuleId } from './rules.js';
import { SCAN_ITERATORS } from './scan-iterators.js';
import { StaticTextResolver } from './static-text.js';
import { applySuppressions } from './suppression.js';

/**
 * What one file is checked against.
 *
 * @example
 * ```ts
 * const options: FileAnalysisOptions = { fileName: 'src/mcp2/jobs.ts', namespace: 'mcp2', layout: { namespaces: ['mcp2', 'celery'] } };
 * ```
 */
export interface FileAnalysisOptions {
  /** The path findings are reported under; relative imports are resolved from it. */
  readonly fileName: string;
  /** The namespace whose keys this file may use; `undefined` when the configuration assigns it none. */
  readonly namespace: string | undefined;
  readonly layout: NamespaceLayout;
  /**
   * How to read a client known only by its type (`constructor(private redis: Redis)`): `'raw'`, or
   * an isolated client in prefix mode (`'isolated'`, for code that receives clients made by
   * `createIsolatedRedis`, whose type is the driver's). @defaultValue `'raw'`
   */
  readonly typedClients?: TypedClients;
  /**
   * Rules for commands the built-in table lacks (module commands), as `createIsolatedRedis`'s
   * `commands` option takes them: such commands are not reported as unknown, and their keys are
   * checked where the rules place them.
   */
  readonly commands?: Readonly<Record<string, CommandRule>>;
  /** Type-aware mode: the type checker's answer for receivers the syntax does not tell. */
  readonly oracle?: ClientOracle;
}

/** How `lint` reads a client known only by its type annotation: as a raw client, or as an isolated one in prefix mode. */
export type TypedClients = 'raw' | 'isolated';

/** Methods that take a whole command line: ioredis `call(name, ...args)`, node-redis `sendCommand([name, ...args])`. */
const RAW_COMMAND_METHODS = new Set(['call', 'callBuffer', 'sendCommand']);

/** node-redis's module command groups (`client.json.set(...)` sends `JSON.SET`). */
const NODE_REDIS_MODULES: Readonly<Record<string, string>> = { json: 'JSON', ft: 'FT', ts: 'TS', bf: 'BF', cf: 'CF', cms: 'CMS', topK: 'TOPK', tDigest: 'TDIGEST' };

/** Placeholder for an argument whose value is unknown: never a keyword, never a number. */
const UNKNOWN_ARGUMENT = '\u0000unknown';

const ROLE_FIELDS: readonly [keyof CommandDescription & ('keys' | 'keyPatterns' | 'sortPatterns' | 'channels' | 'channelPatterns'), ArgumentRole][] = [
  ['keys', 'key'],
  ['keyPatterns', 'key-pattern'],
  ['sortPatterns', 'sort-pattern'],
  ['channels', 'channel'],
  ['channelPatterns', 'channel-pattern'],
];

/**
 * The analysis behind `isolated-redis lint` and the ESLint plugin: parses a file with the parser
 * this package ships (no type checker, so it stays fast), finds Redis command calls on recognised
 * clients, locates their keys with the core's command table and judges each key with the core
 * guard.
 *
 * @example
 * ```ts
 * const analyzer = new KeyUsageAnalyzer();
 * const findings = analyzer.analyze("import Redis from 'ioredis'; new Redis().get('x');", {
 *   fileName: 'a.ts', namespace: 'mcp2', layout: { namespaces: ['mcp2'] },
 * });
 * findings.map((f) => f.rule); // ['raw-client', 'unprefixed-key']
 * ```
 */
export class KeyUsageAnalyzer {
  private readonly graph: ModuleGraph;
  private readonly classifiers = new Map<string, KeyClassifier>();
  private readonly tables = new WeakMap<object, CommandLookup>();

  /** `graph` caches the project's parsed modules; pass a fresh one to see edited files again. */
  constructor(options: { readonly graph?: ModuleGraph } = {}) {
    this.graph = options.graph ?? new ModuleGraph();
  }

  analyze(text: string, options: FileAnalysisOptions): Finding[] {
    const module = this.graph.add(options.fileName, text);
    if (!('file' in module)) {
      const { line, column, message } = module;
      return [{ file: options.fileName, line, column, endLine: line, endColumn: column, rule: 'parse-error', severity: 'error', message }];
    }
    const table = options.commands ? this.tableOf(options.commands) : undefined;
    return applySuppressions(text, new FileAnalysis(this.graph, module, options, this.classifierOf(options.layout), table).run());
  }

  private tableOf(commands: Readonly<Record<string, CommandRule>>): CommandLookup {
    let table = this.tables.get(commands);
    if (!table) this.tables.set(commands, (table = buildCommandTable(commands)));
    return table;
  }

  private classifierOf(layout: NamespaceLayout): KeyClassifier {
    const id = JSON.stringify(layout);
    let classifier = this.classifiers.get(id);
    if (!classifier) this.classifiers.set(id, (classifier = new KeyClassifier(layout)));
    return classifier;
  }
}

/** The analysis of one file. */
class FileAnalysis {
  private readonly findings: Finding[] = [];
  private readonly texts: StaticTextResolver;
  private readonly clients: ClientDetector;
  private readonly lines: CommandLineBuilder;
  /** The bindings and class members passed as `client:` to `createIsolatedRedis`: those raw clients are wrapped. */
  private readonly wrapped = new Set<Binding | ClassMember>();
  private readonly clientTables = new Map<object, CommandLookup | undefined>();

  constructor(
    graph: ModuleGraph,
    private readonly module: ModuleFacts,
    private readonly options: FileAnalysisOptions,
    private readonly classifier: KeyClassifier,
    private readonly table: CommandLookup | undefined,
  ) {
    this.texts = new StaticTextResolver(graph);
    this.clients = new ClientDetector(graph, this.texts, module, options.typedClients ?? 'raw', options.oracle);
    this.lines = new CommandLineBuilder(this.texts, module);
  }

  run(): Finding[] {
    const { calls, constructions } = this.module;
    for (const call of calls) if (this.clients.isIsolatedFactoryCall(call)) this.noteWrappedClient(call);
    for (const construction of [...constructions, ...calls]) {
      if (this.clients.isRawConstruction(construction) && !this.isWrapped(construction)) {
        const name = this.source(construction.callee).split('(')[0]?.trim() ?? '';
        this.report(construction, 'raw-client', `${construction.type === 'NewExpression' ? 'new ' : ''}${name}() makes a client outside any namespace; wrap it with createIsolatedRedis`);
      }
    }
    for (const call of calls) this.checkCall(call);
    return this.findings.sort((a, b) => a.line - b.line || a.column - b.column);
  }

  private checkCall(call: Call): void {
    const callee = unwrap(call.callee);
    if (!isMember(callee)) return;
    const method = memberName(callee);
    if (method === undefined) return;
    const args = call.arguments as Node[];
    const first = args[0] && unwrap(args[0]);
    if ((method === 'pipeline' || method === 'multi') && first?.type === 'ArrayExpression') return this.checkQueuedCommands(first, callee.object);
    const owner = unwrap(callee.object);
    const group = isMember(owner) ? NODE_REDIS_MODULES[memberName(owner) ?? ''] : undefined;
    if (group && isMember(owner)) {
      const client = this.clients.receiver(owner.object);
      if (client) this.checkLine(this.lines.fromModuleCall(`${group}.${method.toUpperCase()}`, args, callee.property), client, callee.property);
      return;
    }
    const command = commandOfMethod(method);
    if (command || RAW_COMMAND_METHODS.has(method) || SCAN_ITERATORS[method] || method === 'addCommand') {
      const client = this.clients.receiver(callee.object);
      if (!client || (method === 'addCommand' && !client.chain)) return;
      const line = this.lines.fromCall(method, command, args, callee.property, client);
      if (line) this.checkLine(line, client, callee.property);
      return;
    }
    // A script method: only on clients the syntax shows, which is where their definitions are read.
    const client = this.clients.clientOf(callee.object);
    const signature = client?.scripts?.get(method) ?? (client?.driver === 'ioredis' && method.endsWith('Buffer') ? client.scripts?.get(method.slice(0, -6)) : undefined);
    if (client && signature) {
      const line = this.lines.fromScript(signature, args, callee.property, client);
      if (line) this.checkLine(line, client, callee.property);
    }
  }

  /** ioredis's array form, `redis.pipeline([['set', key, value], ['get', key]])`: each entry is a command line. */
  private checkQueuedCommands(commands: B.ArrayExpression, receiver: Node): void {
    const client = this.clients.receiver(receiver);
    if (!client) return;
    for (const entry of commands.elements) {
      if (!entry || unwrap(entry).type !== 'ArrayExpression') continue;
      const line = this.lines.fromArgv(entry);
      if (line) this.checkLine(line, client, entry);
    }
  }

  private checkLine(line: CommandLine, client: ClientInfo, at: Node): void {
    const argv = line.slots.map((slot) => (slot.text.exact ? slot.text.text : UNKNOWN_ARGUMENT));
    const description = describeWith(this.tableFor(client), argv);
    const name = description.command.replace('|', ' ').toUpperCase();
    if (description.status === 'blocked') {
      if (!client.isolated && CONNECTION_SCOPED_COMMANDS.has(description.command)) return;
      return this.report(at, 'blocked-command', `${name} is refused by isolated-redis: ${description.reason ?? ''}`);
    }
    if (description.status === 'unknown') {
      // A client whose `commands` option lint cannot read may register it.
      if (client.commands === 'unknown') return;
      return this.report(
        at,
        'unknown-command',
        `${name} is not in isolated-redis's command table: an isolated client refuses it (ERR_UNKNOWN_COMMAND) and lint cannot tell where its keys are; ` +
          'register it with the "commands" option of createIsolatedRedis and in the lint configuration',
      );
    }
    if (description.status === 'malformed') {
      if (line.slots.some((slot) => !slot.text.exact)) this.report(at, 'dynamic-key', `${name}: where its keys are depends on arguments that are not static`);
      return;
    }
    const owner = { namespace: client.namespace ?? this.options.namespace, isolated: client.isolated, mode: client.mode };
    let reportedOpen = false;
    for (const [field, role] of ROLE_FIELDS) {
      for (const position of description[field]) {
        const slot = line.slots[position];
        if (!slot) continue;
        if (line.openFrom !== undefined && position >= line.openFrom) {
          if (!client.isolated && !reportedOpen) this.report(slot.node, 'dynamic-key', `${name}: the ${role}s come from a spread or array whose contents are not static`);
          reportedOpen = true;
          continue;
        }
        const verdict = this.classifier.classify(role, slot.text, owner);
        if (verdict) this.report(slot.node, verdict.rule, `${name}: the ${role} ${this.quote(slot)} ${verdict.reason}`);
      }
    }
    if (!client.isolated && description.appended.some(([, role]) => role === 'key-pattern')) {
      this.report(at, 'blocked-command', `${name} without MATCH reads every namespace's keys; give it MATCH "<prefix>*"`);
    }
  }

  /** The command table a client's commands are described with: the built-in one, plus the configuration's and the client's own `commands` rules. */
  private tableFor(client: ClientInfo): CommandLookup {
    const own = client.commands;
    const base = this.table ?? buildCommandTable(undefined);
    if (!own || own === 'unknown' || Object.keys(own).length === 0) return base;
    if (!this.clientTables.has(own)) {
      let table: CommandLookup | undefined;
      try {
        table = buildCommandTable({ ...this.options.commands, ...own });
      } catch {
        // Rules the guard would refuse at creation: the client never runs, nothing to judge by them.
        table = undefined;
      }
      this.clientTables.set(own, table);
    }
    return this.clientTables.get(own) ?? base;
  }

  private noteWrappedClient(call: B.CallExpression): void {
    const options = call.arguments[0] && unwrap(call.arguments[0]);
    if (options?.type !== 'ObjectExpression') return;
    for (const property of options.properties) {
      if (property.type !== 'ObjectProperty' || property.computed || property.key.type !== 'Identifier' || property.key.name !== 'client') continue;
      const target = this.targetOf(unwrap(property.value));
      if (target) this.wrapped.add(target);
    }
  }

  /** The binding or class member an expression names (`client`, `this.client`). */
  private targetOf(node: Node): Binding | ClassMember | undefined {
    if (node.type === 'Identifier') return this.module.lookup(node);
    if (isMember(node) && node.object.type === 'ThisExpression') return this.module.memberOf(node, memberName(node) ?? '');
    return undefined;
  }

  /** Whether a raw construction ends up inside `createIsolatedRedis({ client })`, directly or through a name. */
  private isWrapped(construction: Node): boolean {
    let node: Node = construction;
    for (;;) {
      const parent = this.module.parentOf(node);
      if (!parent) return false;
      const passesClientOn =
        parent.type === 'AwaitExpression' ||
        parent.type === 'TSAsExpression' ||
        parent.type === 'TSNonNullExpression' ||
        parent.type === 'TSSatisfiesExpression' ||
        (isMember(parent) && parent.object === node) ||
        (isCall(parent) && parent.callee === node && isMember(node));
      if (!passesClientOn) break;
      node = parent;
    }
    const parent = this.module.parentOf(node);
    if (parent?.type === 'ObjectProperty' && parent.value === node && !parent.computed && parent.key.type === 'Identifier' && parent.key.name === 'client') {
      return this.clients.isIsolatedFactoryCall(this.module.parentOf(this.module.parentOf(parent) ?? parent));
    }
    let target: Binding | ClassMember | undefined;
    if (parent?.type === 'VariableDeclarator' && parent.id.type === 'Identifier') target = this.module.lookup(parent.id);
    if ((parent?.type === 'ClassProperty' || parent?.type === 'ClassPrivateProperty') && parent.value === node) {
      const key = parent.key;
      target = this.module.memberOf(parent, key.type === 'PrivateName' ? `#${key.id.name}` : key.type === 'Identifier' ? key.name : '');
    }
    if (parent?.type === 'AssignmentExpression' && parent.right === node) target = this.targetOf(parent.left);
    return target !== undefined && this.wrapped.has(target);
  }

  private source(node: Node): string {
    return this.module.text.slice(node.start ?? 0, node.end ?? 0);
  }

  private quote(slot: Slot): string {
    if (slot.label !== undefined) return slot.label;
    const text = this.source(slot.node).replace(/\s+/g, ' ');
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  }

  private report(node: Node, rule: RuleId, message: string): void {
    const start = node.loc?.start ?? { line: 1, column: 0 };
    const end = node.loc?.end ?? start;
    this.findings.push({
      file: this.options.fileName,
      line: start.line,
      column: start.column + 1,
      endLine: end.line,
      endColumn: end.column + 1,
      rule,
      severity: RULES[rule].severity,
      message,
    });
  }
}
