import type * as TS from 'typescript';
import type { ArgumentRole } from '../../core/index.js';
import { describeCommand, type CommandDescription } from '../../core/index.js';
import { CONNECTION_SCOPED_COMMANDS } from '../../core/policy.js';
import { ClientDetector, type ClientInfo } from './client-detection.js';
import { KeyClassifier, type NamespaceLayout } from './classify.js';
import { CommandLineBuilder, type CommandLine } from './command-line.js';
import { SCAN_ITERATORS } from './scan-iterators.js';
import { commandOfMethod } from './command-methods.js';
import type { ModuleFacts } from './module-facts.js';
import { ModuleGraph } from './module-graph.js';
import { RULES, type Finding, type RuleId } from './rules.js';
import { StaticTextResolver } from './static-text.js';
import { applySuppressions } from './suppression.js';
import { loadTypeScript } from './typescript.js';

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
}

/** How `lint` reads a client known only by its type annotation: as a raw client, or as an isolated one in prefix mode. */
export type TypedClients = 'raw' | 'isolated';

/** Methods that take a whole command line: ioredis `call(name, ...args)`, node-redis `sendCommand([name, ...args])`. */
const RAW_COMMAND_METHODS = new Set(['call', 'callBuffer', 'sendCommand']);

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
 * The analysis behind `isolated-redis lint` and the ESLint plugin: parses a file with the
 * TypeScript compiler API (no type checker, so it stays fast), finds Redis command calls on
 * recognised clients, locates their keys with the core's command table and judges each key with
 * the core guard.
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
  private readonly ts: typeof TS;
  private readonly graph: ModuleGraph;
  private readonly classifiers = new Map<string, KeyClassifier>();

  /** `graph` caches the project's parsed modules; pass a fresh one to see edited files again. */
  constructor(options: { readonly graph?: ModuleGraph } = {}) {
    this.ts = loadTypeScript();
    this.graph = options.graph ?? new ModuleGraph(this.ts);
  }

  analyze(text: string, options: FileAnalysisOptions): Finding[] {
    const module = this.graph.add(options.fileName, text);
    const parseErrors = (module.sourceFile as unknown as { parseDiagnostics?: readonly TS.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
    if (parseErrors.length > 0) return [this.parseError(module, options.fileName, parseErrors[0] as TS.DiagnosticWithLocation)];
    return applySuppressions(text, new FileAnalysis(this.ts, this.graph, module, options, this.classifierOf(options.layout)).run());
  }

  private classifierOf(layout: NamespaceLayout): KeyClassifier {
    const id = JSON.stringify(layout);
    let classifier = this.classifiers.get(id);
    if (!classifier) this.classifiers.set(id, (classifier = new KeyClassifier(layout)));
    return classifier;
  }

  private parseError(module: ModuleFacts, fileName: string, diagnostic: TS.DiagnosticWithLocation): Finding {
    const { line, character } = module.sourceFile.getLineAndCharacterOfPosition(diagnostic.start);
    const message = this.ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    return { file: fileName, line: line + 1, column: character + 1, endLine: line + 1, endColumn: character + 1, rule: 'parse-error', severity: 'error', message };
  }
}

/** The analysis of one file. */
class FileAnalysis {
  private readonly findings: Finding[] = [];
  private readonly texts: StaticTextResolver;
  private readonly clients: ClientDetector;
  private readonly lines: CommandLineBuilder;
  /** Source text of the `client:` option of every `createIsolatedRedis` call: those raw clients are wrapped. */
  private readonly wrappedClients = new Set<string>();

  constructor(
    private readonly ts: typeof TS,
    graph: ModuleGraph,
    private readonly module: ModuleFacts,
    private readonly options: FileAnalysisOptions,
    private readonly classifier: KeyClassifier,
  ) {
    this.texts = new StaticTextResolver(ts, graph);
    this.clients = new ClientDetector(ts, graph, this.texts, module, options.typedClients ?? 'raw');
    this.lines = new CommandLineBuilder(ts, this.texts, module);
  }

  run(): Finding[] {
    const ts = this.ts;
    const calls: TS.CallExpression[] = [];
    const constructions: TS.Expression[] = [];
    const visit = (node: TS.Node): void => {
      if (ts.isCallExpression(node)) calls.push(node);
      if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && this.clients.isRawConstruction(node)) constructions.push(node);
      if (this.clients.isIsolatedFactoryCall(node)) this.noteWrappedClient(node);
      ts.forEachChild(node, visit);
    };
    visit(this.module.sourceFile);
    for (const construction of constructions) {
      if (!this.isWrapped(construction)) {
        this.report(construction, 'raw-client', `${construction.getText().split('(')[0]}() makes a client outside any namespace; wrap it with createIsolatedRedis`);
      }
    }
    for (const call of calls) this.checkCall(call);
    return this.findings.sort((a, b) => a.line - b.line || a.column - b.column);
  }

  private checkCall(call: TS.CallExpression): void {
    const ts = this.ts;
    const callee = call.expression;
    if (!ts.isPropertyAccessExpression(callee)) return;
    const method = callee.name.text;
    if ((method === 'pipeline' || method === 'multi') && call.arguments[0] && ts.isArrayLiteralExpression(call.arguments[0])) {
      return this.checkQueuedCommands(call.arguments[0], callee);
    }
    const command = commandOfMethod(method);
    if (!command && !RAW_COMMAND_METHODS.has(method) && !SCAN_ITERATORS[method]) return;
    const client = this.clients.clientOf(callee.expression);
    if (!client) return;
    const line = this.lines.fromCall(method, command, call.arguments, callee.name, client);
    if (line) this.checkLine(line, client, callee.name);
  }

  /** ioredis's array form, `redis.pipeline([['set', key, value], ['get', key]])`: each entry is a command line. */
  private checkQueuedCommands(commands: TS.ArrayLiteralExpression, callee: TS.PropertyAccessExpression): void {
    const client = this.clients.clientOf(callee.expression);
    if (!client) return;
    for (const entry of commands.elements) {
      if (!this.ts.isArrayLiteralExpression(entry)) continue;
      const line = this.lines.fromCall('sendCommand', undefined, [entry], entry, client);
      if (line) this.checkLine(line, client, entry);
    }
  }

  private checkLine(line: CommandLine, client: ClientInfo, at: TS.Node): void {
    const argv = line.slots.map((slot) => (slot.text.exact ? slot.text.text : UNKNOWN_ARGUMENT));
    const description = describeCommand(argv);
    const name = description.command.replace('|', ' ').toUpperCase();
    if (description.status === 'blocked') {
      if (!client.isolated && CONNECTION_SCOPED_COMMANDS.has(description.command)) return;
      return this.report(at, 'blocked-command', `${name} is refused by isolated-redis: ${description.reason ?? ''}`);
    }
    if (description.status === 'malformed') {
      if (line.slots.some((slot) => !slot.text.exact)) this.report(at, 'dynamic-key', `${name}: where its keys are depends on arguments that are not static`);
      return;
    }
    if (description.status !== 'allowed') return;
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
        if (verdict) this.report(slot.node, verdict.rule, `${name}: the ${role} ${this.quote(slot.node)} ${verdict.reason}`);
      }
    }
    if (!client.isolated && description.appended.some(([, role]) => role === 'key-pattern')) {
      this.report(at, 'blocked-command', `${name} without MATCH reads every namespace's keys; give it MATCH "<prefix>*"`);
    }
  }

  private noteWrappedClient(call: TS.CallExpression): void {
    const ts = this.ts;
    const [options] = call.arguments;
    if (!options || !ts.isObjectLiteralExpression(options)) return;
    for (const property of options.properties) {
      if (ts.isPropertyAssignment(property) && ts.isIdentifier(property.name) && property.name.text === 'client') this.wrappedClients.add(property.initializer.getText());
      if (ts.isShorthandPropertyAssignment(property) && property.name.text === 'client') this.wrappedClients.add('client');
    }
  }

  /** Whether a raw construction ends up inside `createIsolatedRedis({ client })`, directly or through a name. */
  private isWrapped(construction: TS.Expression): boolean {
    const ts = this.ts;
    let node: TS.Node = construction;
    for (;;) {
      const parent = node.parent;
      const passesClientOn =
        ts.isParenthesizedExpression(parent) || ts.isAwaitExpression(parent) || ts.isAsExpression(parent) || ts.isNonNullExpression(parent) ||
        (ts.isPropertyAccessExpression(parent) && parent.name.text === 'connect') ||
        (ts.isCallExpression(parent) && parent.expression === node && ts.isPropertyAccessExpression(node));
      if (!passesClientOn) break;
      node = parent;
    }
    const parent = node.parent;
    if (ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name) && parent.name.text === 'client') return this.clients.isIsolatedFactoryCall(parent.parent.parent);
    if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return this.wrappedClients.has(parent.name.text);
    if ((ts.isPropertyDeclaration(parent) && ts.isIdentifier(parent.name)) || (ts.isBinaryExpression(parent) && parent.right === node)) {
      const target = ts.isPropertyDeclaration(parent) ? `this.${(parent.name as TS.Identifier).text}` : parent.left.getText();
      return this.wrappedClients.has(target);
    }
    return false;
  }

  private quote(node: TS.Node): string {
    const text = node.getText().replace(/\s+/g, ' ');
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  }

  private report(node: TS.Node, rule: RuleId, message: string): void {
    const sourceFile = this.module.sourceFile;
    const start = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile));
    const end = sourceFile.getLineAndCharacterOfPosition(node.getEnd());
    this.findings.push({
      file: this.options.fileName,
      line: start.line + 1,
      column: start.character + 1,
      endLine: end.line + 1,
      endColumn: end.character + 1,
      rule,
      severity: RULES[rule].severity,
      message,
    });
  }
}
