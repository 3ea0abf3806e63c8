import { IsolationConfigError, type NamespaceGuard } from '../../core/index.js';
import type { Instrumentation } from '../../instrument/instrumentation.js';
import type { IoredisLike } from './internals.js';
import { baseOf, isViewPrototype } from './view-base.js';
import { ViewState } from './view-state.js';

/**
 * Options of {@link createIoredisView}.
 *
 * @example
 * ```ts
 * createIoredisView(client.duplicate(), guard, instr, { owned: true });
 * ```
 */
export interface IoredisViewOptions {
  /**
   * The view owns the client's connection (a `duplicate()`, a client the library created): every
   * command runs on it as on the raw driver, and closing the view closes the client. Otherwise
   * the connection is shared with other namespaces' views: commands that need a connection of
   * their own run on the view's own connections, or are refused (see `connectionScope`).
   * @defaultValue `false`
   */
  readonly owned?: boolean;
}

/**
 * An isolated view of an ioredis client: an object whose prototype chain leads to the client, so
 * it has the client's whole API and types, with the few methods that reach the socket replaced.
 * The client itself is never modified: it stays raw, and any number of views (of any namespaces)
 * can share its connection.
 *
 * Every command of the view (typed methods, `call`, scripts, `scanStream`, auto-pipelining)
 * reaches `sendCommand` with the view as `this`; the view guards it there and hands it to the
 * client's own `sendCommand`, called on the client so that connection state stays the client's.
 * What a command needs of its connection decides where it goes (`connectionScope`): on a view
 * over a shared client, blocking commands and WATCH run on the view's own exclusive connection,
 * subscriptions on the client's one shared subscriber connection (counted per view), session
 * commands are refused, QUIT closes only what the view opened.
 *
 * A view is cheap: the methods are made once per client (on a prototype every view of the client
 * shares, see `baseOf`), and a view is that prototype plus its guard and instrumentation; what
 * else it needs (its exclusive connection, its listeners, its subscriptions, its own copy of
 * ioredis's per-instance state) is made the first time it needs it. A view dropped without ever
 * needing them leaves nothing behind on the client.
 */
export function createIoredisView<C extends IoredisLike>(client: C, guard: NamespaceGuard, instr: Instrumentation, options: IoredisViewOptions = {}): C {
  if (client.options.keyPrefix) {
    throw new IsolationConfigError(
      `the client has ioredis's own keyPrefix ${JSON.stringify(client.options.keyPrefix)}; remove it: isolated-redis prefixes keys itself, ` +
        'patterns, channels and replies included',
    );
  }
  const existing = (client as { isolation?: { namespace: string } }).isolation;
  if (existing || isViewPrototype(client)) {
    throw new IsolationConfigError(
      `the client is already isolated${existing ? ` in namespace "${existing.namespace}"` : ''}; wrap the raw client instead (views share its connection)`,
    );
  }
  return baseOf(client, options.owned === true, makeOwningView).create(new ViewState(guard, instr)) as C;
}

/**
 * An owning view (same guard, same instrumentation) over a connection a view opened: its
 * exclusive connection, or a `duplicate()`. A refused one (its own keyPrefix...) is nobody's to
 * close: it is dropped.
 */
function makeOwningView(connection: IoredisLike, state: ViewState): IoredisLike {
  try {
    return createIoredisView(connection, state.guard, state.instr, { owned: true });
  } catch (error) {
    connection.disconnect();
    throw error;
  }
}
