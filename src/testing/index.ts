/**
 * isolated-redis/testing: unit tests of services that use `createIsolatedRedis`, without a Redis
 * server. The clients run on ioredis-mock (an optional peer dependency of this entry only) with
 * the same namespace guard, errors and un-prefixing as in production.
 *
 * @packageDocumentation
 */
export { createMockRedis, type MockRedisOptions } from './create-mock-redis.js';
export {
  createMockKeyspace,
  rawClientOf,
  rawKeys,
  type MockClientOptions,
  type MockKeyspace,
  type MockKeyspaceOptions,
} from './mock-keyspace.js';
export { recordCommands, type CommandRecording, type RecordedCommand } from './record-commands.js';
export { assertNoRefusals, UnexpectedRefusalError } from './assert-no-refusals.js';
export { MockUnsupportedCommandError, MOCK_UNSUPPORTED_COMMANDS, MOCK_UNSUPPORTED_OPTIONS, type MockCommandEvent } from '../adapters/mock/index.js';
