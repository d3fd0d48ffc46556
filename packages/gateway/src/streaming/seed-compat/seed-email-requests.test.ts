import type { UnfoldEvent } from '@unfold/protocol';
import { describe, expect, it } from 'vitest';
import { MAX_BATCH_EMAILS, emailInput, parseBatchRequest, parseSeedMessage, runFailure } from './seed-email-requests.js';

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

  it('reads a batch request as the original\'s one email, streamed unless stream_chunks is false, or as many emails, always streamed', () => {
    const email = { sender_email: 'a@b.test', body: 'B' };
    expect(parseBatchRequest(email, {})).toEqual({ emails: [email], many: false, streamChunks: true });
    for (const word of ['false', 'False', '0', 'no', 'off']) expect(parseBatchRequest(email, { stream_chunks: word }).streamChunks, word).toBe(false);
    for (const word of ['true', 'TRUE', '1', 'yes', 'on']) expect(parseBatchRequest(email, { stream_chunks: word }).streamChunks, word).toBe(true);
    expect(parseBatchRequest({ emails: [email, email] }, undefined)).toEqual({ emails: [email, email], many: true, streamChunks: true });
    expect(parseBatchRequest([email], { stream_chunks: 'true' })).toEqual({ emails: [email], many: true, streamChunks: true });
  });

  it('refuses a batch request it cannot read with validation_failed and what to send', () => {
    const refused = (body: unknown, query: unknown, message: string) => expect(() => parseBatchRequest(body, query)).toThrow(expect.objectContaining({ code: 'validation_failed', message: expect.stringContaining(message) }));
    refused({ body: 'B' }, { stream_chunks: 'maybe' }, 'stream_chunks is true or false');
    refused({ body: 'B' }, { stream_chunks: ['true', 'false'] }, 'stream_chunks is true or false');
    for (const body of [null, undefined, 'text', 42]) refused(body, {}, 'send one email {"sender_email"');
    for (const emails of [[], 'x', Array.from({ length: MAX_BATCH_EMAILS + 1 }, () => ({ body: 'B' }))]) refused({ emails }, {}, 'with 1 to 100 emails');
    refused({ emails: [{ body: 'B' }] }, { stream_chunks: 'false' }, 'stream_chunks=false answers one email');
  });
});
