import { createGuard, type RedisArg } from '../src/index.js';
import { report } from './measure.js';
const guard = createGuard({ namespace: 'mcp2', namespaces: ['mcp2', 'celery', 'journal'] });
const a: RedisArg[] = ['payload:1234'];
const m: RedisArg[] = ['a', 'b', 'c', 'd', 'e'];
await report('x', [['GET', () => guard.rewrite('get', a)], ['MGET5', () => guard.rewrite('mget', m)]]);
