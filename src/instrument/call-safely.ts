/**
 * Calls a user's hook or listener so that its failure stays its own: a throw is caught, and so
 * is the rejection of an async one (which would otherwise be an unhandled rejection).
 */
export function callSafely<A>(fn: (arg: A) => unknown, arg: A): void {
  try {
    const result = fn(arg);
    if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') (result as Promise<unknown>).then(undefined, () => undefined);
  } catch {
    // a hook's own failure is its own
  }
}
