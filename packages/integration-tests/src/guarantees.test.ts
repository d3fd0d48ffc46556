import { join } from 'node:path';
import { createSqliteStore } from '@unfold/engine';
import { describe, expect, it } from 'vitest';
import { openHttpStream } from './faults/http-stream-reader.js';
import { expectGapless, getJson, openSocket, parseNdjson, parseSse, postJson, readStream, stored, type Frame } from './raw-clients.js';
import { startTestServer, useTestServer } from './test-server.js';

/**
 * docs/protocol.md's delivery guarantees, each against the real server over real sockets. Every test
 * here fails if the guarantee it names is broken.
 */
describe('delivery guarantees', () => {
  const server = useTestServer();

  const startRun = async (pipeline: string, input: Record<string, unknown> = {}, runId?: string) => {
    const response = await postJson(`${server().url}/v1/runs`, { pipeline, input, ...(runId ? { run_id: runId } : {}) });
    expect(response.status).toBe(201);
    return response.body['run_id'] as string;
  };

  it('orders a run totally by seq, processing_started first and one terminal event last', async () => {
    const runId = await startRun('demo', { pace: 0.2 });
    const { text } = await readStream(`${server().url}/v1/runs/${runId}/events`, 'application/x-ndjson');
    const events = stored(parseNdjson(text));
    expect(expectGapless(events)).toBe(true);
    expect(events[0]?.event_type).toBe('processing_started');
    expect(events.at(-1)?.event_type).toBe('processing_completed');
    expect(events.filter((event) => event.event_type.startsWith('processing_'))).toHaveLength(2);
    for (const event of events) expect(event.event_id).toBe(`${runId}:${event.seq}`);
  });

  it('delivers a run to a subscriber that connected before the run existed, from seq 1', async () => {
    const runId = `early-${Date.now()}`;
    const live = openSocket(`${server().wsUrl}/v1/runs/${runId}/ws`);
    await live.waitFor((frame) => frame.event_type === 'connected');
    await startRun('demo', { pace: 0 }, runId);
    const { code } = await live.closed;
    expect(code).toBe(1000);
    expect(stored(live.frames)[0]?.seq).toBe(1);
    expect(expectGapless(live.frames)).toBe(true);
    expect(stored(live.frames).at(-1)?.event_type).toBe('processing_completed');
  });

  // Over a real socket the replay rarely pauses at its last page, so the hand-over of events
  // only the live buffer holds is pinned down by follow-run.test.ts, where it is forced.
  it('replays history then live with no gap and no duplicate while events are being appended', async () => {
    // Many events with pauses: subscribers join mid-run at positions inside the history.
    const runId = await startRun('firehose', { events: 3_000, pause_every: 50, pause_ms: 10 });
    const joins = [0, 50, 400, 1_200].map(async (after, index) => {
      while (((await getJson(`${server().url}/v1/runs/${runId}`)).body['last_seq'] as number) < after + 20) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const live = openSocket(`${server().wsUrl}/v1/runs/${runId}/ws?after=${after}${index % 2 ? '&batch=1' : ''}`);
      await live.closed;
      return { after, events: stored(live.frames) };
    });
    for (const { after, events } of await Promise.all(joins)) {
      expect(events[0]?.seq).toBe(after + 1);
      expect(expectGapless(events, after + 1)).toBe(true);
      expect(events.at(-1)?.event_type).toBe('processing_completed');
    }
  });

  it('resumes from Last-Event-ID on SSE with exactly the missing events', async () => {
    const runId = await startRun('demo', { pace: 0 });
    const all = stored(parseNdjson((await readStream(`${server().url}/v1/runs/${runId}/events`, 'application/x-ndjson')).text));
    const resumed = parseSse((await readStream(`${server().url}/v1/runs/${runId}/events`, 'text/event-stream', { 'last-event-id': '5' })).text);
    const events = resumed.filter((message) => message.id !== undefined);
    expect(events.map((message) => Number(message.id))).toEqual(all.slice(5).map((event) => event.seq));
    expect(events[0]?.event).toBe(all[5]?.event_type);
    expect(resumed[0]?.event).toBe('connected');
  });

  // The SDK drops a seq it holds, so resuming through it would hide a server that sends one
  // twice or starts past the resume point: these clients read the wire as it is.
  describe('resumes mid-run from the last seq held, with no duplicate and no gap on the wire', () => {
    const CUT_AT = 300;
    const firehose = () => startRun('firehose', { events: 3_000, pause_every: 30, pause_ms: 10 });
    /** The first connection's events and the resumed one's, joined, must be exactly 1..last. */
    const expectWhole = (first: Frame[], resumed: Frame[]) => {
      const cut = first.at(-1)?.seq ?? 0;
      expect(cut).toBeGreaterThanOrEqual(CUT_AT);
      expect(expectGapless(first)).toBe(true);
      expect(resumed[0]?.seq).toBe(cut + 1);
      expect(expectGapless(resumed, cut + 1)).toBe(true);
      expect(resumed.at(-1)?.event_type).toBe('processing_completed');
      expect(resumed.at(-1)?.seq).toBe(3_004); // processing_started, tool_started, 3,000 tokens, tool_completed, terminal
    };

    it('over WebSocket (after and epoch in the query)', async () => {
      const runId = await firehose();
      const first = openSocket(`${server().wsUrl}/v1/runs/${runId}/ws`);
      const connected = await first.waitFor((frame) => frame.event_type === 'connected');
      await first.waitFor((frame) => (frame.seq ?? 0) >= CUT_AT);
      first.socket.terminate();
      await first.closed;
      const held = stored(first.frames);
      const again = openSocket(`${server().wsUrl}/v1/runs/${runId}/ws?after=${held.at(-1)?.seq}&epoch=${String(connected['epoch'])}`);
      expect((await again.closed).code).toBe(1000);
      expectWhole(held, stored(again.frames));
    });

    for (const format of ['sse', 'ndjson'] as const) {
      it(`over ${format === 'sse' ? 'SSE (Last-Event-ID)' : 'NDJSON (after in the query)'}`, async () => {
        const runId = await firehose();
        const first = openHttpStream(`${server().url}/v1/runs/${runId}/events`, format);
        while (first.lastSeq() < CUT_AT) await new Promise((resolve) => setTimeout(resolve, 2));
        first.close();
        await first.ended;
        const held = [...first.events];
        const cut = String(held.at(-1)?.seq);
        const again = format === 'sse' ? openHttpStream(`${server().url}/v1/runs/${runId}/events`, 'sse', { 'last-event-id': cut }) : openHttpStream(`${server().url}/v1/runs/${runId}/events?after=${cut}`, 'ndjson');
        expect(await again.ended).toBe('end');
        expectWhole(held, again.events);
      });
    }

    it('over long-poll (after in each request)', async () => {
      const runId = await firehose();
      const poll = async (after: number) => {
        const page = await getJson(`${server().url}/v1/runs/${runId}/events?after=${after}&wait=5&limit=100`, { accept: 'application/json' });
        expect(page.status).toBe(200);
        return page.body as { events: Frame[]; done: boolean };
      };
      const held: Frame[] = [];
      while ((held.at(-1)?.seq ?? 0) < CUT_AT) held.push(...(await poll(held.at(-1)?.seq ?? 0)).events);
      // a client that went away and came back: it starts again from what it holds
      const resumed: Frame[] = [];
      for (let done = false; !done; ) {
        const page = await poll(resumed.at(-1)?.seq ?? (held.at(-1)?.seq as number));
        resumed.push(...page.events);
        done = page.done;
      }
      expectWhole(held, resumed);
    });
  });

  it('says resync (or 410 on long-poll) when the position is gone or the epoch changed — never skips', async () => {
    const runId = await startRun('demo', { pace: 0 });
    await readStream(`${server().url}/v1/runs/${runId}/events`, 'application/x-ndjson');

    const beyond = parseNdjson((await readStream(`${server().url}/v1/runs/${runId}/events?after=999`, 'application/x-ndjson')).text);
    expect(beyond.at(-1)).toMatchObject({ event_type: 'resync', reason: 'position_gone', status: 'completed' });
    expect(stored(beyond)).toHaveLength(0);

    const otherEpoch = parseSse((await readStream(`${server().url}/v1/runs/${runId}/events?after=2&epoch=old-epoch`, 'text/event-stream')).text);
    expect(otherEpoch.at(-1)).toMatchObject({ event: 'resync', data: { reason: 'epoch_changed' } });

    const poll = await getJson(`${server().url}/v1/runs/${runId}/events?after=3&epoch=old-epoch&wait=0`, { accept: 'application/json' });
    expect(poll.status).toBe(410);
    expect(poll.body).toMatchObject({ code: 'resync_required', resync: { reason: 'epoch_changed', status: 'completed' } });

    const socket = openSocket(`${server().wsUrl}/v1/runs/unknown-run/ws?after=4`);
    expect((await socket.closed).code).toBe(4010);
    expect(socket.frames.at(-1)).toMatchObject({ event_type: 'resync', reason: 'position_gone', status: null });
  });

  it('cuts a slow consumer off with its own close code instead of buffering, and it resumes without loss', async () => {
    const small = await startTestServer({ UNFOLD_SEND_BUFFER_BYTES: '65536' });
    try {
      const runId = `slow-${Date.now()}`;
      const slow = openSocket(`${small.wsUrl}/v1/runs/${runId}/ws`);
      await slow.waitFor((frame) => frame.event_type === 'connected');
      // Stop reading: the kernel buffers fill, then the server's send buffer passes its limit.
      (slow.socket as unknown as { _socket: { pause(): void } })._socket.pause();
      await postJson(`${small.url}/v1/runs`, { pipeline: 'firehose', run_id: runId, input: { events: 2_000, padding: 4_000 } });
      const resumeAt = await new Promise<number>((resolve) => {
        setTimeout(() => {
          (slow.socket as unknown as { _socket: { resume(): void } })._socket.resume();
        }, 1_500);
        void slow.closed.then(() => resolve(stored(slow.frames).at(-1)?.seq ?? 0));
      });
      expect((await slow.closed).code).toBe(4008);
      expect(resumeAt).toBeLessThan(2_003);
      const stats = await getJson(`${small.url}/v1/stats`);
      expect((stats.body['streams'] as { slow_consumer_disconnects: number }).slow_consumer_disconnects).toBeGreaterThanOrEqual(1);
      // Nothing lost: resume from the last seq held and get the rest, gapless.
      const rest = stored(parseNdjson((await readStream(`${small.url}/v1/runs/${runId}/events?after=${resumeAt}`, 'application/x-ndjson')).text));
      expect(rest[0]?.seq).toBe(resumeAt + 1);
      expect(expectGapless(rest, resumeAt + 1)).toBe(true);
      expect(rest.at(-1)?.event_type).toBe('processing_completed');
    } finally {
      await small.cleanup();
    }
  });

  it('keeps a run going when its only client leaves', async () => {
    const runId = `leave-${Date.now()}`;
    const live = openSocket(`${server().wsUrl}/v1/runs/${runId}/ws`);
    await live.waitFor((frame) => frame.event_type === 'connected');
    await startRun('demo', { pace: 0.3 }, runId);
    await live.waitFor((frame) => frame.event_type === 'tool_started');
    live.socket.terminate();
    let status = '';
    for (let attempt = 0; attempt < 100 && status !== 'completed'; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = (await getJson(`${server().url}/v1/runs/${runId}`)).body['status'] as string;
    }
    expect(status).toBe('completed');
  });

  it('multiplexes runs on /v1/ws with type filters, always sending the terminal event', async () => {
    const a = await startRun('demo', { pace: 0.2 });
    const b = await startRun('demo', { pace: 0.2 });
    const live = openSocket(`${server().wsUrl}/v1/ws`);
    await live.opened;
    live.socket.send(JSON.stringify({ type: 'subscribe', run_id: a, types: ['field_labeled'] }));
    live.socket.send(JSON.stringify({ type: 'subscribe', run_id: b }));
    await live.waitFor((frame) => frame.run_id === a && frame.event_type === 'processing_completed');
    await live.waitFor((frame) => frame.run_id === b && frame.event_type === 'processing_completed');
    const ofA = stored(live.frames).filter((frame) => frame.run_id === a);
    expect(new Set(ofA.map((frame) => frame.event_type))).toEqual(new Set(['field_labeled', 'processing_completed']));
    expect(expectGapless(stored(live.frames).filter((frame) => frame.run_id === b))).toBe(true);
    expect(live.frames.filter((frame) => frame.event_type === 'subscribed')).toHaveLength(2);
    live.socket.close();
  });

  it('survives a restart: same epoch, same events, runs left open are ended, a lost terminal event is restored', async () => {
    const durable = await startTestServer();
    const runId = await (async () => {
      const response = await postJson(`${durable.url}/v1/runs`, { pipeline: 'demo', input: { pace: 0 } });
      return response.body['run_id'] as string;
    })();
    const before = stored(parseNdjson((await readStream(`${durable.url}/v1/runs/${runId}/events`, 'application/x-ndjson')).text));
    const epoch = ((await getJson(`${durable.url}/readyz`)).body['epoch'] as string) ?? '';
    await durable.close();
    // A process that died mid-run: the record says running and the log has no terminal event.
    const crashed = createSqliteStore({ path: join(durable.dataDir, 'unfold.sqlite') });
    await crashed.runs.create({ run_id: 'crashed', tenant: 'default', pipeline: 'demo', status: 'running', input: {}, metadata: {}, created_at: new Date().toISOString(), started_at: null, finished_at: null, error: null });
    await crashed.events.append('crashed', { event_type: 'processing_started', pipeline: 'demo' });
    await crashed.events.append('crashed', { event_type: 'tool_started', pipeline: 'demo', tool_name: 'fetch_document', status: 'started', attempt: 1 });
    // One that died between writing its final status and committing its terminal event.
    await crashed.runs.create({ run_id: 'ending', tenant: 'default', pipeline: 'demo', status: 'completed', input: {}, metadata: {}, created_at: new Date().toISOString(), started_at: '2026-01-01T00:00:00.000Z', finished_at: '2026-01-01T00:00:01.250Z', result: { total: '9.99' }, error: null });
    await crashed.events.append('ending', { event_type: 'processing_started', pipeline: 'demo' });
    await crashed.close();

    const again = await startTestServer({}, { dataDir: durable.dataDir });
    try {
      expect((await getJson(`${again.url}/readyz`)).body['epoch']).toBe(epoch);
      const after = stored(parseNdjson((await readStream(`${again.url}/v1/runs/${runId}/events?epoch=${epoch}`, 'application/x-ndjson')).text));
      expect(after).toEqual(before);
      const ended = stored(parseNdjson((await readStream(`${again.url}/v1/runs/crashed/events`, 'application/x-ndjson')).text));
      expect(ended.map((event: Frame) => event.event_type)).toEqual(['processing_started', 'tool_started', 'processing_failed']);
      expect(ended.at(-1)).toMatchObject({ code: 'run_interrupted', seq: 3 });
      expect((await getJson(`${again.url}/v1/runs/crashed`)).body).toMatchObject({ status: 'failed', error: { code: 'run_interrupted' } });
      const completed = stored(parseNdjson((await readStream(`${again.url}/v1/runs/ending/events`, 'application/x-ndjson')).text));
      expect(completed.map((event: Frame) => event.event_type)).toEqual(['processing_started', 'processing_completed']);
      expect(completed.at(-1)).toMatchObject({ seq: 2, duration_ms: 1250, result: { total: '9.99' } });
      expect((await getJson(`${again.url}/v1/runs/ending`)).body).toMatchObject({ status: 'completed' });
    } finally {
      await again.cleanup();
    }
  });
});
