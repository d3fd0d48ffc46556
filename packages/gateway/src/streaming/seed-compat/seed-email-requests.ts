import { UnfoldError, httpStatusFor, isErrorCode, type UnfoldEvent } from '@unfold/protocol';

/** The original API's email fields; anything else the add-in sends is left out. */
export function emailInput(data: unknown): Record<string, unknown> {
  const source = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  const input: Record<string, unknown> = {};
  for (const key of ['sender_name', 'sender_email', 'subject', 'body', 'attachments', 'raw']) if (source[key] !== undefined) input[key] = source[key];
  return input;
}

/** How many emails one batch request may carry. */
export const MAX_BATCH_EMAILS = 100;

/** The booleans the original's query parameters took (it was a FastAPI `bool`). */
const BOOLEAN_WORDS: Record<string, boolean> = { true: true, '1': true, yes: true, on: true, false: false, '0': false, no: false, off: false };

/**
 * `POST /stream/batch/process-email`: the original's body, one email (streamed unless
 * `?stream_chunks=false`), or Unfold's `{"emails": [...]}` (or a bare array) of 1 to
 * 100, always streamed. Each email is checked by its run's pipeline, not here.
 */
export function parseBatchRequest(body: unknown, query: unknown): { emails: unknown[]; many: boolean; streamChunks: boolean } {
  const given = (query as { stream_chunks?: unknown } | null)?.stream_chunks;
  const streamChunks = given === undefined ? true : typeof given === 'string' ? BOOLEAN_WORDS[given.toLowerCase()] : undefined;
  if (streamChunks === undefined) throw new UnfoldError('validation_failed', 'stream_chunks is true or false');
  const listed = Array.isArray(body) ? body : typeof body === 'object' && body !== null && 'emails' in body ? (body as { emails: unknown }).emails : undefined;
  if (listed === undefined) {
    if (typeof body !== 'object' || body === null) throw new UnfoldError('validation_failed', 'send one email {"sender_email", "sender_name", "subject", "body", "attachments"} or {"emails": [...]}');
    return { emails: [body], many: false, streamChunks };
  }
  if (!Array.isArray(listed) || listed.length === 0 || listed.length > MAX_BATCH_EMAILS) throw new UnfoldError('validation_failed', `send {"emails": [...]} with 1 to ${MAX_BATCH_EMAILS} emails`);
  if (!streamChunks) throw new UnfoldError('validation_failed', 'stream_chunks=false answers one email: send the email itself, not {"emails": [...]}');
  return { emails: listed, many: true, streamChunks };
}

/** One message of seed 003's socket; what is wrong with it is thrown as the code the add-in gets. */
export function parseSeedMessage(text: string): { type: 'ping' } | { type: 'process_email'; data: unknown } {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    throw new UnfoldError('invalid_json', 'messages are JSON');
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) throw new UnfoldError('validation_failed', 'a message is a JSON object {"type", "data"}');
  const { type, data } = message as { type?: unknown; data?: unknown };
  if (type === 'ping') return { type };
  if (type === 'process_email') return { type, data };
  throw new UnfoldError('unknown_message', `unknown message type ${JSON.stringify(type)}`);
}

/**
 * Why a run failed, as the intake answers it: a failure the input caused (the pipeline's
 * own code is a 4xx one, e.g. an email with no text) is the client's; any other is the server's.
 */
export function runFailure(terminal: UnfoldEvent): UnfoldError {
  const failure = terminal as UnfoldEvent & { error?: string; code?: string };
  const message = failure.error ?? 'the email could not be processed';
  if (isErrorCode(failure.code) && httpStatusFor(failure.code) < 500) return new UnfoldError(failure.code, message);
  return new UnfoldError('tool_failed', message, { details: { code: failure.code } });
}
