export {
  createIsolatedRedis,
  type Isolated,
  type IsolatedExtras,
  type IsolatedRedisOptions,
  type IsolatedRedisUrlOptions,
  type IsolationInfo,
} from './create-isolated-redis.js';
export { ConnectionFailedError } from './connection-failed-error.js';
export type { ConnectOptions, Driver } from './driver-client.js';
export { MockUnsupportedCommandError, MOCK_UNSUPPORTED_COMMANDS, MOCK_UNSUPPORTED_OPTIONS } from './mock/index.js';
export { closeViewConnections } from './own-connections.js';
