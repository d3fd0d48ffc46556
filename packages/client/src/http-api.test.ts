import { UnfoldError } from '@unfold/protocol';
import { describe, expect, it } from 'vitest';
import { absoluteUrl, errorFromResponse, requestJson } from './http-api.js';

const json = (status: number, body: unknown, statusText = '') => new Response(JSON.stringify(body), { status, statusText, headers: { 'content-type': 'application/json' } });

describe('the client\'s HTTP calls', () => {
  it('keeps the server\'s code, and makes 5xx and 429 transient', async () => {
    expect(await errorFromResponse(json(404, { code: 'run_not_found', message: 'no such run' }))).toMatchObject({ code: 'run_not_found', message: 'no such run', transient: false, details: { status: 404 } });
    expect(await errorFromResponse(json(429, { code: 'rate_limited', message: 'slow down' }))).toMatchObject({ code: 'rate_limited', transient: true });
    expect(await errorFromResponse(json(503, { code: 'server_busy', message: 'busy' }))).toMatchObject({ code: 'server_busy', transient: true });
    expect(await errorFromResponse(json(500, { code: 'storage_unavailable', message: 'disk' }))).toMatchObject({ transient: true });
  });

  it('describes an answer without a known code by its status', async () => {
    const unknownCode = await errorFromResponse(json(418, { code: 'teapot', message: 'short and stout' }, "I'm a teapot"));
    expect(unknownCode).toMatchObject({ code: 'validation_failed', message: 'short and stout', transient: false, details: { status: 418, code: 'teapot' } });
    const notJson = await errorFromResponse(new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    expect(notJson).toMatchObject({ code: 'internal_error', message: 'HTTP 502 Bad Gateway', transient: true, details: { status: 502 } });
    expect(notJson.details).toEqual({ status: 502 });
    expect(await errorFromResponse(json(500, { message: 42 }, 'Internal Server Error'))).toMatchObject({ code: 'internal_error', message: 'HTTP 500 Internal Server Error', transient: true });
    // a code that is not a string is not passed on
    expect((await errorFromResponse(json(400, { code: 7 }))).details).toEqual({ status: 400 });
    expect(await errorFromResponse(json(499, {}, 'Closed'))).toMatchObject({ code: 'validation_failed', transient: false });
  });

  it('resolves paths against the base URL, with or without its trailing slash', () => {
    expect(absoluteUrl('http://host:8080/api', 'v1/runs')).toBe('http://host:8080/api/v1/runs');
    expect(absoluteUrl('http://host:8080/api/', 'v1/runs')).toBe('http://host:8080/api/v1/runs');
  });

  it('sends JSON with the caller\'s headers, and turns a network failure into a transient server_busy', async () => {
    const seen: Array<{ url: string; init: RequestInit | undefined }> = [];
    const fetchImpl = (async (url: string, init?: RequestInit) => {
      seen.push({ url, init });
      return json(200, { ok: true });
    }) as typeof fetch;
    const options = { baseUrl: 'http://host', fetch: fetchImpl, headers: { 'x-api-key': 'k' } };
    expect(await requestJson(options, 'POST', 'v1/runs', { a: 1 })).toEqual({ ok: true });
    expect(await requestJson(options, 'GET', 'v1/runs/r')).toEqual({ ok: true });
    expect(seen[0]).toEqual({ url: 'http://host/v1/runs', init: { method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/json', 'x-api-key': 'k' }, body: '{"a":1}' } });
    expect(seen[1]).toEqual({ url: 'http://host/v1/runs/r', init: { method: 'GET', headers: { accept: 'application/json', 'x-api-key': 'k' } } });

    const refused = await requestJson({ ...options, fetch: (async () => json(409, { code: 'run_exists', message: 'taken' })) as typeof fetch }, 'POST', 'v1/runs', {}).catch((error: unknown) => error);
    expect(UnfoldError.isInstance(refused) && refused.code).toBe('run_exists');
    const down = await requestJson({ ...options, fetch: (async () => Promise.reject(new Error('ECONNREFUSED'))) as typeof fetch }, 'GET', 'v1/runs').catch((error: unknown) => error);
    expect(down).toMatchObject({ code: 'server_busy', transient: true, message: 'cannot reach http://host: ECONNREFUSED' });
  });
});
