import { describe, expect, it } from 'vitest';
import { LatencyRecorder, percentile } from './latency-recorder.js';

describe('percentile', () => {
  it('uses the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBe(0);
  });

  it('summarises unsorted samples', () => {
    const recorder = new LatencyRecorder();
    for (const value of [5, 1, 3, 2, 4]) recorder.record(value);
    expect(recorder.summary()).toEqual({ count: 5, p50: 3, p95: 5, p99: 5, max: 5 });
  });
});
