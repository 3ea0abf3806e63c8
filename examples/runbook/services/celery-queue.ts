/**
 * A Celery-style broker queue: producers LPUSH tasks, workers BRPOP them. The celery namespace
 * runs in strict mode, as a broker whose key names are fixed by another library would: keys are
 * written with their `celery:` prefix, and the guard checks rather than rewrites them.
 */
import type { Redis } from 'ioredis';

const QUEUE = 'celery:queue:default';

export interface Task {
  readonly id: string;
  readonly name: string;
  readonly args: readonly unknown[];
}

export async function enqueue(redis: Redis, task: Task): Promise<void> {
  await redis.lpush(QUEUE, JSON.stringify(task));
}

/** Takes the next task, waiting up to `timeoutSeconds`; `undefined` when none came. */
export async function nextTask(redis: Redis, timeoutSeconds: number): Promise<Task | undefined> {
  const popped = await redis.brpop(QUEUE, timeoutSeconds);
  return popped ? (JSON.parse(popped[1]) as Task) : undefined;
}
