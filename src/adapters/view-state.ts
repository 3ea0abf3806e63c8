import { IsolationConfigError, type NamespaceGuard } from '../core/index.js';
import type { Instrumentation } from '../instrument/instrumentation.js';

/**
 * The state of one view, whichever the driver: its guard and instrumentation (shared with
 * whoever created them) and the parts `P` it created for itself, made on first need. The methods
 * every view of a client shares (the per-client base) read it from `this`.
 *
 * @example
 * ```ts
 * class IoredisViewState extends ViewState<{ own?: object }> {}
 * const state = new IoredisViewState(guard, instr);
 * state.own().own ??= openExclusive();
 * ```
 */
export class ViewState<P extends object> {
  parts: P | undefined = undefined;

  constructor(
    readonly guard: NamespaceGuard,
    readonly instr: Instrumentation,
  ) {}

  /** The view's own parts, created empty on first need. */
  own(): P {
    return (this.parts ??= {} as P);
  }
}

/**
 * How the methods of a per-client base find the state of the view they were called on (its own
 * property `key`). Called on anything else (the base itself, an object borrowing the method), the
 * reader refuses: nothing is sent unguarded.
 *
 * @example
 * ```ts
 * const stateOf = stateReader<IoredisViewState>(STATE, 'ioredis');
 * ```
 */
export function stateReader<S>(key: symbol, driver: string): (view: unknown) => S {
  return (view) => {
    const state = (view as Record<symbol, S | undefined> | null | undefined)?.[key];
    if (state === undefined) {
      throw new IsolationConfigError(`an isolated ${driver} view method was called on something that is not an isolated view`);
    }
    return state;
  };
}
