import type { ControlFrame, UnfoldEvent } from '@unfold/protocol';
import { HTTP_FORMATS, type HttpFrameFormat } from '../http-stream-codec.js';
import { WebSocketCodec } from '../websocket-codec.js';
import { toSeedEmailMessage, type SeedEmailMessage } from './seed-email-events.js';

/**
 * A control frame as seed 003's add-in reads it: an error (a resync too: the add-in
 * cannot resume) is an `error` message; the rest it has no name for and is not told.
 */
export function seedControlMessage(frame: ControlFrame): SeedEmailMessage | undefined {
  // Stryker disable next-line ConditionalExpression: equivalent, JSON leaves out a correlation_id that is undefined
  if (frame.event_type === 'error') return { type: 'error', data: { error: frame.message, code: frame.code, ...(frame.run_id !== undefined ? { correlation_id: frame.run_id } : {}) } };
  if (frame.event_type === 'resync') return { type: 'error', data: { error: 'the run is no longer held by the server', code: 'resync_required', correlation_id: frame.run_id } };
  return undefined;
}

const sseMessage = (message: SeedEmailMessage | undefined): string | undefined => message && `event: ${message.type}\ndata: ${JSON.stringify(message)}\n\n`;

/** Seed 003's SSE relay: `{type, data}` messages named by their type. */
export const SEED_EMAIL_SSE: HttpFrameFormat<undefined> = {
  contentType: 'text/event-stream; charset=utf-8',
  event: (event) => sseMessage(toSeedEmailMessage(event)),
  control: (frame) => sseMessage(seedControlMessage(frame)),
  heartbeat: HTTP_FORMATS.sse.heartbeat,
};

const batchLine = (message: SeedEmailMessage | undefined, index: number | undefined): string | undefined =>
  // Stryker disable next-line ConditionalExpression: equivalent, an index of undefined is left out of the JSON
  message && `${JSON.stringify(index === undefined ? message : { ...message, index })}\n`;

/** Seed 003's batch relay: NDJSON `{type, data, index}`, the index naming the email of the batch. */
export const SEED_EMAIL_BATCH: HttpFrameFormat<number> = {
  contentType: 'application/x-ndjson; charset=utf-8',
  event: (event, index) => batchLine(toSeedEmailMessage(event), index),
  control: (frame, index) => batchLine(seedControlMessage(frame), index),
  heartbeat: () => `${JSON.stringify({ type: 'heartbeat', data: { timestamp: new Date().toISOString() } })}\n`,
};

/** Seed 003's add-in socket: `{type, data}` JSON messages; closes as Unfold's sockets do. */
export class SeedEmailSocketCodec extends WebSocketCodec {
  override writeEvent(event: UnfoldEvent): void {
    this.writeMessage(toSeedEmailMessage(event));
  }

  override writeControl(frame: ControlFrame): void {
    this.writeMessage(seedControlMessage(frame));
  }

  writeMessage(message: SeedEmailMessage | undefined): void {
    if (message) this.send(JSON.stringify(message));
  }
}
