import type { UnfoldEvent } from '@unfold/protocol';
import { describe, expect, it } from 'vitest';
import { emailInput, parseSeedMessage, runFailure } from './seed-email-requests.js';

const failed = (code: string): UnfoldEvent =>
  ({ event_type: 'processing_failed', run_id: 'r', seq: 9, timestamp: '2026-01-01T00:00:00.000Z', duration_ms: 1, error: 'it failed', code }) as unknown as UnfoldEvent;

describe('seed 003 requests', () => {
  it('refuses anything but a {"type", "data"} object with the code the add-in gets', () => {
    expect(() => parseSeedMessage('not json')).toThrow(expect.objectContaining({ code: 'invalid_json' }));
    for (const text of ['null', '[]', '"text"', '42']) expect(() => parseSeedMessage(text)).toThrow(expect.objectContaining({ code: 'validation_failed' }));
    expect(() => parseSeedMessage('{"type":"other"}')).toThrow(expect.objectContaining({ code: 'unknown_message' }));
    expect(parseSeedMessage('{"type":"process_email","data":{"body":"hi"}}')).toEqual({ type: 'process_email', data: { body: 'hi' } });
  });

  it('answers a run the input failed with its 4xx code, and a run that failed for a server reason with a 5xx', () => {
    expect(runFailure(failed('no_text_found'))).toMatchObject({ code: 'no_text_found', httpStatus: 422, message: 'it failed' });
    expect(runFailure(failed('tool_timeout'))).toMatchObject({ code: 'tool_failed', httpStatus: 500, details: { code: 'tool_timeout' } });
    expect(runFailure(failed('not-a-code'))).toMatchObject({ code: 'tool_failed', httpStatus: 500 });
  });

  it('takes the original API\'s email fields and nothing else', () => {
    const fields = { sender_name: 'A', sender_email: 'a@b.test', subject: 'S', body: 'B', attachments: [], raw: 'R' };
    expect(emailInput({ ...fields, extra: 1, pipeline: 'other' })).toEqual(fields);
    expect(emailInput({ subject: 'S', body: undefined })).toEqual({ subject: 'S' });
    expect(emailInput(null)).toEqual({});
    expect(emailInput('text')).toEqual({});
  });
});
