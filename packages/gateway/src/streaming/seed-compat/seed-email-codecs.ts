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

type Numbered = SeedEmailMessage & { sequence: number };

/**
 * The original's `sequence`: 1, 2, 3 … over the messages of one email, with no gap (Unfold's
 * own `seq` counts events the add-in is not sent). One numbering per key: the email of a
 * batch, the run of a socket.
 */
export function seedSequence<Key>(): (message: SeedEmailMessage | undefined, key: Key) => Numbered | undefined {
  const counts = new Map<Key, number>();
  return (message, key) => {
    if (!message) return undefined;
    const sequence = (counts.get(key) ?? 0) + 1;
    counts.set(key, sequence);
    return { ...message, sequence };
  };
}

const sseMessage = (message: SeedEmailMessage | undefined): string | undefined => message && `event: ${message.type}\ndata: ${JSON.stringify(message)}\n\n`;

/** Seed 003's SSE relay, for one email: `{type, data, sequence}` messages named by their type. */
export function seedEmailSse(): HttpFrameFormat<undefined> {
  const numbered = seedSequence<undefined>();
  return {
    contentType: 'text/event-stream; charset=utf-8',
    event: (event) => sseMessage(numbered(toSeedEmailMessage(event), undefined)),
    control: (frame) => sseMessage(numbered(seedControlMessage(frame), undefined)),
    heartbeat: HTTP_FORMATS.sse.heartbeat,
  };
}

const batchLine = (message: SeedEmailMessage | undefined, index: number | undefined): string | undefined =>
  // Stryker disable next-line ConditionalExpression: equivalent, an index of undefined is left out of the JSON
  message && `${JSON.stringify(index === undefined ? message : { ...message, index })}\n`;

/**
 * Seed 003's batch relay: NDJSON `{type, data, sequence}` chunks, as the original streamed one
 * email; in a batch of many each line also carries `index`, the email's place in the batch,
 * and each email is numbered on its own.
 */
export function seedEmailBatch(): HttpFrameFormat<number | undefined> {
  const numbered = seedSequence<number | undefined>();
  return {
    contentType: 'application/x-ndjson; charset=utf-8',
    event: (event, index) => batchLine(numbered(toSeedEmailMessage(event), index), index),
    control: (frame, index) => batchLine(numbered(seedControlMessage(frame), index), index),
    // Not a message of the original: it keeps a quiet connection open, and is not numbered.
    heartbeat: () => `${JSON.stringify({ type: 'heartbeat', data: { timestamp: new Date().toISOString() } })}\n`,
  };
}

/** Seed 003's add-in socket: `{type, data, sequence}` JSON messages, numbered per email; closes as Unfold's sockets do. */
export class SeedEmailSocketCodec extends WebSocketCodec {
  private readonly numbered = seedSequence<string | undefined>();

  override writeEvent(event: UnfoldEvent): void {
    this.writeMessage(this.numbered(toSeedEmailMessage(event), event.run_id));
  }

  override writeControl(frame: ControlFrame): void {
    this.writeMessage(this.numbered(seedControlMessage(frame), (frame as { run_id?: string }).run_id));
  }

  writeMessage(message: SeedEmailMessage | undefined): void {
    if (message) this.send(JSON.stringify(message));
  }
}
