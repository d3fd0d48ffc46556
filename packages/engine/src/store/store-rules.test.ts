import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, newerFirst, retentionVictims } from './store-rules.js';
import { newRunRecord, type RunRecord } from './store.js';

const NOW = new Date('2026-11-30T12:00:00.000Z');
const HOUR = 3_600_000;

function run(id: string, createdAgoMs: number, finishedAgoMs: number | null): RunRecord {
  const record = newRunRecord({ run_id: id, tenant: 'default', pipeline: 'demo', input: {} });
  return {
    ...record,
    created_at: new Date(NOW.getTime() - createdAgoMs).toISOString(),
    status: finishedAgoMs === null ? 'running' : 'completed',
    finished_at: finishedAgoMs === null ? null : new Date(NOW.getTime() - finishedAgoMs).toISOString(),
  };
}

describe('retentionVictims', () => {
  it('deletes a finished run older than the age limit, not one finished exactly at it', () => {
    const runs = [run('old', 3 * HOUR, 2 * HOUR + 1), run('edge', 3 * HOUR, 2 * HOUR), run('young', HOUR, HOUR)];
    expect(retentionVictims(runs, { maxAgeMs: 2 * HOUR, maxRuns: 10 }, NOW)).toEqual(['old']);
  });

  it('deletes the oldest finished runs beyond the count, none when the count is met exactly, and never an unfinished one', () => {
    // Newest first, as a store lists them: the oldest are found by their times, not their places.
    const runs = [run('d', HOUR, HOUR), run('c', 2 * HOUR, 2 * HOUR), run('b', 3 * HOUR, null), run('a', 4 * HOUR, 4 * HOUR)];
    const policy = (maxRuns: number) => ({ maxAgeMs: 100 * HOUR, maxRuns });
    expect(retentionVictims(runs, policy(5), NOW)).toEqual([]);
    expect(retentionVictims(runs, policy(4), NOW)).toEqual([]);
    expect(retentionVictims(runs, policy(3), NOW)).toEqual(['a']);
    expect(retentionVictims(runs, policy(2), NOW)).toEqual(['a', 'c']);
    // b is running: the count may stay over rather than lose a run in flight.
    expect(retentionVictims(runs, policy(0), NOW)).toEqual(['a', 'c', 'd']);
  });

  it('counts what the age limit took before trimming by count', () => {
    const runs = [run('a', 5 * HOUR, 5 * HOUR), run('b', 2 * HOUR, 2 * HOUR), run('c', HOUR, HOUR)];
    expect(retentionVictims(runs, { maxAgeMs: 3 * HOUR, maxRuns: 2 }, NOW)).toEqual(['a']);
  });
});

describe('newerFirst and cursors', () => {
  it('orders newest first and breaks a tie of creation times by run id, descending', () => {
    const at = '2026-11-30T00:00:00.000Z';
    const runs = [
      { created_at: at, run_id: 'b' },
      { created_at: '2026-11-30T00:00:01.000Z', run_id: 'a' },
      { created_at: at, run_id: 'c' },
      { created_at: at, run_id: 'a' },
    ];
    expect([...runs].sort(newerFirst).map((entry) => `${entry.created_at.slice(17, 19)}${entry.run_id}`)).toEqual(['01a', '00c', '00b', '00a']);
    expect(newerFirst({ created_at: at, run_id: 'a' }, { created_at: at, run_id: 'a' })).toBe(0);
    expect(newerFirst({ created_at: at, run_id: 'a' }, { created_at: at, run_id: 'b' })).toBe(1);
    expect(newerFirst({ created_at: at, run_id: 'b' }, { created_at: at, run_id: 'a' })).toBe(-1);
  });

  it('reads back the cursor it made, and nothing from a cursor it did not', () => {
    const position = { created_at: '2026-11-30T00:00:00.000Z', run_id: 'invoice-7' };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
    expect(decodeCursor('not base64 json')).toBeUndefined();
    expect(decodeCursor(Buffer.from(JSON.stringify([1, 'x'])).toString('base64url'))).toBeUndefined();
    expect(decodeCursor(Buffer.from(JSON.stringify(['x', 2])).toString('base64url'))).toBeUndefined();
  });
});
