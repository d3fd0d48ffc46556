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

export function trapCrashes(): CrashTrap {
  let crashes: string[] = [];
  const onCrash = (error: unknown) => {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    crashes.push(text.split('\n')[0]?.slice(0, 200) ?? text);
  };
  const exceptionListeners = process.listeners('uncaughtException');
  const rejectionListeners = process.listeners('unhandledRejection');
  process.removeAllListeners('uncaughtException').on('uncaughtException', onCrash);
  process.removeAllListeners('unhandledRejection').on('unhandledRejection', onCrash);
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
      process.removeListener('uncaughtException', onCrash).removeListener('unhandledRejection', onCrash);
      for (const listener of exceptionListeners) process.on('uncaughtException', listener);
      for (const listener of rejectionListeners) process.on('unhandledRejection', listener);
    },
  };
}
