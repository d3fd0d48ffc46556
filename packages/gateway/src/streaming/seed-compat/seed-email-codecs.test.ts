import type { UnfoldEvent } from '@unfold/protocol';
import { describe, expect, it } from 'vitest';
import { seedControlMessage, seedEmailBatch, seedEmailSse, seedSequence } from './seed-email-codecs.js';

const token = { run_id: 'r1', seq: 4, event_id: 'r1:4', pipeline: 'email', timestamp: '2026-01-01T00:00:00.000Z', metadata: {}, event_type: 'extraction_token', delta: 'x', index: 0 } as unknown as UnfoldEvent;
const started = { ...token, event_type: 'processing_started' } as unknown as UnfoldEvent;

describe('seed 003 relays', () => {
  it('tells the add-in of errors and resyncs as error messages, and of nothing else', () => {
    expect(seedControlMessage({ event_type: 'error', code: 'slow_consumer', message: 'fell behind', run_id: 'r1' })).toEqual({
      type: 'error',
      data: { error: 'fell behind', code: 'slow_consumer', correlation_id: 'r1' },
    });
    expect(seedControlMessage({ event_type: 'error', code: 'unauthorized', message: 'no key' })).toEqual({ type: 'error', data: { error: 'no key', code: 'unauthorized' } });
    expect(seedControlMessage({ event_type: 'resync', run_id: 'r1', reason: 'position_gone', status: null, epoch: 'e', last_seq: 0 })).toEqual({
      type: 'error',
      data: { error: 'the run is no longer held by the server', code: 'resync_required', correlation_id: 'r1' },
    });
    expect(seedControlMessage({ event_type: 'connected', transport: 'sse', epoch: 'e' })).toBeUndefined();
  });

  it('writes SSE messages named by their type and numbered 1, 2, 3 with no gap, and nothing for what the add-in has no name for', () => {
    const sse = seedEmailSse();
    expect(sse.event(token, undefined)).toBe(`event: extraction_token\ndata: ${JSON.stringify({ type: 'extraction_token', data: { correlation_id: 'r1', token: 'x', index: 0 }, sequence: 1 })}\n\n`);
    expect(sse.event(started, undefined)).toBeUndefined();
    expect(sse.control({ event_type: 'connected', transport: 'sse', epoch: 'e' }, undefined)).toBeUndefined();
    expect(sse.control({ event_type: 'error', code: 'internal_error', message: 'm' }, undefined)).toBe(
      `event: error\ndata: ${JSON.stringify({ type: 'error', data: { error: 'm', code: 'internal_error' }, sequence: 2 })}\n\n`,
    );
    // Each stream numbers its own messages from 1.
    expect(seedEmailSse().event(token, undefined)).toContain('"sequence":1}');
    expect(sse.heartbeat()).toBe(': heartbeat\n\n');
    expect(sse.contentType).toBe('text/event-stream; charset=utf-8');
  });

  it('writes batch lines numbered per email, tagged with the email index, untagged when there is none', () => {
    const batch = seedEmailBatch();
    expect(batch.event(token, 2)).toBe(`${JSON.stringify({ type: 'extraction_token', data: { correlation_id: 'r1', token: 'x', index: 0 }, sequence: 1, index: 2 })}\n`);
    expect(batch.event(started, 2)).toBeUndefined();
    expect(batch.event(token, 2)).toContain('"sequence":2,"index":2}');
    expect(batch.event(token, 0)).toContain('"sequence":1,"index":0}');
    expect(batch.control({ event_type: 'error', code: 'internal_error', message: 'm' }, undefined)).toBe(`${JSON.stringify({ type: 'error', data: { error: 'm', code: 'internal_error' }, sequence: 1 })}\n`);
    expect(batch.event(token, undefined)).toBe(`${JSON.stringify({ type: 'extraction_token', data: { correlation_id: 'r1', token: 'x', index: 0 }, sequence: 2 })}\n`);
    expect(batch.control({ event_type: 'connected', transport: 'ndjson', epoch: 'e' }, 1)).toBeUndefined();
    const heartbeat = JSON.parse(batch.heartbeat()) as { type: string; data: { timestamp: string }; sequence?: number };
    expect(heartbeat.type).toBe('heartbeat');
    expect(heartbeat.sequence).toBeUndefined();
    expect(new Date(heartbeat.data.timestamp).toISOString()).toBe(heartbeat.data.timestamp);
    expect(batch.heartbeat().endsWith('}\n')).toBe(true);
    expect(batch.contentType).toBe('application/x-ndjson; charset=utf-8');
  });

  it('numbers with one count per key and leaves out what has no message', () => {
    const numbered = seedSequence<string>();
    expect(numbered({ type: 'a', data: {} }, 'r1')).toEqual({ type: 'a', data: {}, sequence: 1 });
    expect(numbered(undefined, 'r1')).toBeUndefined();
    expect(numbered({ type: 'b', data: {} }, 'r2')?.sequence).toBe(1);
    expect(numbered({ type: 'c', data: {} }, 'r1')?.sequence).toBe(2);
  });
});
