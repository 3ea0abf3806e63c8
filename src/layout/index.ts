export { defineLayout, Layout } from './define-layout.js';
export { isolatedRedisFromEnv, layoutFromEnv, layoutOptionsFromEnv, namespaceUrlVariable, type Environment, type LayoutExtras } from './from-env.js';
export {
  MoveError,
  moveNamespace,
  startLiveMove,
  type LiveFigures,
  type LiveLag,
  type LiveMove,
  type LiveMoveOptions,
  type LiveMoveReport,
  type MoveDifference,
  type MoveErrorCode,
  type MoveMode,
  type MoveOptions,
  type MovePhase,
  type MovePosition,
  type MovePreflight,
  type MoveReport,
  type MoveVerification,
} from './move-namespace.js';
export type { DriverOf, EntryOf, LayoutClient, LayoutDefaults, LayoutNamespace, LayoutOptions, ServedNamespace } from './types.js';
