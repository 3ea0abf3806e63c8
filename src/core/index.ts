export { createGuard, NamespaceGuard, type GuardOptions, type IsolationMode, type ReplySlot } from './guard.js';
export { describeCommand, type CommandDescription } from './describe.js';
export type { CommandRule } from './command-rules.js';
export { namespacePrefix, type PrefixRule } from './namespace.js';
export { escapeGlob } from './glob.js';
export {
  IsolationError,
  UnknownCommandError,
  BlockedCommandError,
  UnprefixedKeyError,
  CrossNamespaceError,
  DoublePrefixError,
  MalformedCommandError,
  IsolationConfigError,
  type IsolationErrorCode,
  type IsolationErrorDetails,
} from './errors.js';
export type { RedisArg, ArgumentRole, ArgumentSink, Locator, ReplyShape } from './types.js';
