import type { EngineHooks } from './engine-hooks.js';

/** Wraps every hook so an exception in telemetry is dropped instead of failing a run. */
export function safeHooks(hooks: EngineHooks[]): EngineHooks {
  const call =
    <K extends keyof EngineHooks>(name: K) =>
    (...args: Parameters<NonNullable<EngineHooks[K]>>): void => {
      for (const hook of hooks) {
        try {
          (hook[name] as ((...a: typeof args) => void) | undefined)?.(...args);
        } catch {
          // telemetry never throws into the engine
        }
      }
    };
  return {
    runStarted: call('runStarted'),
    runFinished: call('runFinished'),
    toolFinished: call('toolFinished'),
    resultEmitted: call('resultEmitted'),
    eventEmitted: call('eventEmitted'),
  };
}
