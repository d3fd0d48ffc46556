import { describe, expect, it } from 'vitest';
import { ndjsonTransport } from './ndjson-transport.js';
import type { StreamFrame, TransportEnd } from './transport.js';

/** Opens the NDJSON transport against one answer; resolves with what it was told. */
async function streamFrom(answer: Response | Error): Promise<{ frames: StreamFrame[]; end: TransportEnd; headers: Record<string, string> }> {
  const frames: StreamFrame[] = [];
  let headers: Record<string, string> = {};
  const fetch = (async (_url: string, init: RequestInit) => {
    headers = init.headers as Record<string, string>;
    if (answer instanceof Error) throw answer;
    return answer;
  }) as unknown as typeof globalThis.fetch;
  const end = await new Promise<TransportEnd>((resolve) => {
    ndjsonTransport.open({ url: 'http://unfold.test/v1/runs/run/events', after: 0, fetch, headers: { 'x-api-key': 'k' } }, { frame: (frame) => frames.push(frame), end: resolve });
  });
  return { frames, end, headers };
}

describe('httpStreamTransport (NDJSON)', () => {
  it('asks for its format with the client\'s headers, and ends cleanly when the stream does, its last line whole', async () => {
    const { frames, end, headers } = await streamFrom(new Response('{"event_type":"connected","transport":"ndjson","epoch":"e"}\n  \n{"event_type":"heartbeat"}\n'));
    expect(headers).toEqual({ accept: 'application/x-ndjson', 'x-api-key': 'k' });
    expect(frames.map((frame) => frame.event_type)).toEqual(['connected', 'heartbeat']);
    expect(end).toEqual({});
  });

  it('ends with the server\'s coded error when it answers one, and with a transient server_busy when the network breaks', async () => {
    const refused = await streamFrom(new Response(JSON.stringify({ code: 'unauthorized', message: 'no key' }), { status: 401 }));
    expect(refused.end.error).toMatchObject({ code: 'unauthorized', message: 'no key', details: { status: 401 } });
    const broken = await streamFrom(new Error('ECONNRESET'));
    expect(broken.end.error).toMatchObject({ code: 'server_busy', message: 'ndjson stream broke: ECONNRESET', transient: true });
    expect(broken.frames).toEqual([]);
  });
});
