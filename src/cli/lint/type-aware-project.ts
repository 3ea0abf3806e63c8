import { dirname, resolve } from 'node:path';
import type * as TS from 'typescript';
import { CliError } from '../errors.js';
import type { ClientOracle } from './client-detection.js';
import { TypeOracle } from './type-oracle.js';
import { loadCompilerApi } from './typescript.js';

/**
 * The program of a `tsconfig.json`, built with the project's own TypeScript, for type-aware
 * lint (`--project`): each linted file the program holds gets a {@link TypeOracle}; files it does
 * not hold are linted from the syntax alone.
 *
 * @throws {@link CliError} `ERR_CLI_DEPENDENCY` without a TypeScript that has a compiler API (see
 * {@link loadCompilerApi}), `ERR_CLI_CONFIG` for a tsconfig that cannot be read.
 * @example
 * ```ts
 * const project = TypeAwareProject.open('tsconfig.json', process.cwd());
 * project.oracleFor('/repo/src/queue.ts')?.clientAt(node);
 * ```
 */
export class TypeAwareProject {
  private constructor(private readonly program: TS.Program) {}

  static open(tsconfig: string, cwd: string, ts: typeof TS = loadCompilerApi([dirname(resolve(cwd, tsconfig)), cwd])): TypeAwareProject {
    const path = resolve(cwd, tsconfig);
    const format = (diagnostic: TS.Diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const read = ts.readConfigFile(path, (file) => ts.sys.readFile(file));
    if (read.error) throw new CliError('ERR_CLI_CONFIG', `--project ${tsconfig}: ${format(read.error)}`);
    const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(path), undefined, path);
    const errors = parsed.errors.filter((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error);
    if (errors[0]) throw new CliError('ERR_CLI_CONFIG', `--project ${tsconfig}: ${format(errors[0])}`);
    const program = ts.createProgram({
      rootNames: parsed.fileNames,
      options: { ...parsed.options, noEmit: true },
      ...(parsed.projectReferences ? { projectReferences: parsed.projectReferences } : {}),
    });
    return new TypeAwareProject(program);
  }

  /** How many source files the program holds (the project's and its declarations). */
  get fileCount(): number {
    return this.program.getSourceFiles().length;
  }

  oracleFor(fileName: string): ClientOracle | undefined {
    const sourceFile = this.program.getSourceFile(resolve(fileName));
    return sourceFile ? new TypeOracle(this.program, sourceFile) : undefined;
  }
}
