import type { EventEmitter } from 'node:events';
import { ViewState as SharedViewState, stateReader } from '../view-state.js';
import type { IsolationInfo } from '../isolation-info.js';
import type { AutoPipeline } from './auto-pipeline.js';
import type { IoredisOwnConnections } from './connections.js';
import type { IoredisLike } from './internals.js';
import type { ViewEvents } from './pubsub-events.js';
import type { HubMember } from './subscriber-hub.js';

/** Where a view keeps its {@link ViewState}: its one own property. */
export const STATE = Symbol('isolated-redis.ioredis-view');

/**
 * What a view has of its own beyond its guard and instrumentation, each part created the first
 * time the view needs it: most views never need any, and then cost none of it.
 */
export interface ViewParts {
  /** The view's exclusive connection (blocking commands, WATCH), opened on first need. */
  own?: IoredisOwnConnections;
  /** The view's batching of guarded commands, when the client auto-pipelines. */
  autoPipeline?: AutoPipeline;
  /** Views over a Cluster's nodes (`nodes()`), one per node. */
  nodeViews?: Map<IoredisLike, IoredisLike> | undefined;
  isolation?: IsolationInfo;
  /** The view's `on`/`off`/`once` family (its listeners, tracked so that it removes only its own). */
  events?: ViewEvents;
  /** Where the view's message listeners are, on a view over a shared client (the subscriber hub emits there). */
  messages?: EventEmitter;
  /** The view's subscriptions on the client's shared subscriber connections. */
  member?: HubMember;
  /** ioredis's per-instance mutable state (`scriptsSet`...), the view's own copy. */
  instance?: Record<string, unknown>;
}

/** The state of one view (see the shared {@link SharedViewState}), with the parts of an ioredis view. */
export class ViewState extends SharedViewState<ViewParts> {}

/**
 * The state of the view a shared method was called on. Called on anything else (the per-client
 * base itself, an object borrowing the method), it refuses: nothing is sent unguarded.
 */
export const stateOf = stateReader<ViewState>(STATE, 'ioredis');
