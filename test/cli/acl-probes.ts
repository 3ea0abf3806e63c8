/**
 * Command lines to probe a server's ACL with, built from the server's own COMMAND and COMMAND
 * DOCS (never listed by hand): for each command and subcommand, its shortest line, then that
 * line with one change (an optional argument added, another alternative of a choice), with the
 * names in it (keys, patterns, strings) taken from one of a few sets: the namespace's own,
 * another namespace's, no namespace's, a channel the server publishes on itself.
 */
import type { Redis } from 'ioredis';

/** One argument of COMMAND DOCS. */
interface DocArgument {
  readonly name: string;
  readonly type: string;
  readonly token?: string;
  readonly flags: readonly string[];
  readonly arguments: readonly DocArgument[];
}

/** What the server says of one command or subcommand. */
export interface ServerCommand {
  /** `get`, `client|tracking` */
  readonly name: string;
  readonly arity: number;
  readonly arguments: readonly DocArgument[];
}

/** Values for the names a probe line carries. */
export interface NameSet {
  readonly label: string;
  readonly key: string;
  readonly pattern: string;
  readonly text: string;
}

/** The sets the probes use, for a namespace prefix `own` (`mcp2:`) and another one's, `other`. */
export const nameSets = (own: string, other: string): NameSet[] => [
  { label: 'own', key: `${own}k`, pattern: `${own}*`, text: `${own}s` },
  { label: 'other namespace', key: `${other}k`, pattern: `${other}*`, text: `${other}s` },
  { label: 'no namespace', key: 'k', pattern: '*', text: 's' },
  { label: 'server channel', key: '__keyspace@0__:k', pattern: '__key*__:*', text: '__redis__:invalidate' },
];

/** A flat RESP2 map (`[k1, v1, k2, v2]`) as an object. */
function pairs(flat: unknown): Record<string, unknown> {
  const map: Record<string, unknown> = {};
  if (!Array.isArray(flat)) return map;
  for (let i = 0; i + 1 < flat.length; i += 2) map[String(flat[i])] = flat[i + 1];
  return map;
}

function docArgument(flat: unknown): DocArgument {
  const map = pairs(flat);
  return {
    name: String(map.name),
    type: String(map.type),
    ...(map.token === undefined ? {} : { token: String(map.token) }),
    flags: Array.isArray(map.flags) ? map.flags.map(String) : [],
    arguments: Array.isArray(map.arguments) ? map.arguments.map(docArgument) : [],
  };
}

/** Every command and subcommand the server knows (`COMMAND` and `COMMAND DOCS`, read-only). */
export async function serverCommands(admin: Redis): Promise<ServerCommand[]> {
  const infos = (await admin.call('COMMAND')) as unknown[][];
  const docs = pairs(await admin.call('COMMAND', 'DOCS'));
  const found: ServerCommand[] = [];
  const visit = (info: unknown[], doc: Record<string, unknown>): void => {
    const name = String(info[0]).toLowerCase();
    const subcommands = (info[9] ?? []) as unknown[][];
    if (subcommands.length > 0) {
      const subDocs = pairs(doc.subcommands);
      for (const sub of subcommands) visit(sub, pairs(subDocs[String(sub[0])]));
      return;
    }
    found.push({ name, arity: Number(info[1]), arguments: Array.isArray(doc.arguments) ? doc.arguments.map(docArgument) : [] });
  };
  for (const info of infos) visit(info, pairs(docs[String(info[0]).toLowerCase()]));
  return found.sort((a, b) => (a.name < b.name ? -1 : 1));
}

const optional = (arg: DocArgument): boolean => arg.flags.includes('optional');

/** The token sequences one argument can take (its shortest first), omission aside. */
function variants(arg: DocArgument, names: NameSet): string[][] {
  const token = arg.token === undefined ? [] : [arg.token];
  switch (arg.type) {
    case 'pure-token':
      return [token];
    case 'oneof':
      return arg.arguments.flatMap((child) => variants(child, names)).map((v) => [...token, ...v]);
    case 'block':
      return sequences(arg.arguments, names).map((v) => [...token, ...v]);
    case 'key':
      return [[...token, names.key]];
    case 'pattern':
      return [[...token, names.pattern]];
    case 'integer':
    case 'double':
    case 'unix-time':
      return [[...token, '1']];
    default:
      return [[...token, names.text]];
  }
}

/** The shortest line of an argument sequence, then that line with one argument changed. */
function sequences(args: readonly DocArgument[], names: NameSet): string[][] {
  const choices = args.map((arg) => variants(arg, names));
  const base = args.map((arg, i) => (optional(arg) ? [] : (choices[i]?.[0] ?? [])));
  const lines = [base.flat()];
  args.forEach((arg, i) => {
    const alternatives = optional(arg) ? (choices[i] ?? []) : (choices[i] ?? []).slice(1);
    for (const alternative of alternatives) lines.push(base.map((part, j) => (j === i ? alternative : part)).flat());
  });
  return lines;
}

/**
 * The probe lines of one command, name (and subcommand) first, for every name set; padded with
 * names of the set up to the command's arity, so that ACL DRYRUN reaches its permission check.
 */
export function probeLines(command: ServerCommand, sets: readonly NameSet[]): Array<{ line: string[]; names: string }> {
  const head = command.name.split('|');
  const seen = new Set<string>();
  const lines: Array<{ line: string[]; names: string }> = [];
  for (const names of sets) {
    for (const args of sequences(command.arguments, names)) {
      const line = [...head, ...args];
      const needed = Math.abs(command.arity);
      while (line.length < needed) line.push(names.text);
      if (command.arity > 0 && line.length !== command.arity) continue;
      const id = line.join('\u0000');
      if (seen.has(id)) continue;
      seen.add(id);
      lines.push({ line, names: names.label });
    }
  }
  return lines;
}
