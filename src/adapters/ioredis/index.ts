export { createIoredisView } from './view.js';
export { isIoredisClient, type IoredisLike } from './internals.js';
