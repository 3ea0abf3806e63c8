/**
 * Deliberate violations, to see the checks catch them (`--inject`, and the checker's unit test):
 * a view whose reply is another view's, and a key written past the library.
 */
import { workerTag } from './checks.js';
import type { Argv, ViewDriver } from './drivers.js';

export type Injection = 'misdelivered-reply' | 'stray-key';
export const INJECTIONS: readonly Injection[] = ['misdelivered-reply', 'stray-key'];

/**
 * `inner`, except that `times` ECHO commands get the reply `other` gives to the same command of
 * worker `otherId`: what a view would see if replies on a shared connection were crossed.
 */
export function crossReplies(inner: ViewDriver, ownId: number, other: ViewDriver, otherId: number, times = 1): ViewDriver {
  let left = times;
  const retag = (argv: Argv): Argv => argv.map((arg) => (typeof arg === 'string' ? arg.split(workerTag(ownId)).join(workerTag(otherId)) : arg)) as unknown as Argv;
  return {
    ...inner,
    send(argv) {
      if (left > 0 && String(argv[0]).toLowerCase() === 'echo') {
        left--;
        return other.send(retag(argv));
      }
      return inner.send(argv);
    },
  };
}
