import { describe, expect, it } from 'vitest';
import { longPollTransport } from './long-poll-transport.js';
import type { StreamFrame, TransportEnd } from './transport.js';

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const poll = (events: number[], lastSeq: number, done = false) => ({
  run_id: 'run',
  status: 'running',
  epoch: 'e1',
  events: events.map((seq) => ({ event_type: 'extraction_token', seq, run_id: 'run', event_id: `run:${seq}`, pipeline: 'demo', timestamp: '', metadata: {}, delta: 't', index: seq })),
  last_seq: lastSeq,
  done,
});

/** Runs the transport against answers given in order, recording each request's URL and headers. */
function pollAgainst(answers: Array<Response | Error | 'hang'>, after = 0) {
  const requests: Array<{ url: URL; headers: Record<string, string> }> = [];
  const frames: StreamFrame[] = [];
  let ended!: (end: TransportEnd) => void;
  const end = new Promise<TransportEnd>((resolve) => (ended = resolve));
  const fetch = (async (input: URL, init: RequestInit) => {
    requests.push({ url: new URL(input), headers: init.headers as Record<string, string> });
    const answer = answers.shift() ?? 'hang';
    if (answer instanceof Error) throw answer;
    if (answer === 'hang') return new Promise<Response>((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
    return answer;
  }) as unknown as typeof globalThis.fetch;
  const connection = longPollTransport.open({ url: 'http://unfold.test/v1/runs/run/events?access_token=t', after, fetch, headers: { 'x-api-key': 'k' } }, { frame: (frame) => frames.push(frame), end: (value) => ended(value) });
  return { requests, frames, end, connection };
}

describe('longPollTransport', () => {
  it('opens without waiting, then polls with a wait from the last seq it was given, and ends with the run', async () => {
    const { requests, frames, end } = pollAgainst([json(200, poll([4, 5], 5)), json(200, poll([6], 9)), json(200, poll([10], 10, true))], 3);
    expect(await end).toEqual({});
    expect(requests.map(({ url }) => [url.searchParams.get('after'), url.searchParams.get('wait'), url.searchParams.get('access_token')])).toEqual([
      ['3', '0', 't'],
      ['5', '25', 't'],
      ['9', '25', 't'],
    ]);
    expect(requests[0]?.headers).toEqual({ accept: 'application/json', 'x-api-key': 'k' });
    expect(frames[0]).toEqual({ event_type: 'connected', transport: 'long-poll', epoch: 'e1', run_id: 'run' });
    expect(frames.filter((frame) => frame.event_type === 'connected')).toHaveLength(1);
    expect(frames.slice(1).map((frame) => (frame as { seq: number }).seq)).toEqual([4, 5, 6, 10]);
  });

  it('hands a 410 over as its resync frame and ends', async () => {
    const resync = { event_type: 'resync', run_id: 'run', reason: 'epoch_changed', status: 'completed', epoch: 'e2', last_seq: 7 };
    const { frames, end } = pollAgainst([json(410, { code: 'resync_required', message: 'gone', resync })], 4);
    expect(await end).toEqual({});
    expect(frames).toEqual([resync]);
  });

  it('ends with the server\'s coded error, with its status', async () => {
    const { end } = pollAgainst([json(403, { code: 'forbidden', message: 'not yours' })]);
    expect((await end).error).toMatchObject({ code: 'forbidden', message: 'not yours', details: { status: 403 } });
  });

  it('ends with a transient server_busy when the network breaks, and quietly when closed', async () => {
    const broken = pollAgainst([new Error('socket hang up')]);
    expect((await broken.end).error).toMatchObject({ code: 'server_busy', message: 'long-poll broke: socket hang up', transient: true });
    const closed = pollAgainst([json(200, poll([1], 1))]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    closed.connection.close();
    expect(await closed.end).toEqual({});
  });
});
