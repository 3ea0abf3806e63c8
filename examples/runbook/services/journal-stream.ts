/**
 * The journal: services append events to a stream with node-redis, and a reader consumes them
 * in a consumer group. Stream and group names are the journal's own; the prefix is added for it.
 */
import type { RedisClientType } from 'redis';

const STREAM = 'events';
const GROUP = 'auditors';

export async function appendEvent(redis: RedisClientType, kind: string, detail: string): Promise<string> {
  return redis.xAdd(STREAM, '*', { kind, detail });
}

/** Reads up to `count` new events as `consumer`, acknowledging them. */
export async function readEvents(redis: RedisClientType, consumer: string, count: number): Promise<Array<{ kind: string; detail: string }>> {
  await redis.xGroupCreate(STREAM, GROUP, '0', { MKSTREAM: true }).catch((error: Error) => {
    if (!error.message.includes('BUSYGROUP')) throw error;
  });
  const reply = await redis.xReadGroup(GROUP, consumer, { key: STREAM, id: '>' }, { COUNT: count });
  const messages = replyMessages(reply);
  if (messages.length > 0) await redis.xAck(STREAM, GROUP, messages.map((message) => message.id));
  return messages.map(({ message }) => ({ kind: String(message.kind), detail: String(message.detail) }));
}

type Message = { id: string; message: Record<string, unknown> };

/** XREADGROUP's reply: `[{ name, messages }]` (RESP2), or `{ [stream]: messages }` (node-redis 6, RESP3). */
function replyMessages(reply: unknown): Message[] {
  if (!reply) return [];
  if (Array.isArray(reply)) return reply.flatMap((stream: { messages: Message[] }) => stream.messages);
  return Object.values(reply as Record<string, Message[]>).flat();
}
