import { INJECTIONS, type Injection } from './inject.js';

/** The command line of `npm run chaos`. */
export interface ChaosOptions {
  /** How long the workload and the faults run, in seconds. */
  readonly durationS: number;
  readonly seed: number;
  /** Prints each fault as it is injected. */
  readonly verbose: boolean;
  /** Prints the first error of each kind, per operation and site. */
  readonly traceErrors: boolean;
  /** Deliberate violations, to see the run catch them and exit 1. */
  readonly inject: ReadonlySet<Injection>;
}

export const USAGE = `usage: npm run chaos -- [--duration <seconds>] [--short] [--seed <n>] [--quiet] [--trace-errors] [--inject <what>]

  --duration <s>  how long the workload and the faults run (default 60)
  --short         a 15 s run, for CI
  --seed <n>      the random seed (default: from the clock; printed, so a run can be replayed)
  --quiet         do not print each fault as it is injected
  --trace-errors  print the first error of each kind, per operation and site
  --inject <what> add a deliberate violation, to see the run catch it: misdelivered-reply
                  (one view gets another view's reply) or stray-key (a key written past the library)

Exit code: 0 when no violation was found, 1 on any violation, 2 on a usage or setup error.`;

export class UsageError extends Error {}

export function parseOptions(argv: readonly string[]): ChaosOptions {
  let durationS = 60;
  let seed = Date.now() % 2_147_483_647;
  let verbose = true;
  let traceErrors = false;
  const inject = new Set<Injection>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    switch (arg) {
      case '--duration': {
        durationS = Number(value());
        if (!Number.isFinite(durationS) || durationS < 5) throw new UsageError('--duration must be a number of seconds, at least 5');
        break;
      }
      case '--short':
        durationS = 15;
        break;
      case '--seed': {
        seed = Number(value());
        if (!Number.isInteger(seed)) throw new UsageError('--seed must be an integer');
        break;
      }
      case '--inject': {
        const what = value();
        if (!INJECTIONS.includes(what as Injection)) throw new UsageError(`--inject takes ${INJECTIONS.join(' or ')}`);
        inject.add(what as Injection);
        break;
      }
      case '--trace-errors':
        traceErrors = true;
        break;
      case '--quiet':
        verbose = false;
        break;
      case '--help':
      case '-h':
        throw new UsageError('');
      default:
        throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
    }
  }
  return { durationS, seed, verbose, traceErrors, inject };
}
