/**
 * Calls `handler` on the first SIGINT or SIGTERM, then stops listening (a second signal ends the
 * process as usual). Returns the function that stops listening.
 *
 * @example
 * ```ts
 * const dispose = onInterrupt(() => stop.abort());
 * try { await work(stop.signal); } finally { dispose(); }
 * ```
 */
export function onInterrupt(handler: (signal: NodeJS.Signals) => void): () => void {
  const listener = (signal: NodeJS.Signals): void => {
    dispose();
    handler(signal);
  };
  const dispose = (): void => {
    process.off('SIGINT', listener);
    process.off('SIGTERM', listener);
  };
  process.once('SIGINT', listener);
  process.once('SIGTERM', listener);
  return dispose;
}
