export { CommandTimeoutError } from './command-timeout-error.js';
export { combineHooks } from './combine-hooks.js';
export { createInstrumentation } from './create-instrumentation.js';
export { blockTimeMs } from '../core/blocking.js';
export {
  IsolationEvents,
  type CommandEvent,
  type IsolationEmitterMap,
  type IsolationEventMap,
  type PressureEvent,
  type PressureFigures,
  type PressureLevel,
  type PressureSampleEvent,
  type PressureSignal,
  type RejectedEvent,
  type TimeoutEvent,
  type TimeoutKind,
} from './events.js';
export type { Instrumentation } from './instrumentation.js';
export type { InstrumentationLogger } from './logger.js';
export type { InstrumentationHooks, InstrumentationOptions, PressureClient, PressureOptions } from './options.js';
export { COMMAND_CHANNEL, type CommandTraceContext } from './tracing.js';
