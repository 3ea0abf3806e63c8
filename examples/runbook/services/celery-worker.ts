/**
 * The Celery-style broker: a producer and a worker on the celery instance, in strict mode
 * (ISOLATED_REDIS_MODE=strict): keys are written `celery:...` and the guard checks them.
 *
 *   REDIS_URL=redis://celery-redis:6379/0 REDIS_NAMESPACE=celery ISOLATED_REDIS_MODE=strict tsx celery-worker.ts
 */
import type { Redis } from 'ioredis';
import { enqueue, nextTask } from './celery-queue.js';
import { runService } from './run-service.js';

let sent = 0;
await runService('celery-worker', async (client) => {
  const redis = client as Redis;
  for (let i = 0; i < 3; i++) await enqueue(redis, { id: `task-${sent++}`, name: 'resize', args: [i] });
  const done: string[] = [];
  for (let task = await nextTask(redis, 1); task; task = await nextTask(redis, 0.05)) done.push(task.id);
  return `ran ${JSON.stringify(done)}`;
});
