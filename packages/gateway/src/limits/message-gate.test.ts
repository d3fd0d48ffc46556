import { afterEach, describe, expect, it, vi } from 'vitest';
import { websocketMessageGate } from './message-gate.js';

describe('websocketMessageGate', () => {
  afterEach(() => vi.useRealTimers());

  it('lets the limit through each second, refuses the next with rate_limited once, drops the rest, and opens again a second later', () => {
    vi.useFakeTimers();
    const admit = websocketMessageGate(3);
    expect([admit(), admit(), admit()]).toEqual([true, true, true]);
    vi.advanceTimersByTime(400);
    expect(() => admit()).toThrow(expect.objectContaining({ code: 'rate_limited', details: { retry_after_ms: 600 } }));
    expect([admit(), admit()]).toEqual([false, false]);
    vi.advanceTimersByTime(600);
    expect([admit(), admit(), admit()]).toEqual([true, true, true]);
    expect(() => admit()).toThrow(expect.objectContaining({ code: 'rate_limited' }));
  });

  it('counts each socket on its own', () => {
    const one = websocketMessageGate(1);
    const other = websocketMessageGate(1);
    expect(one()).toBe(true);
    expect(other()).toBe(true);
    expect(() => one()).toThrow(expect.objectContaining({ code: 'rate_limited' }));
  });
});
