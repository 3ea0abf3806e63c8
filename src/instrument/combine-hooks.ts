import { callSafely } from './call-safely.js';
import type { InstrumentationHooks } from './options.js';

type HookName = keyof InstrumentationHooks;
const NAMES: readonly HookName[] = ['onCommand', 'onRejected', 'onTimeout', 'onPressure', 'onPressureSample'];

/**
 * One set of hooks that calls each of `hooks` in turn (each in its own try/catch), to pass
 * Prometheus hooks and your own together.
 *
 * @example
 * ```ts
 * createIsolatedRedis({ namespace: 'mcp2', client, hooks: combineHooks(createPrometheusHooks({ registry }), { onTimeout: alert }) });
 * ```
 */
export function combineHooks(...hooks: readonly InstrumentationHooks[]): InstrumentationHooks {
  const combined: Record<string, (event: never) => void> = {};
  for (const name of NAMES) {
    const handlers = hooks.map((set) => set[name]).filter((hook): hook is NonNullable<typeof hook> => typeof hook === 'function') as Array<(event: never) => void>;
    if (handlers.length === 0) continue;
    combined[name] = (event: never) => {
      for (const handler of handlers) {
        // one hook's failure (a throw, or an async hook's rejection) never keeps the others from running
        callSafely(handler, event);
      }
    };
  }
  return combined as InstrumentationHooks;
}
