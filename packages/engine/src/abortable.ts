import { UnfoldError } from '@unfold/protocol';

/** The reason a signal was aborted, as an Error (AbortSignal reasons can be anything). */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new UnfoldError('cancelled', 'the run was cancelled');
}

/**
 * Settles with the work, or rejects as soon as the signal aborts: a tool that ignores its
 * signal cannot hold a cancelled or timed-out run open.
 */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    // What the work does now no longer matters, but its rejection must not go unhandled.
    work.catch(() => undefined);
    return Promise.reject(abortReason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Waits `ms`, or rejects early when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  const timer = new Promise<void>((resolve) => setTimeout(resolve, ms));
  return signal ? raceAbort(timer, signal) : timer;
}

export interface Deadline {
  /** Aborts when `parent` aborts or `ms` have passed, whichever is first. */
  readonly signal: AbortSignal;
  /** Clears the timer and detaches from the parent; call it once the work is settled. */
  dispose(): void;
}

/**
 * `AbortSignal.any([parent, AbortSignal.timeout(ms)])` without its Node 20 flaw: the
 * composite holds its sources only weakly, so after a garbage collection the timeout can
 * vanish and the deadline never fires. Here the timer owns the controller; dispose clears it.
 */
export function withDeadline(parent: AbortSignal, ms: number, reason: () => Error): Deadline {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(parent.reason);
  const timer = setTimeout(() => controller.abort(reason()), ms);
  if (parent.aborted) onAbort();
  else parent.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      parent.removeEventListener('abort', onAbort);
    },
  };
}
