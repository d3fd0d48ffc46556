/** A token is renewed a minute before it expires, or, when it lives less than five, at 80% of its life. */
const MARGIN_MS = 60_000;
const SHARE_OF_LIFE = 0.8;

/** When to renew a token that expires at `expiresAt` (ISO): a minute before, but never before 80% of what is left has passed. */
export function renewalDelayMs(expiresAt: string, now: number = Date.now()): number {
  const left = Date.parse(expiresAt) - now;
  return Math.max(0, left - MARGIN_MS, left * SHARE_OF_LIFE);
}

/**
 * Keeps a live WebSocket's stream token fresh: before it expires, `renew` negotiates a new
 * one and sends it as a refresh; the server's `refreshed` answer schedules the next. A renewal
 * that fails is not retried here: the server closes the socket as the token expires
 * (`token_expired`), and the reconnect negotiates afresh and resumes from the last seq.
 */
export class TokenRenewal {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(private readonly renew: () => Promise<void>) {}

  schedule(expiresAt: string): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.renew().catch(() => undefined), renewalDelayMs(expiresAt));
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
