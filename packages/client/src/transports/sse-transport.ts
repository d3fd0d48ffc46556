import { createParser } from 'eventsource-parser';
import type { StreamFrame } from './transport.js';
import { httpStreamTransport } from './http-stream-transport.js';

export const sseTransport = httpStreamTransport('sse', 'text/event-stream', (sink) => {
  const parser = createParser({
    onEvent(message) {
      sink.frame(JSON.parse(message.data) as StreamFrame);
    },
  });
  return { push: (text) => parser.feed(text) };
});
