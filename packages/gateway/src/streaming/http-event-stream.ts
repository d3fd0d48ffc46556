import { isTerminalEventType, type ControlFrame, type UnfoldEvent } from '@unfold/protocol';
import { eventJson, followRun, type Follow, type Store } from '@unfold/engine';
import type { FastifyReply } from 'fastify';
import type { StreamObserver } from './stream-observer.js';
import type { SubscriptionRequest } from './subscription-request.js';

export type HttpStreamFormat = 'sse' | 'ndjson';

interface FrameFormat {
  contentType: string;
  event(event: UnfoldEvent): string;
  control(frame: ControlFrame): string;
  heartbeat(): string;
}

const FORMATS: Record<HttpStreamFormat, FrameFormat> = {
  sse: {
    contentType: 'text/event-stream; charset=utf-8',
    event: (event) => `id: ${event.seq}\nevent: ${event.event_type}\ndata: ${eventJson(event)}\n\n`,
    control: (frame) => `event: ${frame.event_type}\ndata: ${JSON.stringify(frame)}\n\n`,
    heartbeat: () => ': heartbeat\n\n',
  },
  ndjson: {
    contentType: 'application/x-ndjson; charset=utf-8',
    event: (event) => `${eventJson(event)}\n`,
    control: (frame) => `${JSON.stringify(frame)}\n`,
    heartbeat: () => `${JSON.stringify({ event_type: 'heartbeat', timestamp: new Date().toISOString() })}\n`,
  },
};

export interface HttpStreamOptions {
  reply: FastifyReply;
  store: Store;
  runId: string;
  subscription: SubscriptionRequest;
  format: HttpStreamFormat;
  sendBufferBytes: number;
  heartbeatMs: number;
  observer: StreamObserver;
}

/**
 * Streams one run as SSE or NDJSON until its terminal event. Every way out — the
 * terminal event, a resync, a slow consumer, a store error, the client leaving — goes
 * through `end`, which runs once and always releases the follow and the heartbeat.
 */
export function streamRunOverHttp(options: HttpStreamOptions): void {
  const { reply, store, runId, subscription, sendBufferBytes, observer } = options;
  const format = FORMATS[options.format];
  const raw = reply.raw;
  reply.hijack();
  // Headers set by hooks (CORS) live on the reply, which a hijacked response bypasses.
  for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) raw.setHeader(name, value);
  raw.writeHead(200, {
    'content-type': format.contentType,
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-unfold-epoch': store.events.epoch,
  });
  const closeConnection = observer.opened(options.format);

  let ended = false;
  let follow: Follow | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  const end = (): void => {
    if (ended) return;
    ended = true;
    follow?.stop();
    clearInterval(heartbeat);
    closeConnection();
    raw.end();
  };

  /** Writes a frame unless the client is too far behind, in which case it is told and cut off. */
  const write = (chunk: string): void => {
    if (ended) return;
    if (raw.writableLength > sendBufferBytes) {
      observer.slowConsumer(options.format);
      raw.write(format.control({ event_type: 'error', code: 'slow_consumer', message: 'the client fell behind; resume from the last seq', run_id: runId }));
      end();
      return;
    }
    raw.write(chunk);
  };

  write(format.control({ event_type: 'connected', transport: options.format, epoch: store.events.epoch, run_id: runId }));
  heartbeat = setInterval(() => write(format.heartbeat()), options.heartbeatMs);
  follow = followRun(
    store,
    runId,
    { after: subscription.after, epoch: subscription.epoch, types: subscription.types },
    {
      event(event) {
        observer.delivered(event, options.format);
        write(format.event(event));
        if (isTerminalEventType(event.event_type)) end();
      },
      resync(frame) {
        observer.resync(options.format);
        write(format.control(frame));
        end();
      },
      backpressure() {
        if (raw.writableLength <= sendBufferBytes / 2) return undefined;
        return new Promise<void>((resolve) => {
          const done = (): void => {
            raw.off('drain', done);
            raw.off('close', done);
            resolve();
          };
          raw.on('drain', done);
          raw.on('close', done);
        });
      },
      error() {
        write(format.control({ event_type: 'error', code: 'internal_error', message: 'the event log failed; resume from the last seq', run_id: runId }));
        end();
      },
    },
  );
  raw.on('close', end);
  if (subscription.after > 0) observer.resumed(options.format);
}
