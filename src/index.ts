/**
 * isolated-redis: share one Redis between services, each confined to its own namespace.
 *
 * This entry exports the driver-independent core (the namespace guard, the command key engine,
 * the typed errors), `createIsolatedRedis` for ioredis and node-redis, and layouts: the
 * namespaces of a deployment, their instances, configuration from the environment, and moving a
 * namespace to an instance of its own.
 *
 * @packageDocumentation
 */
export * from './core/index.js';
export * from './adapters/index.js';
export * from './layout/index.js';
export {
  CommandTimeoutError,
  combineHooks,
  IsolationEvents,
  COMMAND_CHANNEL,
  type CommandEvent,
  type CommandTraceContext,
  type InstrumentationHooks,
  type InstrumentationLogger,
  type InstrumentationOptions,
  type IsolationEmitterMap,
  type IsolationEventMap,
  type PressureClient,
  type PressureEvent,
  type PressureFigures,
  type PressureLevel,
  type PressureOptions,
  type PressureSampleEvent,
  type PressureSignal,
  type RejectedEvent,
  type TimeoutEvent,
  type TimeoutKind,
} from './instrument/index.js';
