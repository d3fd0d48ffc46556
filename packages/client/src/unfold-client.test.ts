import { UnfoldError, type TransportName } from '@unfold/protocol';
import { describe, expect, it } from 'vitest';
import { negotiated } from './testing/negotiated.js';
import type { Transport } from './transports/transport.js';
import { fakeSockets } from './testing/fake-sockets.js';
import { createClient } from './unfold-client.js';

/** A fetch that answers every request with `answer` and keeps what it was asked. */
function recordingFetch(answer: (url: string) => Response = () => Response.json({})) {
  const requests: Array<{ method: string; url: string; headers: Record<string, string>; body: unknown }> = [];
  const fetchImpl = (async (url: string, init?: RequestInit) => {
    requests.push({ method: init?.method ?? 'GET', url, headers: init?.headers as Record<string, string>, body: init?.body === undefined ? undefined : JSON.parse(init.body as string) });
    return answer(url);
  }) as typeof fetch;
  return { fetchImpl, requests };
}

/** A transport that records the URLs it was opened with and never connects. */
function silentTransport(name: TransportName, opened: string[]): Transport {
  return { name, open: (request) => (opened.push(`${name} ${request.url}`), { close: () => undefined }) };
}

describe('createClient', () => {
  it('calls the REST API with the API key and the caller\'s headers', async () => {
    const { fetchImpl, requests } = recordingFetch();
    const client = createClient({ baseUrl: 'http://host/base', fetch: fetchImpl, apiKey: 'secret', headers: { 'x-trace': 't' } });
    await client.createRun({ pipeline: 'demo', input: {} });
    await client.getRun('a/b');
    await client.listRuns();
    await client.listRuns({ status: 'failed', limit: 5, cursor: undefined });
    await client.cancelRun('r1');
    await client.negotiate(['r1', 'r2']);
    await client.listPipelines();
    expect(requests.map(({ method, url, body }) => [method, url, body])).toEqual([
      ['POST', 'http://host/base/v1/runs', { pipeline: 'demo', input: {} }],
      ['GET', 'http://host/base/v1/runs/a%2Fb', undefined],
      ['GET', 'http://host/base/v1/runs', undefined],
      ['GET', 'http://host/base/v1/runs?status=failed&limit=5', undefined],
      ['POST', 'http://host/base/v1/runs/r1/cancel', {}],
      ['POST', 'http://host/base/v1/negotiate', { run_ids: ['r1', 'r2'] }],
      ['GET', 'http://host/base/v1/pipelines', undefined],
    ]);
    expect(requests[0]?.headers).toMatchObject({ 'x-api-key': 'secret', 'x-trace': 't' });
    const anonymous = recordingFetch();
    await createClient({ baseUrl: 'http://host', fetch: anonymous.fetchImpl }).getRun('r');
    expect(anonymous.requests[0]?.headers).not.toHaveProperty('x-api-key');
  });

  it('with getToken instead of a key, asks it before each request and sends its answer as a bearer, and refuses both at once', async () => {
    const { fetchImpl, requests } = recordingFetch(() => Response.json(negotiated));
    let issued = 0;
    const client = createClient({ baseUrl: 'http://host', fetch: fetchImpl, getToken: async () => `credential-${++issued}` });
    await client.listRuns();
    await client.negotiate([]);
    expect(requests.map((request) => request.headers['authorization'])).toEqual(['Bearer credential-1', 'Bearer credential-2']);
    expect(requests[0]?.headers).not.toHaveProperty('x-api-key');
    expect(() => createClient({ baseUrl: 'http://host', apiKey: 'key', getToken: () => 'credential' })).toThrow(expect.objectContaining({ code: 'invalid_input' }));
  });

  it('streams over the transports asked for, in that order, a custom one replacing the built-in of its name', async () => {
    const opened: string[] = [];
    const { fetchImpl } = recordingFetch(() => Response.json(negotiated));
    const client = createClient({
      baseUrl: 'http://host',
      fetch: fetchImpl,
      transports: ['ndjson', 'long-poll'],
      customTransports: [silentTransport('ndjson', opened), silentTransport('sse', opened)],
    });
    const stream = client.watch('r1');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(opened).toEqual(['ndjson http://host/v1/runs/r1/ndjson?access_token=token']);
    stream.close();
  });

  it('uses the WebSocket it is given, and refuses to watch runs without one', async () => {
    const { sockets, WebSocket } = fakeSockets();
    const { fetchImpl } = recordingFetch(() => Response.json(negotiated));
    const client = createClient({ baseUrl: 'http://host', fetch: fetchImpl, WebSocket });
    const stream = client.watch('r1');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sockets.map((socket) => socket.url)).toEqual(['ws://host/v1/runs/r1/websocket?access_token=token']);
    stream.close();
    client.watchRuns({ update: () => undefined }).close();
    expect(sockets.at(-1)?.url).toBe('ws://host/v1/ws');

    const withoutSocket = createClient({ baseUrl: 'http://host', fetch: fetchImpl });
    expect(() => withoutSocket.watchRuns({ update: () => undefined })).toThrow(expect.objectContaining({ code: 'invalid_input' }));
  });

  it('runAndWatch subscribes under the run id it creates, and fails the stream when the run cannot be created', async () => {
    const opened: string[] = [];
    const created = recordingFetch((url) => (url.endsWith('/negotiate') ? Response.json(negotiated) : Response.json({ run_id: 'mine' })));
    const client = createClient({ baseUrl: 'http://host', fetch: created.fetchImpl, transports: ['sse'], customTransports: [silentTransport('sse', opened)] });
    const stream = client.runAndWatch({ pipeline: 'demo', input: {}, run_id: 'mine' });
    expect(stream.runId).toBe('mine');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(created.requests.find((request) => request.url.endsWith('/v1/runs'))?.body).toEqual({ pipeline: 'demo', input: {}, run_id: 'mine' });
    stream.close();
    const generated = client.runAndWatch({ pipeline: 'demo', input: {} });
    expect(generated.runId).toMatch(/^[0-9a-f-]{36}$/);
    generated.close();

    // A refusal keeps the server's code; an answer that is not JSON is the client's internal_error.
    const answers: Array<[() => Response, string]> = [
      [() => Response.json({ code: 'unknown_pipeline', message: 'no such pipeline' }, { status: 422 }), 'unknown_pipeline'],
      [() => new Response('not json', { status: 200 }), 'internal_error'],
    ];
    for (const [answer, code] of answers) {
      const refusing = createClient({
        baseUrl: 'http://host',
        fetch: (async (url: string) => (url.endsWith('/negotiate') ? Response.json(negotiated) : answer())) as typeof fetch,
        transports: ['sse'],
        customTransports: [silentTransport('sse', [])],
      });
      const failed = refusing.runAndWatch({ pipeline: 'demo', input: {} });
      const error = await failed.done.catch((caught: unknown) => caught);
      expect(UnfoldError.isInstance(error) && error.code).toBe(code);
      expect(failed.state).toMatchObject({ status: 'closed', reason: 'failed' });
    }
  });
});
