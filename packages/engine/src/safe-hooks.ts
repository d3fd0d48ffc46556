import type { EngineHooks } from './engine-hooks.js';

type HookName = keyof EngineHooks;
const HOOK_NAMES: readonly HookName[] = ['runStarted', 'runFinished', 'runEndedBeforeStart', 'toolFinished', 'resultEmitted', 'eventEmitted'];

/**
 * Wraps every hook so an exception in telemetry is dropped instead of failing a run. A
 * hook no one implements stays undefined, so the engine skips the call (`eventEmitted`
 * runs once per event).
 */
export function safeHooks(hooks: EngineHooks[]): EngineHooks {
  const safe: Record<string, (...args: never[]) => void> = {};
  for (const name of HOOK_NAMES) {
    const implementations = hooks.flatMap((hook) => {
      const implementation = hook[name] as ((...args: unknown[]) => void) | undefined;
      return implementation ? [implementation.bind(hook)] : [];
    });
    if (implementations.length === 0) continue;
    safe[name] = (...args: unknown[]): void => {
      for (const implementation of implementations) {
        try {
          implementation(...args);
        } catch {
          // telemetry never throws into the engine
        }
      }
    };
  }
  return safe as EngineHooks;
}
