import { UnfoldError } from '@unfold/protocol';
import { RateLimiterMemory, RateLimiterRes, type IRateLimiterOptions, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Principal } from '../auth/principal.js';

export interface KeyLimitSettings {
  /** Runs a key may create per minute (every route that starts runs counts). */
  runsPerMinute: number;
  /** Streaming connections (WebSocket, SSE, NDJSON) a key may hold open at once. */
  connections: number;
}

/**
 * Makes one counter. In one process, memory; a cluster passes a factory of the same library's
 * shared-store limiters (`RateLimiterRedis` with the same options), and every limit holds
 * across its processes with nothing else changed.
 */
export type LimiterFactory = (options: IRateLimiterOptions) => RateLimiterAbstract;

export const memoryLimiters: LimiterFactory = (options) => new RateLimiterMemory(options);

/** Whose allowance a request draws on: its key's (a stream token draws on the key it was issued to). */
function allowanceOf(principal: Principal): string {
  return principal.key_id ?? ':local';
}

/**
 * Limits per API key (docs/protocol.md, "Limits"), each refused with `rate_limited` (HTTP 429
 * with `Retry-After`; close 4029 for a WebSocket). A WebSocket's own message rate is
 * message-gate.ts's. Defaults
 * sit far above what one user does, so only a runaway client or an abuser meets them.
 */
export class KeyLimits {
  private readonly runs: RateLimiterAbstract;
  private readonly connections: RateLimiterAbstract;

  constructor(
    private readonly settings: KeyLimitSettings,
    limiter: LimiterFactory = memoryLimiters,
  ) {
    this.runs = limiter({ keyPrefix: 'runs', points: settings.runsPerMinute, duration: 60 });
    // A count, not a rate: taken when a connection opens, given back when it ends (duration 0 never expires).
    this.connections = limiter({ keyPrefix: 'connections', points: settings.connections, duration: 0 });
  }

  /** Takes `count` runs of the key's allowance, all or none (a batch is refused whole). */
  async admitRuns(principal: Principal, count = 1): Promise<void> {
    await this.take(this.runs, allowanceOf(principal), count, `at most ${this.settings.runsPerMinute} runs a minute may be created per API key`);
  }

  /** Takes a connection of the key's allowance; the returned release gives it back (once). */
  async openConnection(principal: Principal): Promise<() => void> {
    const allowance = allowanceOf(principal);
    await this.take(this.connections, allowance, 1, `at most ${this.settings.connections} streaming connections may be open per API key`);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      void this.connections.reward(allowance, 1).catch(() => undefined);
    };
  }

  private async take(limiter: RateLimiterAbstract, key: string, points: number, rule: string): Promise<void> {
    try {
      await limiter.consume(key, points);
    } catch (refusal) {
      // Anything but the limiter's answer is its store failing: a limit must not take the server down with it.
      if (!(refusal instanceof RateLimiterRes)) return;
      // The limiter counted the refused points too: give them back, so a refusal takes nothing
      // (a refused batch leaves the allowance as it was; a connection count cannot only grow).
      await limiter.reward(key, points).catch(() => undefined);
      // A count (connections) has no window to wait out: a second is the hint.
      const retryAfterMs = refusal.msBeforeNext > 0 ? refusal.msBeforeNext : 1_000;
      throw new UnfoldError('rate_limited', `${rule}; retry in ${Math.ceil(retryAfterMs / 1000)} s`, { details: { retry_after_ms: retryAfterMs } });
    }
  }
}
