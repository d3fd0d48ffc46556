import type { ServerResponse } from 'node:http';
import { UnfoldError } from '@unfold/protocol';
import { describe, expect, it } from 'vitest';
import { HTTP_FORMATS, HttpStreamCodec } from './http-stream-codec.js';

/** A response that keeps what is written to it and how it ended. */
function fakeResponse() {
  const written: string[] = [];
  const state = { ended: false, destroyed: false };
  const raw = {
    writableLength: 0,
    write: (text: string) => written.push(text),
    end: () => (state.ended = true),
    destroy: () => (state.destroyed = true),
  };
  return { raw: raw as unknown as ServerResponse, written, state };
}

describe('HttpStreamCodec', () => {
  it('writes NDJSON heartbeats as a timestamped frame and SSE heartbeats as a comment', () => {
    const ndjson = fakeResponse();
    new HttpStreamCodec(ndjson.raw, 'ndjson', HTTP_FORMATS.ndjson).writeHeartbeat();
    const [line] = ndjson.written;
    expect(line?.endsWith('\n')).toBe(true);
    expect(JSON.parse(line as string)).toEqual({ event_type: 'heartbeat', timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    const sse = fakeResponse();
    new HttpStreamCodec(sse.raw, 'sse', HTTP_FORMATS.sse).writeHeartbeat();
    expect(sse.written).toEqual([': heartbeat\n\n']);
  });

  it('ends each way with the frame that explains it: a slow consumer and a failed log name the run, when there is one', () => {
    const cases = [
      [{ reason: 'slow_consumer', runId: 'run-1' }, { event_type: 'error', code: 'slow_consumer', message: 'the client fell behind; resume from the last seq', run_id: 'run-1' }],
      [{ reason: 'slow_consumer' }, { event_type: 'error', code: 'slow_consumer', message: 'the client fell behind; resume from the last seq' }],
      [{ reason: 'failed', error: new UnfoldError('storage_unavailable', 'disk full'), runId: 'run-2' }, { event_type: 'error', code: 'storage_unavailable', message: 'disk full', run_id: 'run-2' }],
      [{ reason: 'refused', error: new UnfoldError('rate_limited', 'slow down', { details: { retry_after_ms: 250 } }) }, { event_type: 'error', code: 'rate_limited', message: 'slow down', retry_after_ms: 250 }],
    ] as const;
    for (const [ending, frame] of cases) {
      const { raw, written, state } = fakeResponse();
      new HttpStreamCodec(raw, 'ndjson', HTTP_FORMATS.ndjson).end(ending);
      expect(written.map((line) => JSON.parse(line) as unknown)).toEqual([frame]);
      expect(state.ended).toBe(true);
    }
    const finished = fakeResponse();
    new HttpStreamCodec(finished.raw, 'sse', HTTP_FORMATS.sse).end({ reason: 'finished' });
    expect(finished.written).toEqual([]);
    expect(finished.state.ended).toBe(true);
    const gone = fakeResponse();
    new HttpStreamCodec(gone.raw, 'sse', HTTP_FORMATS.sse).end({ reason: 'client_gone' });
    expect(gone.state).toEqual({ ended: false, destroyed: true });
  });
});
