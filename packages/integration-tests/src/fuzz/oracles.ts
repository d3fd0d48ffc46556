import { CLOSE_CODES, isErrorCode } from '@unfold/protocol';

/**
 * What must hold after every input, whatever it was. Each returns a problem (short and
 * free of the input, so equal problems group) or undefined.
 */

/** Every 4xx/5xx carries `{"code","message"}` with a known code, and nothing is a 5xx. */
export function httpAnswerProblem(status: number, body: string): string | undefined {
  if (status < 400) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return `HTTP ${status} with a body that is not JSON: ${JSON.stringify(body.slice(0, 60))}`;
  }
  const { code, message } = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { code?: unknown; message?: unknown };
  if (!isErrorCode(code) || typeof message !== 'string') return `HTTP ${status} body lacks {code,message} with a known code (code ${JSON.stringify(code)})`;
  if (status >= 500) return `HTTP ${status} ${code}`;
  return undefined;
}

/** An Unfold error frame has a known code and never internal_error; so does a seed email `{type:"error"}` message. */
export function frameProblem(text: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text === 'pong' ? undefined : `frame that is not JSON: ${JSON.stringify(text.slice(0, 40))}`;
  }
  for (const frame of Array.isArray(parsed) ? parsed : [parsed]) {
    const record = (typeof frame === 'object' && frame !== null ? frame : {}) as { event_type?: unknown; type?: unknown; code?: unknown; data?: { code?: unknown } };
    const code = record.event_type === 'error' ? record.code : record.type === 'error' ? record.data?.code : undefined;
    if (record.event_type !== 'error' && record.type !== 'error') continue;
    if (!isErrorCode(code)) return `error frame without a known code: ${JSON.stringify(frame).slice(0, 80)}`;
    if (code === 'internal_error') return 'error frame internal_error';
  }
  return undefined;
}

const ABNORMAL_CLOSES = new Set<number>([1006, 1011]);

/** The server closed a socket because it broke, not because the client did something it refuses. */
export function closeProblem(code: number): string | undefined {
  return ABNORMAL_CLOSES.has(code) ? `socket closed ${code}` : Object.values(CLOSE_CODES).includes(code as never) || code === 1005 ? undefined : `socket closed with an undocumented code ${code}`;
}
