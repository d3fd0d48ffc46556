/**
 * Catches what would kill a real `unfold serve`: an uncaught exception or an unhandled
 * rejection. The server runs inside the test process, so instead of the worker dying (and
 * hiding which input did it and everything after), each crash is recorded against the
 * input in flight. The test runner's own handlers are set aside meanwhile and restored.
 */
export interface CrashTrap {
  /** Crashes since the last call. */
  take(): string[];
  /** Whether a crash is waiting to be taken. */
  readonly crashed: boolean;
  release(): void;
}

const EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

export function trapCrashes(): CrashTrap {
  let crashes: string[] = [];
  const onCrash = (error: unknown) => {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    crashes.push(text.split('\n')[0]?.slice(0, 200) ?? text);
  };
  const saved = EVENTS.map((event) => [event, process.listeners(event as NodeJS.Signals) as Array<(...args: unknown[]) => void>] as const);
  for (const event of EVENTS) {
    process.removeAllListeners(event);
    process.on(event, onCrash);
  }
  return {
    take() {
      const taken = crashes;
      crashes = [];
      return taken;
    },
    get crashed() {
      return crashes.length > 0;
    },
    release() {
      for (const [event, listeners] of saved) {
        process.removeListener(event, onCrash);
        for (const listener of listeners) process.on(event, listener);
      }
    },
  };
}
