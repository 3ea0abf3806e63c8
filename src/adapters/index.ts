export {
  createIsolatedRedis,
  type Isolated,
  type IsolatedExtras,
  type IsolatedRedisOptions,
  type IsolatedRedisUrlOptions,
  type IsolationInfo,
} from './create-isolated-redis.js';
