import type { UnfoldEvent } from '@unfold/protocol';
import { describe, expect, it } from 'vitest';
import { SEED_EMAIL_BATCH, SEED_EMAIL_SSE, seedControlMessage } from './seed-email-codecs.js';

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

  it('writes SSE messages named by their type, and nothing for what the add-in has no name for', () => {
    expect(SEED_EMAIL_SSE.event(token, undefined)).toBe(`event: extraction_token\ndata: ${JSON.stringify({ type: 'extraction_token', data: { correlation_id: 'r1', token: 'x', index: 0 } })}\n\n`);
    expect(SEED_EMAIL_SSE.event(started, undefined)).toBeUndefined();
    expect(SEED_EMAIL_SSE.control({ event_type: 'connected', transport: 'sse', epoch: 'e' }, undefined)).toBeUndefined();
    expect(SEED_EMAIL_SSE.control({ event_type: 'error', code: 'internal_error', message: 'm' }, undefined)).toBe(
      `event: error\ndata: ${JSON.stringify({ type: 'error', data: { error: 'm', code: 'internal_error' } })}\n\n`,
    );
    expect(SEED_EMAIL_SSE.heartbeat()).toBe(': heartbeat\n\n');
    expect(SEED_EMAIL_SSE.contentType).toBe('text/event-stream; charset=utf-8');
  });

  it('writes batch lines tagged with the email index, untagged when there is none', () => {
    expect(SEED_EMAIL_BATCH.event(token, 2)).toBe(`${JSON.stringify({ type: 'extraction_token', data: { correlation_id: 'r1', token: 'x', index: 0 }, index: 2 })}\n`);
    expect(SEED_EMAIL_BATCH.event(started, 2)).toBeUndefined();
    expect(SEED_EMAIL_BATCH.control({ event_type: 'error', code: 'internal_error', message: 'm' }, undefined)).toBe(`${JSON.stringify({ type: 'error', data: { error: 'm', code: 'internal_error' } })}\n`);
    expect(SEED_EMAIL_BATCH.control({ event_type: 'connected', transport: 'ndjson', epoch: 'e' }, 1)).toBeUndefined();
    const heartbeat = JSON.parse(SEED_EMAIL_BATCH.heartbeat()) as { type: string; data: { timestamp: string } };
    expect(heartbeat.type).toBe('heartbeat');
    expect(new Date(heartbeat.data.timestamp).toISOString()).toBe(heartbeat.data.timestamp);
    expect(SEED_EMAIL_BATCH.heartbeat().endsWith('}\n')).toBe(true);
    expect(SEED_EMAIL_BATCH.contentType).toBe('application/x-ndjson; charset=utf-8');
  });
});
