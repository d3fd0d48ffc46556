import { describe, expect, it } from 'vitest';
import { StreamCheck } from './stream-check.js';

const events = (...seqs: number[]) => seqs.map((seq) => ({ seq, event_type: 'tool_progress' }));

describe('a client’s check of its own stream', () => {
  it('passes a stream seen once, in order, over several connections, ignoring control frames', () => {
    const check = new StreamCheck();
    for (const frame of [{ event_type: 'connected' }, ...events(1, 2, 3)]) check.see(frame);
    expect(check.position).toBe(3);
    for (const frame of [...events(4), { seq: 5, event_type: 'processing_completed' }]) check.see(frame);
    expect(check.faults).toEqual({ gaps: 0, duplicates: 0, afterTerminal: 0 });
    expect(check.finished).toBe(true);
    expect(check.received).toBe(5);
  });

  it('counts each position skipped, each event seen again, and events after the end', () => {
    const check = new StreamCheck();
    for (const frame of events(1, 2, 5, 5, 3, 6)) check.see(frame);
    check.see({ seq: 7, event_type: 'processing_failed' });
    check.see({ seq: 8, event_type: 'tool_progress' });
    expect(check.faults).toEqual({ gaps: 2, duplicates: 2, afterTerminal: 1 });
  });
});
