import { createMemoryStore } from '@unfold/engine';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ResyncRequired, longPoll } from './long-poll.js';
import { StreamCounters } from './stream-observer.js';

describe('ResyncRequired', () => {
  it('says why the position cannot be served, and carries the resync frame for the 410 body', () => {
    const frame = (reason: 'epoch_changed' | 'position_gone') => ({ event_type: 'resync' as const, run_id: 'r', reason, status: null, epoch: 'e', last_seq: 0 });
    const epoch = new ResyncRequired(frame('epoch_changed'));
    expect(epoch).toMatchObject({ code: 'resync_required', message: 'position belongs to another epoch; start again from 0', details: { resync: frame('epoch_changed') } });
    expect(new ResyncRequired(frame('position_gone')).message).toBe('position is no longer in the log; start again from 0');
  });
});

describe('longPoll', () => {
  it('stops waiting the moment its client goes away, holding nothing', async () => {
    const observer = new StreamCounters();
    const gone = new AbortController();
    const started = performance.now();
    const answer = longPoll({
      core: { store: createMemoryStore(), observer, log: pino({ level: 'silent' }), sendBufferBytes: 1_000, heartbeatMs: 60_000 },
      runId: 'not-yet',
      subscription: { after: 0 },
      waitMs: 20_000,
      limit: 100,
      signal: gone.signal,
      open: async (connect) => connect(),
    });
    setTimeout(() => gone.abort(), 50);
    expect(await answer).toMatchObject({ events: [], done: false });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(observer.snapshot().connections).toEqual({ 'long-poll': 0 });
  });
});
