import type { NamespaceGuard } from '../core/index.js';
import type { IsolationEvents } from '../instrument/events.js';
import type { Instrumentation } from '../instrument/instrumentation.js';

/**
 * What an isolated client tells about itself, on its `isolation` property.
 *
 * @example
 * ```ts
 * redis.isolation.prefix; // 'mcp2:'
 * redis.isolation.events.on('rejected', (e) => console.error(e.code, e.command));
 * ```
 */
export interface IsolationInfo {
  readonly namespace: string;
  readonly prefix: string;
  readonly mode: NamespaceGuard['mode'];
  /** The guard every command of this client goes through. */
  readonly guard: NamespaceGuard;
  /** The instrumentation events of this client and its duplicates: `command`, `rejected`, `timeout`, `pressure`. */
  readonly events: IsolationEvents;
}

/** The `isolation` property of a view. */
export function isolationInfo(guard: NamespaceGuard, instr: Instrumentation): IsolationInfo {
  return {
    namespace: guard.namespace,
    prefix: guard.prefix,
    mode: guard.mode,
    guard,
    // The events are created when someone asks for them: most views never listen.
    get events() {
      return instr.events;
    },
  };
}
