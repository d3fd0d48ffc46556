import { describe, expect, it } from 'vitest';
import { traceIdOf } from './stream-log.js';

describe('traceIdOf', () => {
  it('reads the trace id out of a stored traceparent', () => {
    expect(traceIdOf({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' })).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('has none for a run without a trace context or with a malformed one', () => {
    expect(traceIdOf(undefined)).toBeUndefined();
    expect(traceIdOf({ traceparent: 'not-a-traceparent' })).toBeUndefined();
  });
});
