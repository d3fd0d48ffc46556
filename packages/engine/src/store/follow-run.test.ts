import type { ResyncFrame, UnfoldEvent } from '@unfold/protocol';
import { describe, expect, it } from 'vitest';
import { followRun, type FollowHandlers, type FollowOptions } from './follow-run.js';
import { STORES, runRecord, token } from './testing/store-fixtures.js';
import type { Store } from './store.js';

const terminal = { event_type: 'processing_completed' as const, pipeline: 'demo', duration_ms: 1, result: null };

/** Appends `count` token events, numbered from `first`, one after the other. */
async function appendTokens(store: Store, first: number, count: number): Promise<void> {
  for (let index = 0; index < count; index++) await store.events.append('r', token(first + index));
}

/** Replay backpressure that pauses the replay once, for as long as `during` runs. */
function pausedOnceWhile(during: () => Promise<void>): Partial<FollowHandlers> {
  let paused = false;
  return {
    backpressure: () => {
      if (paused) return undefined;
      paused = true;
      return during();
    },
  };
}

function follow(store: Store, runId: string, options: FollowOptions, extra: Partial<FollowHandlers> = {}) {
  const events: UnfoldEvent[] = [];
  let resync: ResyncFrame | undefined;
  let settled!: () => void;
  const ended = new Promise<void>((resolve) => {
    settled = resolve;
  });
  const handle = followRun(store, runId, options, {
    event(event) {
      events.push(event);
      if (event.event_type === 'processing_completed') settled();
    },
    resync(frame) {
      resync = frame;
      settled();
    },
    error: () => settled(),
    ...extra,
  });
  return { events, ended, handle, resync: () => resync };
}

const seqs = (events: UnfoldEvent[]) => events.map((event) => event.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index);

describe.each(STORES)('followRun over the %s store', (_name, open) => {
  it('replays from a position then goes live, with no gap and no duplicate while appends interleave with the replay', async () => {
    const store = await open();
    await store.runs.create(runRecord('r'));
    await appendTokens(store, 0, 20);
    // Every replayed event lets the producer append two more: the replay (pages of 3)
    // and the live feed overlap the whole time.
    let produced = 20;
    const subscriber = follow(store, 'r', { after: 5, pageSize: 3 }, {
      backpressure: () => {
        if (produced >= 60) return undefined;
        produced += 2;
        return Promise.all([store.events.append('r', token(produced - 1)), store.events.append('r', token(produced))]).then(() => undefined);
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await store.events.append('r', terminal);
    await subscriber.ended;
    expect(seqs(subscriber.events)).toEqual(range(6, 61));
    await store.close();
  });

  it('hands over to live without losing what was appended while the last replay page was delivered', async () => {
    const store = await open();
    await store.runs.create(runRecord('r'));
    await appendTokens(store, 0, 10);
    // Pages of 4: 1-4, 5-8, then the short last page 9-10. While it is delivered, two
    // events arrive: the replay has already read its last page, so only the live buffer
    // holds them.
    let appended = false;
    const subscriber = follow(store, 'r', { after: 0, pageSize: 4 }, {
      backpressure: () => {
        if (appended || subscriber.events.at(-1)?.seq !== 9) return undefined;
        appended = true;
        return Promise.all([store.events.append('r', token(10)), store.events.append('r', token(11))]).then(() => undefined);
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await store.events.append('r', terminal);
    await subscriber.ended;
    expect(appended).toBe(true);
    expect(seqs(subscriber.events)).toEqual(range(1, 13));
    await store.close();
  });

  it('reads on from the log when live events overflow what a paused replay may hold', async () => {
    const store = await open();
    await store.runs.create(runRecord('r'));
    await appendTokens(store, 0, 10);
    // While the replay waits, far more events arrive than it may buffer.
    const subscriber = follow(store, 'r', { after: 0, pageSize: 4, maxPending: 5 }, pausedOnceWhile(() => appendTokens(store, 100, 40)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await store.events.append('r', terminal);
    await subscriber.ended;
    expect(seqs(subscriber.events)).toEqual(range(1, 51));
    await store.close();
  });

  it('holds at most maxPending live events while the replay is paused, then reads the rest from the log', async () => {
    const store = await open();
    await store.runs.create(runRecord('r'));
    await appendTokens(store, 0, 4);
    // The replay's one short page holds 4; during its pause 6 events arrive, one more than
    // the buffer of 5 may hold.
    const reads: number[] = [];
    const counted: Store = { ...store, events: Object.create(store.events) as Store['events'] };
    counted.events.read = (runId, after, limit) => {
      reads.push(after);
      return store.events.read(runId, after, limit);
    };
    const subscriber = follow(counted, 'r', { after: 0, pageSize: 10, maxPending: 5 }, pausedOnceWhile(() => appendTokens(store, 10, 6)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await store.events.append('r', terminal);
    await subscriber.ended;
    expect(seqs(subscriber.events)).toEqual(range(1, 11));
    // The overflow dropped the buffer: the events after the page came from a second read.
    expect(reads).toEqual([0, 4]);
    await store.close();
  });

  it('says nothing once stopped: not a resync it was still looking up, not a read that fails after', async () => {
    const store = await open();
    await store.runs.create(runRecord('r'));
    await store.events.append('r', token(0));
    const told: string[] = [];
    const handlers: FollowHandlers = { event: () => told.push('event'), resync: () => told.push('resync'), error: () => told.push('error') };
    followRun(store, 'r', { after: 1, epoch: 'not-this-one' }, handlers).stop();

    let failRead!: (error: Error) => void;
    const failing: Store = { ...store, events: Object.create(store.events) as Store['events'] };
    failing.events.read = () => new Promise((_resolve, reject) => (failRead = reject));
    const reading = followRun(failing, 'r', { after: 0 }, handlers);
    await new Promise((resolve) => setTimeout(resolve, 10));
    reading.stop();
    failRead(new Error('disk gone'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(told).toEqual([]);
    await store.close();
  });

  it('serves a position right before the first event retention kept, and resyncs one further back', async () => {
    const store = await open();
    await store.runs.create(runRecord('r'));
    await appendTokens(store, 0, 8);
    // As if retention had dropped seqs 1-4: the log starts at 5.
    const trimmed: Store = { ...store, events: Object.create(store.events) as Store['events'] };
    trimmed.events.firstSeq = async () => 5;
    const atEdge = follow(trimmed, 'r', { after: 4 });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(atEdge.resync()).toBeUndefined();
    expect(seqs(atEdge.events)).toEqual(range(5, 8));
    atEdge.handle.stop();
    const tooFar = follow(trimmed, 'r', { after: 3 });
    await tooFar.ended;
    expect(tooFar.resync()).toMatchObject({ reason: 'position_gone', last_seq: 8 });
    // Caught up exactly: nothing to replay, live from here.
    const caughtUp = follow(store, 'r', { after: 8 });
    await store.events.append('r', terminal);
    await caughtUp.ended;
    expect(caughtUp.resync()).toBeUndefined();
    expect(seqs(caughtUp.events)).toEqual([9]);
    await store.close();
  });

  it('follows a run that does not exist yet from seq 1 (subscribe before start)', async () => {
    const store = await open();
    const subscriber = follow(store, 'later', { after: 0 });
    await new Promise((resolve) => setTimeout(resolve, 10));
    await store.events.append('later', token(0));
    await store.events.append('later', terminal);
    await subscriber.ended;
    expect(seqs(subscriber.events)).toEqual([1, 2]);
    await store.close();
  });

  it('answers resync instead of skipping: position beyond the log, deleted run, other epoch', async () => {
    const store = await open();
    await store.runs.create(runRecord('r', { status: 'completed', finished_at: '2020-01-01T00:00:00.000Z' }));
    await store.events.append('r', token(0));
    const beyond = follow(store, 'r', { after: 5 });
    await beyond.ended;
    expect(beyond.resync()).toMatchObject({ reason: 'position_gone', status: 'completed', last_seq: 1 });

    const otherEpoch = follow(store, 'r', { after: 1, epoch: 'not-this-one' });
    await otherEpoch.ended;
    expect(otherEpoch.resync()).toMatchObject({ reason: 'epoch_changed', epoch: store.events.epoch });

    await store.applyRetention({ maxAgeMs: 1, maxRuns: 100 });
    const deleted = follow(store, 'r', { after: 1 });
    await deleted.ended;
    expect(deleted.resync()).toMatchObject({ reason: 'position_gone', status: null, last_seq: 0 });
    expect(deleted.events).toEqual([]);
    await store.close();
  });

  it('filters by type, always delivers the terminal event, and stops after it', async () => {
    const store = await open();
    await store.events.append('r', token(0));
    await store.events.append('r', { event_type: 'tool_progress', pipeline: 'demo', tool_name: 't', status: 'running', progress: 50 });
    const subscriber = follow(store, 'r', { after: 0, types: new Set(['tool_progress']) });
    await store.events.append('r', terminal);
    await subscriber.ended;
    await store.events.append('r', token(9));
    expect(subscriber.events.map((event) => event.event_type)).toEqual(['tool_progress', 'processing_completed']);
    expect(subscriber.handle.position).toBe(3);
    await store.close();
  });
});

describe('followRun once stopped', () => {
  it('tells a stopped subscriber nothing more, not even that the log failed under it', async () => {
    const [, open] = STORES[0] as (typeof STORES)[number];
    const store = await open();
    await store.runs.create(runRecord('r'));
    let refuse!: (error: Error) => void;
    const read = new Promise<never>((_, reject) => {
      refuse = reject;
    });
    const failing: Store = { ...store, events: { ...store.events, read: () => read } };
    const errors: unknown[] = [];
    const handle = followRun(failing, 'r', { after: 0 }, { event: () => undefined, resync: () => undefined, error: (error) => errors.push(error) });
    handle.stop();
    refuse(new Error('disk gone'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(errors).toEqual([]);
    await store.close();
  });
});
