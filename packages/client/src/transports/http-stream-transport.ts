import { UnfoldError } from '@unfold/protocol';
import { errorFromResponse } from '../http-api.js';
import { onceEnd, type Transport, type TransportRequest, type TransportSink } from './transport.js';

/** Feeds decoded text chunks to a format's parser; returns a function to call at the end. */
export type ChunkParser = (sink: TransportSink) => { push(text: string): void };

/**
 * SSE and NDJSON over `fetch` streaming: the same request, reading and shutdown, with
 * only the framing different. Works in browsers and Node without EventSource.
 */
export function httpStreamTransport(name: 'sse' | 'ndjson', accept: string, parser: ChunkParser): Transport {
  return {
    name,
    open(request: TransportRequest, rawSink) {
      const sink = onceEnd(rawSink);
      const controller = new AbortController();
      void (async () => {
        try {
          const response = await request.fetch(request.url, { headers: { accept, ...request.headers }, signal: controller.signal });
          if (!response.ok || !response.body) return sink.end({ error: await errorFromResponse(response) });
          const parse = parser(sink);
          const decoder = new TextDecoder();
          const reader = response.body.getReader();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            parse.push(decoder.decode(value, { stream: true }));
          }
          sink.end({});
        } catch (error) {
          if (controller.signal.aborted) return sink.end({});
          sink.end({ error: new UnfoldError('server_busy', `${name} stream broke: ${(error as Error).message}`, { transient: true, cause: error }) });
        }
      })();
      return { close: () => controller.abort() };
    },
  };
}
