import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  const options = { initialDelayMs: 100, maxDelayMs: 1_000, maxAttempts: 10 };

  it('doubles per attempt up to the cap, with half of each delay jittered', () => {
    expect([1, 2, 3, 4, 5, 9].map((attempt) => backoffDelay(attempt, options, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5, 9].map((attempt) => backoffDelay(attempt, options, () => 1))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });
});
