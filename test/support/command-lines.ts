/**
 * Builds valid command lines from the server's own `COMMAND DOCS` argument trees, so the
 * differential test can ask `COMMAND GETKEYS` about every command the server has.
 */

/** One argument of `COMMAND DOCS`, decoded from its flat [name, value, ...] form. */
export interface DocArgument {
  readonly name: string;
  readonly type: string;
  readonly token?: string;
  readonly flags: readonly string[];
  readonly arguments: readonly DocArgument[];
}

/** A flat RESP2 map ([k1, v1, k2, v2, ...]) as an object. */
export function flatMap(reply: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(reply)) return out;
  for (let i = 0; i + 1 < reply.length; i += 2) out[String(reply[i])] = reply[i + 1];
  return out;
}

export function decodeArgument(raw: unknown): DocArgument {
  const map = flatMap(raw);
  return {
    name: String(map.name),
    type: String(map.type),
    ...(map.token === undefined ? {} : { token: String(map.token) }),
    flags: Array.isArray(map.flags) ? map.flags.map(String) : [],
    arguments: Array.isArray(map.arguments) ? map.arguments.map(decodeArgument) : [],
  };
}

/**
 * A command line for `args`: `optional` decides whether optional arguments are included. Keys
 * are named k1, k2, ... in order; integers are `1` (which is also right for a `numkeys` followed
 * by one key), other values `v`.
 */
export function buildArguments(args: readonly DocArgument[], optional: boolean): string[] {
  let keys = 0;
  const out: string[] = [];
  const emit = (arg: DocArgument): void => {
    if (arg.token !== undefined) out.push(arg.token);
    switch (arg.type) {
      case 'key':
        out.push(`k${++keys}`);
        break;
      case 'integer':
      case 'double':
      case 'unix-time':
        out.push('1');
        break;
      case 'pattern':
        out.push('p*');
        break;
      case 'pure-token':
        break;
      case 'oneof': {
        const choice = arg.arguments.find((sub) => !sub.flags.includes('optional')) ?? arg.arguments[0];
        if (choice) emit(choice);
        break;
      }
      case 'block':
        arg.arguments.forEach((sub) => visit(sub));
        break;
      default:
        out.push('v');
    }
  };
  const visit = (arg: DocArgument): void => {
    if (arg.flags.includes('optional') && !optional) return;
    emit(arg);
  };
  args.forEach(visit);
  return out;
}
