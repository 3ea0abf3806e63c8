/**
 * Where a CLI command writes and what it runs in: the process's streams by default, buffers in
 * tests.
 *
 * @example
 * ```ts
 * const io: CliIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), cwd: '/repo', env: {} };
 * ```
 */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** stderr is a terminal: progress is drawn as a live bar. @defaultValue `false` (plain lines) */
  readonly stderrIsTTY?: boolean;
  /** The terminal's width now (it may be resized while a command runs). */
  readonly stderrColumns?: () => number | undefined;
}

/**
 * The running process's streams, directory and environment.
 *
 * @example
 * ```ts
 * await main(['lint'], processIo());
 * ```
 */
export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env,
    stderrIsTTY: process.stderr.isTTY === true,
    stderrColumns: () => process.stderr.columns,
  };
}

/**
 * Exit codes: 0 nothing found, 1 findings (lint errors; keys in no namespace with
 * `keyspace --fail-on-stray`), 2 usage, configuration, connection or parse error.
 *
 * @example
 * ```ts
 * return findings.length > 0 ? EXIT.findings : EXIT.clean;
 * ```
 */
export const EXIT = { clean: 0, findings: 1, usage: 2 } as const;
