import type { IoredisCommand, IoredisLike } from './internals.js';
import { isOwnUnsubscribeAll, markPrepared } from './prepare-command.js';

/** ioredis's record of a connection's subscriptions (`condition.subscriber`), as channels per kind. */
interface SubscriptionSet {
  channels(kind: string): string[];
}
interface Subscribable {
  condition?: { subscriber?: SubscriptionSet | false };
  subscriber?: { getInstance?(): Subscribable | undefined };
}

/** The subscriptions of a Redis connection, or of a Cluster's subscriber connection. */
function subscriptionsOf(client: IoredisLike): SubscriptionSet | false | undefined {
  const redis = client as unknown as Subscribable;
  if (redis.condition !== undefined) return redis.condition.subscriber;
  return redis.subscriber?.getInstance?.()?.condition?.subscriber;
}

/**
 * `unsubscribe()` (or P/S) without channels on a connection of the view's own: sent with the
 * channels the connection has of that kind, named. ioredis settles a bare UNSUBSCRIBE only once
 * the connection has no subscription left of any kind, so `unsubscribe()` after `subscribe()`
 * and `psubscribe()` would never settle; named, it settles with the count of what remains.
 * With nothing of that kind to end, it settles at once with that count, sending nothing.
 *
 * Returns true when the command was answered here; otherwise it is ready to send.
 */
export function expandUnsubscribeAll(client: IoredisLike, command: IoredisCommand): boolean {
  if (!isOwnUnsubscribeAll(command)) return false;
  const subscriptions = subscriptionsOf(client);
  if (subscriptions === undefined) return false; // not ioredis's usual bookkeeping: sent bare
  const kind = String(command.name).toLowerCase();
  const channels = subscriptions === false ? [] : subscriptions.channels(kind);
  if (channels.length === 0) {
    const remaining = subscriptions === false ? 0 : ['subscribe', 'psubscribe', 'ssubscribe'].reduce((sum, k) => sum + subscriptions.channels(k).length, 0);
    command.resolve(remaining);
    return true;
  }
  command.args = channels; // the connection's own channel names, as it subscribed them
  markPrepared(command);
  return false;
}
