import { afterEach, describe, expect, it, vi } from 'vitest';
import { TokenRenewal, renewalDelayMs } from './token-renewal.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const inSeconds = (seconds: number) => new Date(NOW + seconds * 1000).toISOString();

describe('renewalDelayMs', () => {
  it('renews a minute before expiry, but never before 80% of the time left, and at once when none is left', () => {
    expect(renewalDelayMs(inSeconds(600), NOW)).toBe(540_000);
    expect(renewalDelayMs(inSeconds(300), NOW)).toBe(240_000);
    expect(renewalDelayMs(inSeconds(120), NOW)).toBe(96_000);
    expect(renewalDelayMs(inSeconds(10), NOW)).toBe(8_000);
    expect(renewalDelayMs(inSeconds(-5), NOW)).toBe(0);
  });
});

describe('TokenRenewal', () => {
  afterEach(() => vi.useRealTimers());

  it('renews when its delay runs out, each schedule replacing the last, and never once stopped; a failed renewal is left to the expiry', async () => {
    vi.useFakeTimers({ now: NOW });
    const renew = vi.fn(async () => {
      throw new Error('negotiate failed');
    });
    const renewal = new TokenRenewal(renew);
    renewal.schedule(inSeconds(10));
    renewal.schedule(inSeconds(20));
    await vi.advanceTimersByTimeAsync(8_000);
    expect(renew).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(8_000);
    expect(renew).toHaveBeenCalledTimes(1);
    renewal.schedule(inSeconds(30));
    renewal.stop();
    renewal.schedule(inSeconds(30));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(renew).toHaveBeenCalledTimes(1);
  });
});
