import { UnfoldError } from '@unfold/protocol';
import { describe, expect, it } from 'vitest';
import { toUnfoldError } from './error-handler.js';

const fastifyError = (code: string, statusCode: number) => Object.assign(new Error(`${code} happened`), { code, statusCode });

describe('toUnfoldError', () => {
  it.each([
    ['FST_ERR_BAD_URL', 400, 'bad_request'],
    ['FST_ERR_CTP_INVALID_CONTENT_LENGTH', 400, 'bad_request'],
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'unsupported_media_type'],
    ['FST_ERR_MAX_PARAM_LENGTH', 414, 'validation_failed'],
    // A 4xx nobody mapped stays the client's mistake, with a code of its status or a plain 400.
    ['FST_ERR_SOMETHING_NEW', 403, 'forbidden'],
    ['FST_ERR_SOMETHING_NEW', 405, 'bad_request'],
    ['PLUGIN_ERROR', 422, 'bad_request'],
  ])('maps %s (%i) to %s', (code, status, expected) => {
    expect(toUnfoldError(fastifyError(code, status)).code).toBe(expected);
  });

  it('keeps an UnfoldError and hides what a server fault was', () => {
    const known = new UnfoldError('run_exists', 'taken');
    expect(toUnfoldError(known)).toBe(known);
    const fault = toUnfoldError(new TypeError('secret detail'));
    expect(fault.toJSON()).toEqual({ code: 'internal_error', message: 'internal error' });
  });
});
