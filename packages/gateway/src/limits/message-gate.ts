import { UnfoldError } from '@unfold/protocol';

const WINDOW_MS = 1_000;

/**
 * One WebSocket's gate for its incoming messages (`UNFOLD_LIMIT_WS_MESSAGES_PER_SECOND`), in
 * windows of a second: `true` for a message within the limit, `false` for one dropped past
 * it; the first dropped one of each window throws `rate_limited` instead, for the caller to
 * say (once a window: a flood must not be answered by a flood).
 *
 * A counter of its own rather than a KeyLimits limiter: a socket lives in one process, so its
 * count never needs a shared store, and deciding synchronously keeps the answers to a
 * client's messages in the order it sent them.
 */
export function websocketMessageGate(perSecond: number): () => boolean {
  let windowStart = Number.NEGATIVE_INFINITY;
  let count = 0;
  return () => {
    const now = performance.now();
    if (now - windowStart >= WINDOW_MS) {
      windowStart = now;
      count = 0;
    }
    count++;
    if (count <= perSecond) return true;
    if (count > perSecond + 1) return false;
    const retryAfterMs = Math.max(1, Math.ceil(windowStart + WINDOW_MS - now));
    throw new UnfoldError('rate_limited', `at most ${perSecond} messages a second may be sent on a WebSocket; retry in ${retryAfterMs} ms`, { details: { retry_after_ms: retryAfterMs } });
  };
}
