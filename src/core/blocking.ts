import { XREADGROUP_OPTIONS, XREAD_OPTIONS, upperKeyword } from './keywords.js';
import type { RedisArg } from './types.js';

/** Where a blocking command says how long it blocks, and in which unit. */
type BlockTime = (args: readonly RedisArg[]) => number | undefined;

const seconds = (value: RedisArg | undefined): number | undefined => {
  const n = Number(value === undefined ? NaN : String(value));
  return Number.isFinite(n) && n >= 0 ? n * 1000 : undefined;
};
const lastArgSeconds: BlockTime = (args) => seconds(args[args.length - 1]);
const firstArgSeconds: BlockTime = (args) => seconds(args[0]);
/**
 * XREAD / XREADGROUP: `BLOCK ms` among the options before STREAMS; without it, not blocking.
 * Option values are stepped over as Redis reads them, so a group or consumer named `BLOCK` or
 * `STREAMS` neither hides a real BLOCK nor passes for one.
 */
const blockOption =
  (optionArity: Readonly<Record<string, number>>): BlockTime =>
  (args) => {
    for (let i = 0; i < args.length - 1; i++) {
      const token = upperKeyword(args[i]);
      if (token === 'STREAMS') return undefined;
      if (token === 'BLOCK') {
        const ms = Number(String(args[i + 1]));
        return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
      }
      i += optionArity[token] ?? 0;
    }
    return undefined;
  };
/** WAIT numreplicas timeout-ms; WAITAOF numlocal numreplicas timeout-ms. */
const lastArgMs: BlockTime = (args) => {
  const ms = Number(String(args[args.length - 1]));
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
};

/** Every command that may block, by lower-case name: the one place that knows their block times. */
const BLOCKING: ReadonlyMap<string, BlockTime> = new Map([
  ['blpop', lastArgSeconds],
  ['brpop', lastArgSeconds],
  ['brpoplpush', lastArgSeconds],
  ['blmove', lastArgSeconds],
  ['bzpopmin', lastArgSeconds],
  ['bzpopmax', lastArgSeconds],
  ['blmpop', firstArgSeconds],
  ['bzmpop', firstArgSeconds],
  ['xread', blockOption(XREAD_OPTIONS)],
  ['xreadgroup', blockOption(XREADGROUP_OPTIONS)],
  ['wait', lastArgMs],
  ['waitaof', lastArgMs],
]);

/**
 * How long a command may legitimately block, in ms: `undefined` for a command that does not
 * block (or an XREAD without BLOCK), `0` for one that blocks forever (which no timeout applies
 * to). `command` is lower case; `args` follow the name.
 *
 * @example
 * ```ts
 * blockTimeMs('blpop', ['q', '5']);                          // 5000
 * blockTimeMs('xread', ['BLOCK', '250', 'STREAMS', 's', '$']); // 250
 * blockTimeMs('get', ['k']);                                 // undefined
 * ```
 */
export function blockTimeMs(command: string, args: readonly RedisArg[]): number | undefined {
  return BLOCKING.get(command)?.(args);
}
