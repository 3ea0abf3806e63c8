import { BlockedCommandError, MalformedCommandError } from './errors.js';
import type { NamespaceGuard } from './guard.js';
import type { ScriptArgument } from './scripts/script-argument.js';
import type { ArgumentRole, ArgumentSink, Locator, RedisArg } from './types.js';

/** Whether arguments of `role` are glob patterns (and so get the glob-escaped prefix). */
export const isPatternRole = (role: ArgumentRole): boolean => role === 'key-pattern' || role === 'channel-pattern';

/** Applies a custom locator's verdicts to a copy of the arguments. One per guard, reused. */
export class RewriteSink implements ArgumentSink {
  private command = '';
  private args: readonly RedisArg[] = [];
  private out: RedisArg[] = [];
  /** How many `key` arguments the last run marked. */
  keyCount = 0;

  constructor(private readonly guard: NamespaceGuard) {}

  run(command: string, locate: Locator, args: readonly RedisArg[]): readonly RedisArg[] {
    this.command = command;
    this.args = args;
    this.out = args.slice();
    this.keyCount = 0;
    try {
      locate(args, this);
      return this.out;
    } finally {
      this.args = [];
      this.out = [];
    }
  }

  at(index: number, role: ArgumentRole): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.args.length) this.malformed(`no argument at position ${index}`);
    this.out[index] = this.guard.confine(this.args[index] as RedisArg, role, this.command);
    if (role === 'key') this.keyCount++;
  }

  /** Marks argument `index` as a script, a script's SHA or a function's name (see {@link ScriptArgument}). */
  script(index: number, kind: ScriptArgument): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.args.length) this.malformed(`no argument at position ${index}`);
    this.out[index] = this.guard.confineScript(this.args[index] as RedisArg, kind, this.command);
  }

  /** Whether the guard sends scripts as they are (`scripts: 'trust'`). */
  get trustsScripts(): boolean {
    return this.guard.scripts === undefined;
  }

  append(keyword: string | undefined, role: ArgumentRole): void {
    if (keyword !== undefined) this.out.push(keyword);
    this.out.push(isPatternRole(role) ? `${this.guard.patternPrefix}*` : this.guard.prefix);
  }

  malformed(reason: string): never {
    throw new MalformedCommandError(`${this.command.toUpperCase()} is refused: ${reason}`, {
      command: this.command,
      namespace: this.guard.namespace,
    });
  }

  refuse(reason: string): never {
    throw new BlockedCommandError(`${this.command.toUpperCase()} is refused in namespace "${this.guard.namespace}": ${reason}`, {
      command: this.command,
      namespace: this.guard.namespace,
    });
  }
}
