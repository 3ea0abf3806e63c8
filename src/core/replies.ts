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

/** Whether a connection name belongs to the namespace (carries its prefix). */
export type Owns = (name: string) => boolean;

const NAME_FIELD = /(^| )name=(\S*)/;

/** One CLIENT LIST / CLIENT INFO line with its `name=` field replaced. */
const renamed = (line: string, name: string): string => line.replace(NAME_FIELD, (_all, lead: string) => `${lead}name=${name}`);

/** The text of a reply that may come as a string or a Buffer, and a way back to the same type. */
function asText(reply: unknown): { text: string; back: (text: string) => unknown } | undefined {
  if (typeof reply === 'string') return { text: reply, back: (text) => text };
  if (Buffer.isBuffer(reply)) return { text: reply.toString('utf8'), back: (text) => Buffer.from(text, 'utf8') };
  return undefined;
}

/**
 * CLIENT LIST: keeps the connections whose name is the namespace's, names stripped; another
 * namespace's connections (and unnamed ones, the shared connection included) are not shown.
 */
function filterClientList(reply: unknown, strip: Strip, owns: Owns): unknown {
  const parsed = asText(reply);
  if (!parsed) return reply;
  let out = '';
  for (const line of parsed.text.split('\n')) {
    const name = NAME_FIELD.exec(line)?.[2];
    if (name === undefined || !owns(name)) continue;
    out += `${renamed(line, String(strip(name)))}\n`;
  }
  return parsed.back(out);
}

/** CLIENT INFO: the connection's own line, its name stripped, or blanked when it is not the namespace's. */
function filterClientInfo(reply: unknown, strip: Strip, owns: Owns): unknown {
  const parsed = asText(reply);
  if (!parsed) return reply;
  const name = NAME_FIELD.exec(parsed.text)?.[2];
  if (name === undefined || name === '') return reply;
  return parsed.back(renamed(parsed.text, owns(name) ? String(strip(name)) : ''));
}

/** CLIENT GETNAME: the name without the prefix, or `null` when it is not the namespace's. */
function filterConnectionName(reply: unknown, strip: Strip, owns: Owns): unknown {
  const parsed = asText(reply);
  if (!parsed) return reply;
  return owns(parsed.text) ? strip(reply) : null;
}

/**
 * Returns `reply` with the prefix stripped from every key or channel name its `shape` says it
 * holds; values are never touched. A reply of another shape (an error, `null`) comes back as is.
 * The connection shapes also drop what is not the namespace's (`owns`).
 */
export function stripReply(shape: ReplyShape, reply: unknown, strip: Strip, owns: Owns): unknown {
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
    case 'client-list':
      return filterClientList(reply, strip, owns);
    case 'client-info':
      return filterClientInfo(reply, strip, owns);
    case 'connection-name':
      return filterConnectionName(reply, strip, owns);
  }
}
