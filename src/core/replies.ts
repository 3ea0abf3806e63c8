import type { ReplyShape } from './types.js';

/** Strips the namespace prefix from one name; returns anything that is not a prefixed name unchanged. */
export type Strip = (name: unknown) => unknown;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value) && !(value instanceof Map);

/** Applies `strip` to the keys of a RESP3 map, whether the driver decoded it as a Map or a plain object. */
function stripMapKeys(reply: unknown, strip: Strip): unknown {
  if (reply instanceof Map) {
    const out = new Map<unknown, unknown>();
    for (const [name, value] of reply) out.set(strip(name), value);
    return out;
  }
  if (isRecord(reply)) {
    // Same prototype as the driver's object: node-redis 5 decodes RESP3 maps with a null one.
    const out = Object.create(Object.getPrototypeOf(reply) as object | null) as Record<string, unknown>;
    for (const name of Object.keys(reply)) out[String(strip(name))] = reply[name];
    return out;
  }
  return reply;
}

const stripEach = (reply: unknown, strip: Strip): unknown => (Array.isArray(reply) ? reply.map(strip) : reply);

/** Strips every name at an even position of a flat `[name, value, name, value, ...]` array. */
const stripEvenPositions = (reply: unknown[], strip: Strip): unknown[] => reply.map((item, i) => (i % 2 === 0 ? strip(item) : item));

/**
 * Strips the names of a name -> value reply in any of its shapes: RESP2 pairs
 * `[[name, value], ...]`, a RESP3 map (Map or object), or a RESP3 map a driver flattened to
 * `[name, value, name, value]` (ioredis 6 with its legacy reply mapping).
 */
const stripPairs = (reply: unknown, strip: Strip): unknown => {
  if (!Array.isArray(reply)) return stripMapKeys(reply, strip);
  if (reply.length > 0 && !Array.isArray(reply[0])) return stripEvenPositions(reply, strip);
  return reply.map((pair: unknown) => (Array.isArray(pair) && pair.length > 0 ? [strip(pair[0]), ...pair.slice(1)] : pair));
};

/**
 * Returns `reply` with the prefix stripped from every key or channel name its `shape` says it
 * holds; values are never touched. A reply of another shape (an error, `null`) comes back as is.
 */
export function stripReply(shape: ReplyShape, reply: unknown, strip: Strip): unknown {
  switch (shape) {
    case 'key-list':
    case 'channel-list':
      return stripEach(reply, strip);
    case 'scan':
      return Array.isArray(reply) && reply.length === 2 ? [reply[0], stripEach(reply[1], strip)] : reply;
    case 'key-first':
      return Array.isArray(reply) && reply.length > 0 ? [strip(reply[0]), ...reply.slice(1)] : reply;
    case 'streams':
      return stripPairs(reply, strip);
    case 'channel-counts':
      return Array.isArray(reply) ? stripEvenPositions(reply, strip) : stripMapKeys(reply, strip);
  }
}
