export { defineLayout, Layout } from './define-layout.js';
export { isolatedRedisFromEnv, layoutFromEnv, layoutOptionsFromEnv, namespaceUrlVariable, type Environment, type LayoutExtras } from './from-env.js';
export { moveNamespace, type MoveOptions, type MoveReport } from './move-namespace.js';
export type { DriverOf, EntryOf, LayoutClient, LayoutDefaults, LayoutNamespace, LayoutOptions, ServedNamespace } from './types.js';
