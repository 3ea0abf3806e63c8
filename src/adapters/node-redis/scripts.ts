import type { NamespaceGuard, RedisArg } from '../../core/index.js';
import type { ScriptConfinement } from '../../core/scripts/script-confinement.js';
import { runsScript, scriptRefusal } from '../../core/scripts/script-refusal.js';

/** What node-redis's script objects (`defineScript`, the `scripts` option) hold that the view reads. */
interface NodeRedisScript {
  readonly SCRIPT: string | Buffer;
  readonly SHA1: string;
}

const isScript = (value: unknown): value is NodeRedisScript =>
  typeof value === 'object' && value !== null && typeof (value as { SHA1?: unknown }).SHA1 === 'string' &&
  (typeof (value as { SCRIPT?: unknown }).SCRIPT === 'string' || Buffer.isBuffer((value as { SCRIPT?: unknown }).SCRIPT));

const confinedScripts = new WeakMap<object, WeakMap<ScriptConfinement, object>>();

/**
 * The script object node-redis must run for a view: the same script with its text behind the
 * namespace's Lua guard and that text's SHA. node-redis's `_executeScript` falls back from
 * EVALSHA to `EVAL script.SCRIPT` on NOSCRIPT, after the guard saw the command: it must find the
 * wrapped text there. Registers the caller's SHA with the guard on the way. `script` itself as it
 * is with `scripts: 'trust'`, or when it is not a script object.
 */
export function confinedScript<S>(guard: NamespaceGuard, script: S): S {
  const scripts = guard.scripts;
  if (scripts === undefined || !isScript(script)) return script;
  let byConfinement = confinedScripts.get(script);
  if (byConfinement === undefined) confinedScripts.set(script, (byConfinement = new WeakMap()));
  let confined = byConfinement.get(scripts) as S | undefined;
  if (confined === undefined) {
    const SCRIPT = scripts.wrapScript(script.SCRIPT);
    const SHA1 = scripts.wrappedSha(script.SHA1) as string; // known: wrapScript has just remembered it
    confined = Object.assign(Object.create(Object.getPrototypeOf(script) as object) as object, script, { SCRIPT, SHA1 }) as S;
    byConfinement.set(scripts, confined as object);
  } else {
    scripts.remember(script.SHA1.toLowerCase(), (confined as NodeRedisScript).SHA1); // the guard keeps knowing the caller's SHA
  }
  return confined;
}

/**
 * Before the guard sees an EVALSHA of one of the client's configured scripts (the `scripts`
 * option), makes its SHA known: a cluster sends the command before the node's `_executeScript`
 * gets the script object, so the view finds the script by its SHA in the client's options.
 */
export function knowConfiguredScript(guard: NamespaceGuard, line: readonly RedisArg[], configured: unknown): void {
  const scripts = guard.scripts;
  if (scripts === undefined || typeof configured !== 'object' || configured === null || !/^evalsha(_ro)?$/i.test(String(line[0]))) return;
  const sha = String(line[1]);
  if (scripts.wrappedSha(sha) !== undefined) return;
  for (const script of Object.values(configured)) {
    if (isScript(script) && script.SHA1 === sha) {
      scripts.wrapScript(script.SCRIPT);
      return;
    }
  }
}

/** The Lua guard's refusals in the error of a script command (`line`), as typed errors. */
export function scriptError(guard: NamespaceGuard, line: readonly RedisArg[], error: unknown): unknown {
  return runsScript(line[0]) ? scriptRefusal(error, guard.namespace, (name) => guard.scripts?.originalName(name)) : error;
}
