import { UnfoldError, httpStatusFor, isErrorCode, type UnfoldEvent } from '@unfold/protocol';

/** The original API's email fields; anything else the add-in sends is left out. */
export function emailInput(data: unknown): Record<string, unknown> {
  const source = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  const input: Record<string, unknown> = {};
  for (const key of ['sender_name', 'sender_email', 'subject', 'body', 'attachments', 'raw']) if (source[key] !== undefined) input[key] = source[key];
  return input;
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
