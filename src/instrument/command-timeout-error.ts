import type { TimeoutKind } from './events.js';

/**
 * A command got no reply within `commandTimeoutMs` (a blocking command: its own block time plus
 * `commandTimeoutMs`). The command may still have run on the server; its late reply is read
 * and discarded, so the connection stays in step and the next command gets its own reply.
 *
 * @example
 * ```ts
 * try {
 *   await redis.get('payload:1');
 * } catch (err) {
 *   if (err instanceof CommandTimeoutError) console.warn(err.command, err.timeoutMs);
 * }
 * ```
 */
export class CommandTimeoutError extends Error {
  readonly code = 'ERR_COMMAND_TIMEOUT' as const;
  readonly namespace: string;
  /** The command as Redis names it, lower case. */
  readonly command: string;
  readonly kind: Extract<TimeoutKind, 'command' | 'blocking'>;
  /** The timeout that applied (block time included for a blocking command), ms. */
  readonly timeoutMs: number;

  constructor(details: { namespace: string; command: string; kind: 'command' | 'blocking'; timeoutMs: number }) {
    super(`${details.command.toUpperCase()} timed out after ${details.timeoutMs} ms in namespace "${details.namespace}"`);
    this.name = 'CommandTimeoutError';
    this.namespace = details.namespace;
    this.command = details.command;
    this.kind = details.kind;
    this.timeoutMs = details.timeoutMs;
  }
}
