/**
 * FUNCTION LIST's reply as a namespace sees it: its own libraries only, their library and
 * function names without the namespace, and their code as it was loaded (without the prelude).
 * RESP2 replies are flat `[field, value, ...]` arrays; RESP3 replies maps (a `Map` or an object).
 */
export interface FunctionNameMapping {
  /** The name without the namespace, or `undefined` when it is not the namespace's. */
  unprefix(name: string): string | undefined;
  /** The code as the caller loaded it. */
  unwrapLibrary(code: string): string;
}

type Fields = { get(field: string): unknown; set(field: string, value: unknown): unknown };

const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('utf8') : undefined;

/** The same kind of value as `like` (a Buffer when the reply came as Buffers). */
const like = (value: string, original: unknown): unknown => (Buffer.isBuffer(original) ? Buffer.from(value, 'utf8') : value);

/** Field access over the three forms an entry takes, changing the entry in place (the reply is the caller's own copy). */
function fieldsOf(entry: unknown): Fields | undefined {
  if (Array.isArray(entry)) {
    const at = (field: string): number => entry.findIndex((item, i) => i % 2 === 0 && text(item) === field);
    return {
      get: (field) => (at(field) === -1 ? undefined : entry[at(field) + 1]),
      set: (field, value) => at(field) !== -1 && (entry[at(field) + 1] = value),
    };
  }
  if (entry instanceof Map) {
    const keyOf = (field: string): unknown => [...entry.keys()].find((key) => text(key) === field);
    return { get: (field) => entry.get(keyOf(field)), set: (field, value) => keyOf(field) !== undefined && entry.set(keyOf(field), value) };
  }
  if (entry !== null && typeof entry === 'object') {
    const record = entry as Record<string, unknown>;
    return { get: (field) => record[field], set: (field, value) => field in record && (record[field] = value) };
  }
  return undefined;
}

/** One library entry as the namespace sees it, or `undefined` when it is another namespace's. */
function ownLibrary(entry: unknown, names: FunctionNameMapping): unknown {
  const fields = fieldsOf(entry);
  const library = fields?.get('library_name');
  const name = text(library);
  const own = name === undefined ? undefined : names.unprefix(name);
  if (fields === undefined || own === undefined) return undefined;
  fields.set('library_name', like(own, library));
  const functions = fields.get('functions');
  if (Array.isArray(functions)) {
    for (const fn of functions) {
      const fnFields = fieldsOf(fn);
      const fnName = fnFields?.get('name');
      const plain = text(fnName);
      const unprefixed = plain === undefined ? undefined : names.unprefix(plain);
      if (fnFields && unprefixed !== undefined) fnFields.set('name', like(unprefixed, fnName));
    }
  }
  const code = fields.get('library_code');
  const source = text(code);
  if (source !== undefined) fields.set('library_code', like(names.unwrapLibrary(source), code));
  return entry;
}

/** FUNCTION LIST's reply with only the namespace's libraries, under the names the namespace knows. */
export function ownFunctionList(reply: unknown, names: FunctionNameMapping): unknown {
  if (!Array.isArray(reply)) return reply;
  const out: unknown[] = [];
  for (const entry of reply) {
    const own = ownLibrary(entry, names);
    if (own !== undefined) out.push(own);
  }
  return out;
}
