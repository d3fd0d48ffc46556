import { describe, expect, it } from 'vitest';
import { ResyncRequired } from './long-poll.js';

describe('ResyncRequired', () => {
  it('says why the position cannot be served, and carries the resync frame for the 410 body', () => {
    const frame = (reason: 'epoch_changed' | 'position_gone') => ({ event_type: 'resync' as const, run_id: 'r', reason, status: null, epoch: 'e', last_seq: 0 });
    const epoch = new ResyncRequired(frame('epoch_changed'));
    expect(epoch).toMatchObject({ code: 'resync_required', message: 'position belongs to another epoch; start again from 0', details: { resync: frame('epoch_changed') } });
    expect(new ResyncRequired(frame('position_gone')).message).toBe('position is no longer in the log; start again from 0');
  });
});
