import { get, type IncomingMessage } from 'node:http';
import type { Frame } from '../raw-clients.js';

export type HttpStreamFormat = 'sse' | 'ndjson';

export interface HttpStreamReader {
  /** Every frame (connected, events, heartbeats, error), in arrival order. */
  readonly frames: Frame[];
  /** The stored events among them (those with a seq), in arrival order. */
  readonly events: Frame[];
  /** Resolves with the response once its headers arrived. */
  readonly response: Promise<IncomingMessage>;
  /** Settles when the stream is over: `end` when the server ended it, `aborted` when the connection broke. */
  readonly ended: Promise<'end' | 'aborted'>;
  /** Whole frames parsed so far, counted as they come. */
  lastSeq(): number;
  close(): void;
}

/**
 * A raw SSE or NDJSON reader that keeps every frame as it arrives, so a stream cut off
 * mid-run still tells what it delivered. A test stops reading with `response.pause()`.
 */
export function openHttpStream(url: string, format: HttpStreamFormat, headers: Record<string, string> = {}): HttpStreamReader {
  const frames: Frame[] = [];
  const events: Frame[] = [];
  const separator = format === 'sse' ? '\n\n' : '\n';
  let buffered = '';
  const take = (block: string): void => {
    const json = format === 'sse' ? block.split('\n').find((line) => line.startsWith('data: '))?.slice('data: '.length) : block;
    if (!json) return;
    const frame = JSON.parse(json) as Frame;
    frames.push(frame);
    if (typeof frame.seq === 'number') events.push(frame);
  };
  const request = get(url, { headers: { accept: format === 'sse' ? 'text/event-stream' : 'application/x-ndjson', ...headers } });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    request.once('response', resolve);
    request.once('error', reject);
  });
  const ended = new Promise<'end' | 'aborted'>((resolve) => {
    request.on('error', () => resolve('aborted'));
    request.once('response', (incoming) => {
      incoming.setEncoding('utf8');
      incoming.on('data', (chunk: string) => {
        buffered += chunk;
        let cut = buffered.indexOf(separator);
        while (cut >= 0) {
          take(buffered.slice(0, cut));
          buffered = buffered.slice(cut + separator.length);
          cut = buffered.indexOf(separator);
        }
      });
      // `complete` says whether the server ended the response or the connection broke first.
      incoming.on('close', () => resolve(incoming.complete ? 'end' : 'aborted'));
      incoming.on('error', () => resolve('aborted'));
    });
  });
  return {
    frames,
    events,
    response,
    ended,
    lastSeq: () => events.at(-1)?.seq ?? 0,
    close: () => request.destroy(),
  };
}
