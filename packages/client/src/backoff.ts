export interface ReconnectOptions {
  /** First delay before a reconnect; doubles each failed attempt. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Attempts in a row without a live connection before the stream gives up. */
  maxAttempts: number;
}

export const DEFAULT_RECONNECT: ReconnectOptions = { initialDelayMs: 250, maxDelayMs: 5_000, maxAttempts: Number.POSITIVE_INFINITY };

/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half random, so a
 * server restart is not met by every client reconnecting in the same millisecond.
 */
export function backoffDelay(attempt: number, options: ReconnectOptions, random: () => number = Math.random): number {
  const exponential = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}
