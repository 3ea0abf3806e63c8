export { createGuard, NamespaceGuard, type GuardOptions, type IsolationMode, type ReplySlot } from './guard.js';
export { describeCommand, type CommandDescription } from './describe.js';
export type { CommandRule } from './command-rules.js';
export { namespacePrefix, type PrefixRule } from './namespace.js';
export { defineNamespaces, isNamespaceSet, NamespaceSet, type NamespaceSetOptions } from './namespace-set.js';
export { escapeGlob } from './glob.js';
export {
  IsolationError,
  UnknownCommandError,
  BlockedCommandError,
  UnprefixedKeyError,
  CrossNamespaceError,
  DoublePrefixError,
  MalformedCommandError,
  SharedConnectionError,
  UnknownScriptError,
  IsolationConfigError,
  type IsolationErrorCode,
  type IsolationErrorDetails,
} from './errors.js';
export type { RedisArg, ArgumentRole, ArgumentSink, Locator, ReplyShape } from './types.js';
export { connectionScope, connectionScopeReason, CONNECTION_SCOPE_REASONS, type ConnectionScope } from './connection-scope.js';
export { blockTimeMs } from './blocking.js';
export { ScriptConfinement, type ScriptText } from './scripts/script-confinement.js';
