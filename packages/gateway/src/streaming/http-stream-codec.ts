import type { ServerResponse } from 'node:http';
import type { ControlFrame, ErrorFrame, UnfoldEvent } from '@unfold/protocol';
import { eventJson } from '@unfold/engine';
import type { FastifyReply } from 'fastify';
import { errorFrame } from './error-frame.js';
import type { StreamEnding, StreamCodec } from './subscription-core.js';
import type { StreamTransport } from './stream-observer.js';

/** How frames look on one streamed HTTP answer. */
export interface HttpFrameFormat<Tag> {
  contentType: string;
  /** The frame for an event, or undefined when this format has none for it. */
  event(event: UnfoldEvent, tag: Tag): string | undefined;
  /** The frame for a control frame, or undefined when this format does not say it. */
  control(frame: ControlFrame, tag: Tag | undefined): string | undefined;
  heartbeat(): string;
}

export type HttpStreamFormat = 'sse' | 'ndjson';

export const HTTP_FORMATS: Record<HttpStreamFormat, HttpFrameFormat<undefined>> = {
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

/**
 * Takes a reply over for streaming: status and headers now, frames as they come. Headers
 * set by hooks (CORS) live on the reply, which a hijacked response bypasses.
 */
export function openHttpStream(reply: FastifyReply, contentType: string, headers: Record<string, string> = {}): ServerResponse {
  const raw = reply.raw;
  reply.hijack();
  for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) raw.setHeader(name, value);
  raw.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no', ...headers });
  return raw;
}

/** A streamed HTTP answer (SSE, NDJSON, the seed relays): it ends with the connection. */
export class HttpStreamCodec<Tag = undefined> implements StreamCodec<Tag> {
  constructor(
    private readonly raw: ServerResponse,
    readonly transport: StreamTransport,
    private readonly format: HttpFrameFormat<Tag>,
  ) {}

  unsentBytes(): number {
    return this.raw.writableLength;
  }

  writeEvent(event: UnfoldEvent, tag: Tag): void {
    const frame = this.format.event(event, tag);
    if (frame !== undefined) this.raw.write(frame);
  }

  writeControl(frame: ControlFrame, tag: Tag | undefined): void {
    const text = this.format.control(frame, tag);
    if (text !== undefined) this.raw.write(text);
  }

  writeHeartbeat(): void {
    this.raw.write(this.format.heartbeat());
  }

  cork(): () => void {
    this.raw.cork();
    return () => this.raw.uncork();
  }

  end(ending: StreamEnding): void {
    if (ending.reason === 'client_gone') return void this.raw.destroy();
    const last = lastFrame(ending);
    if (last) this.writeControl(last, undefined);
    this.raw.end();
  }

  onGone(listener: () => void): void {
    this.raw.once('close', listener);
  }
}

/** What a stream says last before it ends (a run socket says it with a close code instead). */
function lastFrame(ending: StreamEnding): ControlFrame | undefined {
  switch (ending.reason) {
    case 'resync':
      return ending.frame;
    case 'slow_consumer':
      // Stryker disable next-line ConditionalExpression: equivalent, a run_id of undefined is left out of the JSON
      return { event_type: 'error', code: 'slow_consumer', message: 'the client fell behind; resume from the last seq', ...(ending.runId !== undefined ? { run_id: ending.runId } : {}) } satisfies ErrorFrame;
    case 'failed':
      return errorFrame(ending.error, ending.runId);
    case 'refused':
      return errorFrame(ending.error);
    default:
      return undefined;
  }
}
