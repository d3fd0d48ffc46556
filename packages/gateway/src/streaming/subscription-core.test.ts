import { Writable } from 'node:stream';
import { createMemoryStore, type NewEvent } from '@unfold/engine';
import { UnfoldError, type ControlFrame, type UnfoldEvent } from '@unfold/protocol';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { StreamCounters } from './stream-observer.js';
import { SubscriptionCore, type StreamCodec, type StreamEnding } from './subscription-core.js';

/** A transport that keeps what it is given; `unsent` is what its client has not taken. */
class RecordingCodec implements StreamCodec {
  readonly transport = 'ndjson' as const;
  readonly events: UnfoldEvent[] = [];
  readonly controls: ControlFrame[] = [];
  endings: StreamEnding[] = [];
  unsent = 0;
  /** A client that stopped reading: everything written stays unsent. */
  stalled = false;
  failOn: ((event: UnfoldEvent) => boolean) | undefined;

  unsentBytes(): number {
    return this.unsent;
  }
  writeEvent(event: UnfoldEvent): void {
    if (this.failOn?.(event)) throw new Error('the codec broke');
    this.events.push(event);
    // Corked bytes wait whatever the client does; uncorked, a reading client takes them at once.
    if (this.stalled || this.corked) this.unsent += JSON.stringify(event).length;
  }
  /** Corked while a burst is held. */
  corked = false;
  cork(): () => void {
    this.corked = true;
    return () => {
      this.corked = false;
      if (!this.stalled) this.unsent = 0;
    };
  }
  writeControl(frame: ControlFrame): void {
    this.controls.push(frame);
  }
  end(ending: StreamEnding): void {
    this.endings.push(ending);
  }
  gone: (() => void) | undefined;
  onGone(listener: () => void): void {
    this.gone = listener;
  }
}

function setUp(sendBufferBytes = 1_000) {
  const store = createMemoryStore();
  const levels: number[] = [];
  const lines: Array<Record<string, unknown>> = [];
  const log = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        const line = JSON.parse(chunk.toString()) as Record<string, unknown> & { level: number };
        levels.push(line.level);
        lines.push(line);
        done();
      },
    }),
  );
  const observer = new StreamCounters();
  const codec = new RecordingCodec();
  const core = new SubscriptionCore(codec, { store, observer, log, sendBufferBytes, heartbeatMs: 60_000 });
  return { store, codec, core, observer, levels, lines, log };
}

const token = (delta: string): NewEvent => ({ event_type: 'extraction_token', delta, index: 0 }) as NewEvent;
const terminal = { event_type: 'processing_completed', duration_ms: 1, result: null } as NewEvent;
const turn = () => new Promise((resolve) => setImmediate(resolve));
const globalThisSetInterval = globalThis.setInterval;

describe('SubscriptionCore', () => {
  it('tells a listener of its end once, even one that asks after it ended', () => {
    const { core } = setUp();
    const heard: string[] = [];
    core.onEnded(() => heard.push('before'));
    core.end({ reason: 'client_gone' });
    core.onEnded(() => heard.push('after'));
    core.end({ reason: 'client_gone' });
    expect(heard).toEqual(['before', 'after']);
  });

  it('turns a codec that throws on an event into an error frame; the log append and the later events go on', async () => {
    const { store, codec, core } = setUp();
    codec.failOn = (event) => event.seq === 2;
    core.subscribe('r', { after: 0 }, { onTerminal: 'keep', onResync: 'keep' });
    await turn();
    for (const delta of ['a', 'b', 'c']) await expect(store.events.append('r', token(delta))).resolves.toBeDefined();
    expect(codec.events.map((event) => event.seq)).toEqual([1, 3]);
    expect(codec.controls).toEqual([{ event_type: 'error', code: 'internal_error', message: 'internal error', run_id: 'r' }]);
  });

  it('turns a sync throw and an async rejection into coded error frames, logging a client mistake at warn and a fault at error', async () => {
    const { codec, core, levels } = setUp();
    core.guard(() => {
      throw new UnfoldError('unknown_message', 'not here');
    });
    core.guard(async () => {
      throw new Error('a bug');
    }, 'r');
    await turn();
    expect(codec.controls).toEqual([
      { event_type: 'error', code: 'unknown_message', message: 'not here' },
      { event_type: 'error', code: 'internal_error', message: 'internal error', run_id: 'r' },
    ]);
    expect(levels).toEqual([40, 50]);
  });

  it('holds a burst within the limit against no client, and cuts a stalled one off at the next burst', async () => {
    const { store, codec, core, observer } = setUp(1_000);
    core.subscribe('r', { after: 0 }, { onTerminal: 'keep', onResync: 'keep' });
    await turn();
    codec.stalled = true;
    const padding = 'x'.repeat(300);
    // Two bursts of two (about 450 bytes an event): none passes the limit while corked.
    await Promise.all([1, 2].map(() => store.events.append('r', token(padding))));
    await turn();
    await Promise.all([1, 2].map(() => store.events.append('r', token(padding))));
    expect(codec.endings).toEqual([]);
    await turn();
    // The client has taken none of the four: past the limit and its largest frame.
    await store.events.append('r', token('late'));
    expect(codec.endings).toEqual([{ reason: 'slow_consumer', runId: 'r' }]);
    expect(codec.events.map((event) => event.seq)).toEqual([1, 2, 3, 4]);
    expect(observer.snapshot().slow_consumer_disconnects).toBe(1);
    // the event that found the client behind was not sent, so it is not counted as delivered
    expect(observer.snapshot().delivered).toBe(4);
  });

  it('cuts a stalled client off within a burst once the burst passes the limit, so no burst is held whole', async () => {
    const { store, codec, core } = setUp(1_000);
    core.subscribe('r', { after: 0 }, { onTerminal: 'keep', onResync: 'keep' });
    await turn();
    codec.stalled = true;
    const padding = 'x'.repeat(800);
    await Promise.all([1, 2, 3, 4, 5, 6].map(() => store.events.append('r', token(padding))));
    expect(codec.endings).toEqual([{ reason: 'slow_consumer', runId: 'r' }]);
    expect(codec.events.length).toBeLessThan(6);
    expect(codec.unsent).toBeLessThanOrEqual(1_000 + 2 * 1_000);
  });

  it('never cuts off a reader that takes what it is sent, whatever the size of the burst', async () => {
    const { store, codec, core } = setUp(1_000);
    core.subscribe('r', { after: 0 }, { onTerminal: 'keep', onResync: 'keep' });
    await turn();
    const padding = 'x'.repeat(800);
    await Promise.all(Array.from({ length: 20 }, () => store.events.append('r', token(padding))));
    await turn();
    expect(codec.endings).toEqual([]);
    expect(codec.events).toHaveLength(20);
  });

  it('counts an opening subscribe from a position as a resume, a later poll\'s subscribe as neither', async () => {
    const { store, core, observer } = setUp();
    await store.events.append('r', token('a'));
    await store.events.append('r', token('b'));
    core.subscribe('r', { after: 0 }, { onTerminal: 'keep', onResync: 'keep' });
    core.subscribe('s', { after: 0 }, { onTerminal: 'keep', onResync: 'keep', opening: false });
    expect(observer.snapshot().resumes).toBe(0);
    core.subscribe('r', { after: 1 }, { onTerminal: 'keep', onResync: 'keep', opening: false });
    expect(observer.snapshot().resumes).toBe(0);
    core.subscribe('r', { after: 1 }, { onTerminal: 'keep', onResync: 'keep' });
    expect(observer.snapshot().resumes).toBe(1);
    expect(core.subscriptionCount).toBe(2);
    expect(core.has('r') && core.has('s') && !core.has('t')).toBe(true);
    expect(core.unsubscribe('s')).toBe(true);
    expect(core.unsubscribe('s')).toBe(false);
    expect(core.subscriptionCount).toBe(1);
  });

  it('ends a connection opened for its runs once the last one has ended, after the turn; keeps one that is kept open', async () => {
    const { store, codec, core, observer } = setUp();
    core.subscribe('a', { after: 0 }, { onTerminal: 'end', onResync: 'end' });
    core.subscribe('b', { after: 0 }, { onTerminal: 'end', onResync: 'end' });
    await turn();
    expect(observer.snapshot().connections).toEqual({ ndjson: 1 });
    await store.events.append('a', terminal);
    await turn();
    expect(codec.endings).toEqual([]);
    expect(core.has('a')).toBe(false);
    await store.events.append('b', terminal);
    expect(codec.endings).toEqual([]);
    await turn();
    expect(codec.endings).toEqual([{ reason: 'finished' }]);
    expect(observer.snapshot().connections).toEqual({ ndjson: 0 });
    expect(observer.snapshot().delivered).toBe(2);
    // Ended: nothing more is followed or written.
    expect(core.subscribe('c', { after: 0 }, { onTerminal: 'end', onResync: 'end' })).toBeUndefined();
    expect(core.write(() => undefined)).toBe(false);

    const kept = setUp();
    kept.core.subscribe('a', { after: 0 }, { onTerminal: 'keep', onResync: 'keep' });
    await turn();
    await kept.store.events.append('a', terminal);
    await turn();
    expect(kept.codec.endings).toEqual([]);
    expect(kept.codec.events.map((event) => event.event_type)).toEqual(['processing_completed']);
  });

  it('hands a resync over as a frame on a kept connection, as the ending on one that ends', async () => {
    const kept = setUp();
    kept.core.subscribe('r', { after: 3, epoch: 'old' }, { onTerminal: 'keep', onResync: 'keep' });
    await turn();
    expect(kept.codec.controls).toEqual([expect.objectContaining({ event_type: 'resync', run_id: 'r', reason: 'epoch_changed' })]);
    expect(kept.codec.endings).toEqual([]);
    expect(kept.observer.snapshot().resyncs).toBe(1);
    expect(kept.core.has('r')).toBe(false);

    const ended = setUp();
    ended.core.subscribe('r', { after: 3, epoch: 'old' }, { onTerminal: 'end', onResync: 'end' });
    await turn();
    expect(ended.codec.controls).toEqual([]);
    expect(ended.codec.endings).toEqual([{ reason: 'resync', frame: expect.objectContaining({ event_type: 'resync', reason: 'epoch_changed' }) }]);
  });

  it('turns a failed log read into an error frame that keeps a store failure\'s code, or the ending on a connection that ends', async () => {
    for (const [thrown, code] of [
      [new UnfoldError('storage_unavailable', 'disk full'), 'storage_unavailable'],
      [new Error('SQLITE_CORRUPT'), 'internal_error'],
    ] as const) {
      const { store, codec, core, levels } = setUp();
      const broken = { ...store, events: Object.create(store.events) as typeof store.events };
      broken.events.read = async () => Promise.reject(thrown);
      const failing = new SubscriptionCore(codec, { store: broken, observer: new StreamCounters(), log: pino({ level: 'silent' }), sendBufferBytes: 1_000, heartbeatMs: 60_000 });
      failing.subscribe('r', { after: 0 }, { onTerminal: 'keep', onResync: 'keep' });
      await turn();
      expect(codec.controls).toEqual([{ event_type: 'error', code, message: code === 'internal_error' ? 'the event log failed; subscribe again from the last seq' : 'disk full', run_id: 'r' }]);
      expect(failing.has('r')).toBe(false);
      expect(codec.endings).toEqual([]);
      const ending = new SubscriptionCore(codec, { store: broken, observer: new StreamCounters(), log: pino({ level: 'silent' }), sendBufferBytes: 1_000, heartbeatMs: 60_000 });
      ending.subscribe('r', { after: 0 }, { onTerminal: 'end', onResync: 'end' });
      await turn();
      expect(codec.endings).toEqual([{ reason: 'failed', error: expect.objectContaining({ code }), runId: 'r' }]);
      expect(levels).toEqual([]);
      void core;
    }
  });

  it('refuses with the error\'s ending, ends a connection whose codec cannot write an error, and survives a codec that fails to close', async () => {
    const refused = setUp();
    refused.core.refuse(new UnfoldError('invalid_token', 'bad token'));
    expect(refused.codec.endings).toEqual([{ reason: 'refused', error: expect.objectContaining({ code: 'invalid_token' }) }]);
    expect(refused.levels).toEqual([40]);

    const broken = setUp();
    broken.codec.writeControl = () => {
      throw new Error('socket gone');
    };
    broken.core.fail(new UnfoldError('unknown_message', 'what'));
    expect(broken.codec.endings).toEqual([{ reason: 'refused', error: expect.objectContaining({ code: 'internal_error' }) }]);

    const unclosable = setUp();
    unclosable.codec.end = () => {
      throw new Error('already destroyed');
    };
    expect(() => unclosable.core.end({ reason: 'finished' })).not.toThrow();
    expect(unclosable.levels).toEqual([50]);
  });

  it('writes what an operator needs on each log line: code, transport and run of a refusal; the cause of a fault; what failed in the codec', async () => {
    const mistakes = setUp();
    mistakes.core.fail(new UnfoldError('unknown_message', 'what is this'), 'r');
    mistakes.core.fail(new UnfoldError('unknown_message', 'and this'));
    const root = new Error('SQLITE_IOERR');
    mistakes.core.fail(new UnfoldError('internal_error', 'internal error', { cause: root }));
    mistakes.core.fail(new UnfoldError('internal_error', 'no cause'));
    const [named, unnamed, fault, causeless] = mistakes.lines;
    expect(named).toMatchObject({ level: 40, code: 'unknown_message', transport: 'ndjson', run_id: 'r', msg: 'what is this' });
    expect(unnamed).toMatchObject({ level: 40, code: 'unknown_message', transport: 'ndjson', msg: 'and this' });
    expect(unnamed).not.toHaveProperty('run_id');
    expect(fault).toMatchObject({ level: 50, code: 'internal_error', err: { message: 'SQLITE_IOERR' } });
    expect(causeless).toMatchObject({ level: 50, err: { message: 'no cause' } });

    const { store, codec, lines, log } = setUp();
    const broken = { ...store, events: Object.create(store.events) as typeof store.events };
    broken.events.read = async () => Promise.reject(new Error('SQLITE_CORRUPT'));
    new SubscriptionCore(codec, { store: broken, observer: new StreamCounters(), log, sendBufferBytes: 1_000, heartbeatMs: 60_000 }).subscribe('r', { after: 0 }, { onTerminal: 'keep', onResync: 'keep' });
    await turn();
    expect(lines).toContainEqual(expect.objectContaining({ level: 50, msg: 'stream follow failed', run_id: 'r', transport: 'ndjson', err: expect.objectContaining({ message: 'SQLITE_CORRUPT' }) }));

    const unwritable = setUp();
    unwritable.codec.writeControl = () => {
      throw new Error('socket gone');
    };
    unwritable.core.fail(new UnfoldError('unknown_message', 'what'));
    expect(unwritable.lines).toContainEqual(expect.objectContaining({ level: 50, msg: 'stream write failed', transport: 'ndjson', err: expect.objectContaining({ message: 'socket gone' }) }));

    const unclosable = setUp();
    unclosable.codec.end = () => {
      throw new Error('already destroyed');
    };
    unclosable.core.end({ reason: 'finished' });
    expect(unclosable.lines).toEqual([expect.objectContaining({ level: 50, msg: 'stream close failed', transport: 'ndjson', err: expect.objectContaining({ message: 'already destroyed' }) })]);
  });

  it('ends, following nothing more, when its client goes away', async () => {
    const { store, codec, core, observer } = setUp();
    core.subscribe('r', { after: 0 }, { onTerminal: 'keep', onResync: 'keep' });
    await turn();
    expect(observer.snapshot().connections).toEqual({ ndjson: 1 });
    codec.gone?.();
    expect(codec.endings).toEqual([{ reason: 'client_gone' }]);
    expect(core.has('r')).toBe(false);
    expect(observer.snapshot().connections).toEqual({ ndjson: 0 });
    await store.events.append('r', token('after'));
    expect(codec.events).toEqual([]);
  });

  it('flushes held frames before a control frame and before the end, but not when the client is gone', () => {
    const { codec, core } = setUp();
    const calls: string[] = [];
    Object.assign(codec, {
      flush: () => calls.push('flush'),
      writeControl: (frame: ControlFrame) => calls.push(`control ${frame.event_type}`),
      end: (ending: StreamEnding) => calls.push(`end ${ending.reason}`),
    });
    core.sendControl({ event_type: 'error', code: 'x', message: 'y' });
    core.end({ reason: 'finished' });
    core.end({ reason: 'finished' });
    expect(calls).toEqual(['flush', 'control error', 'flush', 'end finished']);
    const gone = setUp();
    const goneCalls: string[] = [];
    Object.assign(gone.codec, { flush: () => goneCalls.push('flush'), end: (ending: StreamEnding) => goneCalls.push(`end ${ending.reason}`) });
    gone.core.end({ reason: 'client_gone' });
    expect(goneCalls).toEqual(['end client_gone']);
  });

  it('beats the heart while open, on a timer that does not hold the process up, cleared when the connection ends', async () => {
    const store = createMemoryStore();
    const codec = new RecordingCodec();
    let beats = 0;
    Object.assign(codec, { writeHeartbeat: () => beats++ });
    const timers: NodeJS.Timeout[] = [];
    const setInterval = vi.spyOn(globalThis, 'setInterval').mockImplementation(((handler: () => void, ms: number) => {
      const timer = globalThisSetInterval(handler, ms);
      timers.push(timer);
      return timer;
    }) as typeof globalThis.setInterval);
    const clearInterval = vi.spyOn(globalThis, 'clearInterval');
    const core = new SubscriptionCore(codec, { store, observer: new StreamCounters(), log: pino({ level: 'silent' }), sendBufferBytes: 1_000, heartbeatMs: 5 });
    setInterval.mockRestore();
    expect(timers).toHaveLength(1);
    expect(timers[0]?.hasRef()).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(beats).toBeGreaterThanOrEqual(2);
    core.end({ reason: 'finished' });
    expect(clearInterval).toHaveBeenCalledWith(timers[0]);
    clearInterval.mockRestore();
    const atEnd = beats;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(beats).toBe(atEnd);
  });

  it('pauses a replay while the client holds more than half the limit, and goes on once it has taken it', async () => {
    // With room, a replay does not wait at all.
    const roomy = setUp(100_000);
    for (let index = 0; index < 20; index++) await roomy.store.events.append('r', token(String(index)));
    roomy.core.subscribe('r', { after: 0 }, { onTerminal: 'keep', onResync: 'keep' });
    await turn();
    expect(roomy.codec.events).toHaveLength(20);

    const { store, codec, core } = setUp(1_000);
    for (let index = 0; index < 22; index++) await store.events.append('r', token(String(index)));
    codec.unsent = 600;
    codec.stalled = true;
    core.subscribe('r', { after: 19 }, { onTerminal: 'keep', onResync: 'keep', opening: false });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(codec.events.map((event) => event.seq)).toEqual([20]);
    codec.stalled = false;
    codec.unsent = 0;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(codec.events.map((event) => event.seq)).toEqual([20, 21, 22]);
  });

  it('names no run when it cuts off a connection that follows several', async () => {
    const { store, codec, core } = setUp(100);
    core.subscribe('a', { after: 0 }, { onTerminal: 'keep', onResync: 'keep' });
    core.subscribe('b', { after: 0 }, { onTerminal: 'keep', onResync: 'keep' });
    await turn();
    codec.stalled = true;
    await store.events.append('a', token('x'.repeat(300)));
    await turn();
    await store.events.append('b', token('y'));
    expect(codec.endings).toEqual([{ reason: 'slow_consumer', runId: undefined }]);
  });
});
