import type { StreamFrame } from './transport.js';
import { httpStreamTransport } from './http-stream-transport.js';

/** Splits a chunked text stream into lines; a line may span any number of chunks. */
export function lineSplitter(onLine: (line: string) => void): { push(text: string): void } {
  let rest = '';
  return {
    push(text) {
      const lines = (rest + text).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') onLine(line);
    },
  };
}

export const ndjsonTransport = httpStreamTransport('ndjson', 'application/x-ndjson', (sink) =>
  lineSplitter((line) => sink.frame(JSON.parse(line) as StreamFrame)),
);
