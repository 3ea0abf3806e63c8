import type { MoveMode, MoveOptions } from '../../layout/index.js';
import { CliError } from '../errors.js';
import { CONNECT_FLAGS, connectFlags, oneOf } from '../parse-flags.js';

/**
 * The options `move` accepts (its usage in usage.ts lists the same).
 *
 * @example
 * ```ts
 * Object.keys(MOVE_OPTIONS); // ['namespace', 'from', 'to', 'sync', ...]
 * ```
 */
export const MOVE_OPTIONS = {
  namespace: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  sync: { type: 'boolean' },
  verify: { type: 'boolean' },
  live: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  replace: { type: 'boolean' },
  force: { type: 'boolean' },
  count: { type: 'string' },
  'batch-bytes': { type: 'string' },
  'big-key-bytes': { type: 'string' },
  'ttl-tolerance': { type: 'string' },
  separator: { type: 'string' },
  'hash-tag': { type: 'boolean' },
  format: { type: 'string' },
  ...CONNECT_FLAGS,
} as const;

type Flags = { readonly [K in keyof typeof MOVE_OPTIONS]?: (typeof MOVE_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

/** What `move`'s flags ask for. */
export interface MoveRequest {
  readonly live: boolean;
  readonly format: 'text' | 'json';
  readonly options: MoveOptions;
  readonly connect: { readonly connectTimeoutMs: number; readonly connectAttempts: number };
}

const UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };

/** `8mb`, `512k`, `1048576` as bytes (units are powers of 1024). */
export function parseBytes(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+)\s*([a-z]*)$/i.exec(value.trim());
  const unit = UNITS[match?.[2]?.toLowerCase() ?? 'x'];
  if (!match || unit === undefined || Number(match[1]) < 1) throw new CliError('ERR_CLI_USAGE', `${flag} takes a size such as 8mb, 512kb or 1048576; got "${value}"`);
  return Number(match[1]) * unit;
}

function whole(flag: string, value: string | undefined, minimum: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < minimum) throw new CliError('ERR_CLI_USAGE', `${flag} takes a whole number of at least ${minimum}; got "${value}"`);
  return Number(value);
}

/**
 * Reads `move`'s flags: the mode (copy by default; `--sync`, `--verify`, `--live` exclusive),
 * what goes with it, and the sizes.
 *
 * @throws {@link CliError} `ERR_CLI_USAGE` for a missing or contradictory flag.
 */
export function readMoveFlags(values: Flags): MoveRequest {
  for (const flag of ['namespace', 'from', 'to'] as const) {
    if (!values[flag]) throw new CliError('ERR_CLI_USAGE', `--${flag} is required`);
  }
  const modes = (['sync', 'verify', 'live'] as const).filter((flag) => values[flag]);
  if (modes.length > 1) throw new CliError('ERR_CLI_USAGE', `--${modes.join(' and --')} exclude each other`);
  const live = values.live ?? false;
  const mode: MoveMode = values.sync || live ? 'sync' : values.verify ? 'verify' : 'copy';
  if (values.replace && mode !== 'copy') throw new CliError('ERR_CLI_USAGE', '--replace goes with a plain copy only (--sync rewrites what differs)');
  if (values['dry-run'] && (live || mode === 'verify')) throw new CliError('ERR_CLI_USAGE', `--dry-run does not go with --${live ? 'live' : 'verify'}`);
  const sizes = {
    count: whole('--count', values.count, 1),
    batchBytes: parseBytes('--batch-bytes', values['batch-bytes']),
    bigKeyBytes: parseBytes('--big-key-bytes', values['big-key-bytes']),
    ttlToleranceMs: whole('--ttl-tolerance', values['ttl-tolerance'], 0),
  };
  const options: MoveOptions = {
    namespace: values.namespace as string,
    from: values.from as string,
    to: values.to as string,
    mode,
    dryRun: values['dry-run'] ?? false,
    replace: values.replace ?? false,
    force: values.force ?? false,
    hashTag: values['hash-tag'] ?? false,
    ...(values.separator === undefined ? {} : { separator: values.separator }),
    ...Object.fromEntries(Object.entries(sizes).filter(([, value]) => value !== undefined)),
  };
  return { live, format: oneOf('--format', values.format, ['text', 'json'], 'text'), options, connect: connectFlags(values) };
}
