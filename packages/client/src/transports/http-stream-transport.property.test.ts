import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ndjsonTransport } from './ndjson-transport.js';
import { sseTransport } from './sse-transport.js';
import type { StreamFrame, Transport, TransportEnd } from './transport.js';

/** Fixed so a failure replays exactly; fast-check prints the seed and path of any counterexample. */
const SEED = Number(process.env['UNFOLD_PROPERTY_SEED'] ?? 20_261_130);

/** Events whose text holds every kind of character, astral ones included (four UTF-8 bytes each). */
const framesArb = fc.array(fc.string({ unit: 'grapheme', maxLength: 12 }), { minLength: 1, maxLength: 15 }).map((deltas): StreamFrame[] => [
  { event_type: 'connected', transport: 'sse', epoch: 'e1', run_id: 'run' },
  ...deltas.map((delta, index) => ({ event_type: 'extraction_token', seq: index + 1, run_id: 'run', event_id: `run:${index + 1}`, pipeline: 'demo', timestamp: '', metadata: {}, delta, index }) as unknown as StreamFrame),
]);

/** The wire forms the server writes, with what the formats allow around them: comments, CRLF, blank lines. */
const encoders: Record<'sse' | 'ndjson', (frames: StreamFrame[], crlf: boolean) => string> = {
  sse: (frames, crlf) =>
    frames
      .map((frame) => `${'seq' in frame ? `id: ${frame.seq}\n` : ''}event: ${frame.event_type}\ndata: ${JSON.stringify(frame)}\n\n: heartbeat\n\n`)
      .join('')
      .replaceAll('\n', crlf ? '\r\n' : '\n'),
  ndjson: (frames) => frames.map((frame) => `${JSON.stringify(frame)}\n`).join('\n'),
};

/** A real Response whose body arrives in the given pieces, cut at any byte, mid-character included. */
function chunkedFetch(bytes: Uint8Array, cuts: number[]): typeof fetch {
  const offsets = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces = [0, ...offsets, bytes.length].flatMap((start, index, all) => (index + 1 < all.length ? [bytes.slice(start, all[index + 1])] : []));
  return async () =>
    new Response(
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (const piece of pieces) controller.enqueue(piece);
          controller.close();
        },
      }),
    );
}

function readAll(transport: Transport, fetchImpl: typeof fetch): Promise<{ frames: StreamFrame[]; end: TransportEnd }> {
  const frames: StreamFrame[] = [];
  return new Promise((resolve) => {
    transport.open({ url: 'http://unfold.test/v1/runs/run/events', after: 0, fetch: fetchImpl, headers: {} }, { frame: (frame) => frames.push(frame), end: (end) => resolve({ frames, end }) });
  });
}

describe.each([
  ['sse', sseTransport],
  ['ndjson', ndjsonTransport],
] as const)('%s transport (property)', (name, transport) => {
  it('hands over exactly the frames the server wrote, however the bytes are cut into chunks', async () => {
    await fc.assert(
      fc.asyncProperty(framesArb, fc.array(fc.nat(), { maxLength: 40 }), fc.boolean(), async (frames, cuts, crlf) => {
        const bytes = new TextEncoder().encode(encoders[name](frames, crlf));
        const { frames: received, end } = await readAll(transport, chunkedFetch(bytes, cuts));
        expect(end.error).toBeUndefined();
        expect(received).toEqual(frames);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
