import type { NamespaceGuard, ScriptConfinement } from '../../core/index.js';
import { runsScript, scriptRefusal } from '../../core/scripts/script-refusal.js';
import type { IoredisCommand } from './internals.js';

type ToWritable = (this: IoredisCommand, socket: object) => unknown;
type ScriptCommand = IoredisCommand & { toWritable: ToWritable; reject: (error: Error) => void };

/** Each script class's own text (ioredis makes one class per `defineCommand` script). */
const textOfClass = new WeakMap<object, string | Buffer>();
/** A script class's text as one namespace sends it, and the sockets that have it loaded (what ioredis keeps per script). */
interface Form {
  readonly wrapped: string | Buffer;
  readonly wrappedSha: string;
  readonly loaded: WeakSet<object>;
}
const formsOf = new WeakMap<object, WeakMap<ScriptConfinement, Form>>();

/**
 * The parent's `toWritable` of a command whose class overrides it: ioredis's script commands
 * (`defineCommand`, the scripts of Bull, BullMQ, redlock...), which at write time turn into
 * `EVAL <their text>` the first time on a socket and `EVALSHA <their SHA>` after, past any guard
 * that looked at the command before.
 */
function parentToWritable(command: IoredisCommand): ToWritable | undefined {
  const proto = Object.getPrototypeOf(command) as object | null;
  if (proto === null || !Object.prototype.hasOwnProperty.call(proto, 'toWritable')) return undefined;
  const parent = (Object.getPrototypeOf(proto) as { toWritable?: ToWritable } | null)?.toWritable;
  return typeof parent === 'function' ? parent : undefined;
}

/** The script text an ioredis script command writes on a socket it has not written to. */
function scriptTextOf(command: ScriptCommand): string | Buffer {
  const cls = Object.getPrototypeOf(command) as { toWritable: ToWritable };
  let text = textOfClass.get(cls);
  if (text === undefined) {
    // The class keeps its text in a closure: ask it to write itself for a socket it never saw.
    const probe = Object.create(command) as ScriptCommand;
    probe.args = command.args.slice();
    probe.reject = (): void => undefined;
    cls.toWritable.call(probe, {});
    text = probe.args[0] as string | Buffer;
    textOfClass.set(cls, text);
  }
  return text;
}

/**
 * Makes one of ioredis's script commands write the namespace's wrapped script (and its SHA)
 * instead of the caller's, keeping ioredis's logic: EVAL the first time on a socket, EVALSHA
 * after, EVAL again on that socket after a NOSCRIPT. Called before the guard rewrites the
 * command, whose SHA the guard then knows. No-op for other commands and with `scripts: 'trust'`.
 */
export function confineScriptCommand(guard: NamespaceGuard, command: IoredisCommand): void {
  const scripts = guard.scripts;
  if (scripts === undefined || !runsScript(command.name)) return;
  const base = parentToWritable(command);
  if (base === undefined) return;
  const script = command as ScriptCommand;
  const cls = Object.getPrototypeOf(command) as object;
  let forms = formsOf.get(cls);
  if (forms === undefined) formsOf.set(cls, (forms = new WeakMap()));
  let form = forms.get(scripts);
  const sha = String(command.args[0]).toLowerCase();
  if (form === undefined) {
    const wrapped = scripts.wrapScript(scriptTextOf(script));
    const wrappedSha = scripts.wrappedSha(sha);
    if (wrappedSha === undefined) return; // not a script class of ioredis's kind: the guard refuses its unknown SHA
    forms.set(scripts, (form = { wrapped, wrappedSha, loaded: new WeakSet() }));
  } else {
    scripts.remember(sha, form.wrappedSha); // wrapped once per class and namespace; the guard keeps knowing its SHA
  }
  const { wrapped, wrappedSha, loaded } = form;
  const readOnly = /_ro$/i.test(String(command.name));
  script.toWritable = function (this: IoredisCommand, socket: object): unknown {
    const self = this as ScriptCommand;
    const reject = self.reject;
    self.reject = (error: Error): void => {
      if (error.message.includes('NOSCRIPT')) loaded.delete(socket);
      reject.call(self, error);
    };
    const first = !loaded.has(socket);
    if (first) loaded.add(socket);
    self.name = (first ? 'eval' : 'evalsha') + (readOnly ? '_ro' : '');
    self.args[0] = first ? wrapped : wrappedSha;
    return base.call(self, socket);
  };
}

/** Turns the Lua guard's refusals in a script command's error reply into typed errors. */
export function typedScriptRefusals(guard: NamespaceGuard, command: IoredisCommand): void {
  if (!runsScript(command.name)) return;
  const reject = command.reject;
  command.reject = function (this: unknown, error: Error): void {
    reject.call(this, scriptRefusal(error, guard.namespace, (name) => guard.scripts?.originalName(name)) as Error);
  };
}
