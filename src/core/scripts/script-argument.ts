import type { ArgumentSink } from '../types.js';

/**
 * What a script-related argument is, for the guard's `confineScript`:
 *
 * - `text`: a script's text (EVAL, SCRIPT LOAD), sent behind the namespace's Lua guard;
 * - `sha`: a script's SHA (EVALSHA), sent as the SHA of the wrapped text, refused when unknown;
 * - `sha-probe`: a SHA asked about (SCRIPT EXISTS): unknown ones are asked as a SHA no script has;
 * - `function`: a library or function name (FCALL, FUNCTION DELETE), given the namespace;
 * - `library`: FUNCTION LOAD's code, renamed into the namespace behind the library prelude;
 * - `library-pattern`: FUNCTION LIST's LIBRARYNAME pattern, confined to the namespace's names.
 */
export type ScriptArgument = 'text' | 'sha' | 'sha-probe' | 'function' | 'library' | 'library-pattern';

/** The sink the guard's own script rules get: an {@link ArgumentSink} that also places scripts. */
export interface ScriptSink extends ArgumentSink {
  script(index: number, kind: ScriptArgument): void;
  readonly trustsScripts: boolean;
}
