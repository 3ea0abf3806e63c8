export {
  createIsolatedRedis,
  type Isolated,
  type IsolatedRedisOptions,
  type IsolatedRedisUrlOptions,
  type IsolationInfo,
} from './create-isolated-redis.js';
