import type { UnfoldEvent } from '@unfold/protocol';
import { describe, expect, it } from 'vitest';
import { emailInput, parseSeedMessage, runFailure } from './seed-email-requests.js';

const failed = (code: string): UnfoldEvent =>
  ({ event_type: 'processing_failed', run_id: 'r', seq: 9, timestamp: '2026-01-01T00:00:00.000Z', duration_ms: 1, error: 'it failed', code }) as unknown as UnfoldEvent;

describe('seed 003 requests', () => {
  it('refuses anything but a {"type", "data"} object with the code the add-in gets', () => {
    expect(() => parseSeedMessage('not json')).toThrow(expect.objectContaining({ code: 'invalid_json', message: 'messages are JSON' }));
    for (const text of ['null', '[]', '"text"', '42']) expect(() => parseSeedMessage(text)).toThrow(expect.objectContaining({ code: 'validation_failed', message: 'a message is a JSON object {"type", "data"}' }));
    expect(() => parseSeedMessage('{"type":"other"}')).toThrow(expect.objectContaining({ code: 'unknown_message', message: 'unknown message type "other"' }));
    expect(parseSeedMessage('{"type":"process_email","data":{"body":"hi"}}')).toEqual({ type: 'process_email', data: { body: 'hi' } });
  });

  it('answers a run the input failed with its 4xx code, and a run that failed for a server reason with a 5xx', () => {
    expect(runFailure(failed('no_text_found'))).toMatchObject({ code: 'no_text_found', httpStatus: 422, message: 'it failed' });
    expect(runFailure(failed('tool_timeout'))).toMatchObject({ code: 'tool_failed', httpStatus: 500, details: { code: 'tool_timeout' } });
    expect(runFailure(failed('not-a-code'))).toMatchObject({ code: 'tool_failed', httpStatus: 500 });
    // 500 itself is the server's, not the input's
    expect(runFailure(failed('internal_error'))).toMatchObject({ code: 'tool_failed', details: { code: 'internal_error' } });
    const { error: _error, ...silent } = failed('tool_failed') as unknown as Record<string, unknown>;
    expect(runFailure(silent as unknown as UnfoldEvent).message).toBe('the email could not be processed');
  });

  it('takes the original API\'s email fields and nothing else', () => {
    const fields = { sender_name: 'A', sender_email: 'a@b.test', subject: 'S', body: 'B', attachments: [], raw: 'R' };
    expect(emailInput({ ...fields, extra: 1, pipeline: 'other' })).toEqual(fields);
    expect(emailInput({ subject: 'S', body: undefined })).toEqual({ subject: 'S' });
    for (const data of [null, undefined, 'body text', 42]) expect(emailInput(data)).toEqual({});
    expect(emailInput(null)).toEqual({});
    expect(emailInput('text')).toEqual({});
  });
});
