import { Writable } from 'node:stream';
import { createMemoryStore, type NewEvent } from '@unfold/engine';
import { UnfoldError, type ControlFrame, type UnfoldEvent } from '@unfold/protocol';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
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
  onGone(): void {}
}

function setUp(sendBufferBytes = 1_000) {
  const store = createMemoryStore();
  const levels: number[] = [];
  const log = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        levels.push((JSON.parse(chunk.toString()) as { level: number }).level);
        done();
      },
    }),
  );
  const observer = new StreamCounters();
  const codec = new RecordingCodec();
  const core = new SubscriptionCore(codec, { store, observer, log, sendBufferBytes, heartbeatMs: 60_000 });
  return { store, codec, core, observer, levels };
}

const token = (delta: string): NewEvent => ({ event_type: 'extraction_token', delta, index: 0 }) as NewEvent;
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('SubscriptionCore', () => {
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
});
