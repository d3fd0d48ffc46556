import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { MAX_RUN_ID_LENGTH, UnfoldError, httpStatusFor, isErrorCode, type ErrorBody } from '@unfold/protocol';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAudited } from '../auth/audit.js';
import { loggableUrl } from './loggable-url.js';

/** Fastify's own errors a client can trigger, mapped to Unfold's stable codes. */
const FASTIFY_CODES: Record<string, UnfoldError['code']> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_VALIDATION: 'validation_failed',
  FST_ERR_BAD_URL: 'bad_request',
  FST_ERR_INVALID_URL: 'bad_request',
  FST_ERR_NOT_FOUND: 'route_not_found',
  FST_ERR_ROUTE_MISSING_CONTENT_TYPE: 'unsupported_media_type',
  FST_ERR_ROUTE_MISSING_CONTENT: 'bad_request',
};

/** Node's HTTP parser errors, answered before Fastify sees a request. */
const CLIENT_ERROR_CODES: Record<string, UnfoldError['code']> = {
  ERR_HTTP_REQUEST_TIMEOUT: 'request_timeout',
  HPE_HEADER_OVERFLOW: 'headers_too_large',
};

/** The code for an error answer without one: its status's code, or a plain 400/500. */
const CODE_FOR_STATUS: Record<number, UnfoldError['code']> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'route_not_found',
  408: 'request_timeout',
  413: 'body_too_large',
  415: 'unsupported_media_type',
  426: 'upgrade_required',
  429: 'rate_limited',
  431: 'headers_too_large',
  503: 'server_busy',
};

function codeForStatus(status: number): UnfoldError['code'] {
  return CODE_FOR_STATUS[status] ?? (status < 500 ? 'bad_request' : 'internal_error');
}

export function toUnfoldError(error: unknown): UnfoldError {
  if (UnfoldError.isInstance(error)) return error;
  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return new UnfoldError('validation_failed', `a path parameter is longer than its limit (run ids are at most ${MAX_RUN_ID_LENGTH} characters)`);
  }
  const mapped = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (mapped) return new UnfoldError(mapped, fastifyError.message ?? mapped);
  const status = fastifyError.statusCode ?? 500;
  // JSON.parse failures and prototype-poisoning keys surface as a 400 SyntaxError from the content-type parser.
  if (error instanceof SyntaxError && status === 400) return new UnfoldError('invalid_json', `body is not valid JSON: ${error.message}`);
  // Anything else a client caused (a plugin's own 4xx) stays the client's mistake, coded.
  if (status >= 400 && status < 500) return new UnfoldError(codeForStatus(status), fastifyError.message ?? 'bad request');
  return new UnfoldError('internal_error', 'internal error', { cause: error });
}

/** 5xx answers that are the server working as meant (a shutdown refusing work), not faults. */
const EXPECTED_REFUSALS = new Set<UnfoldError['code']>(['server_busy', 'server_shutdown']);

/** Answers an error as `{"code", "message"}`: a client's mistake or a refusal logs at warn, a server fault at error. */
function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply, app: FastifyInstance): void {
  let unfoldError = toUnfoldError(error);
  if (unfoldError.code === 'body_too_large') {
    const limit = request.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit;
    unfoldError = new UnfoldError('body_too_large', `the request body is over the limit of ${limit} bytes (UNFOLD_BODY_LIMIT_BYTES)`);
  }
  if (unfoldError.httpStatus >= 500 && !EXPECTED_REFUSALS.has(unfoldError.code)) request.log.error({ err: error }, 'request failed');
  // A refusal of the principal layer has its audit line already.
  else if (!isAudited(unfoldError)) request.log.warn({ code: unfoldError.code, method: request.method, url: loggableUrl(request.url) }, unfoldError.message.slice(0, 500));
  const body: ErrorBody = unfoldError.toJSON();
  // A limit says when to come back (RFC 9110 §10.2.3: whole seconds).
  const retryAfterMs = unfoldError.details?.['retry_after_ms'];
  if (typeof retryAfterMs === 'number') void reply.header('retry-after', String(Math.ceil(retryAfterMs / 1000)));
  void reply.status(unfoldError.httpStatus).send(body);
}

/** Whether a serialised answer is already `{"code", "message"}` with a protocol code. */
function isCodedBody(payload: unknown): boolean {
  if (typeof payload !== 'string') return false;
  try {
    const body = JSON.parse(payload) as Partial<ErrorBody> | null;
    return isErrorCode(body?.code) && typeof body?.message === 'string';
  } catch {
    return false;
  }
}

/**
 * Every error answer is `{"code", "message"}`; 5xx details go to the log, not the client.
 * Covers the route error handler, the not-found handler, Fastify's router errors (bad URL
 * encoding, over-long parameters) and, as a last resort, answers a plugin sent itself.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => sendError(error, request, reply, app));
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ code: 'route_not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` });
  });
  // A plugin's own error answer (a CORS preflight refused as text) gets a code too.
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode < 400 || request.method === 'HEAD' || isCodedBody(payload)) return payload;
    const code = codeForStatus(reply.statusCode);
    const message = typeof payload === 'string' && payload.length > 0 && payload.length <= 500 ? payload : `${request.method} ${request.url.split('?')[0]} failed`;
    void reply.status(httpStatusFor(code)).type('application/json; charset=utf-8');
    return JSON.stringify({ code, message } satisfies ErrorBody);
  });
}

/** Fastify's `frameworkErrors`: router errors before any route runs, answered like any other. */
export function frameworkErrorHandler(this: FastifyInstance, error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  // An upgrade request refused here never reaches @fastify/websocket's hooks, which close its
  // connection after an HTTP answer; left open, it would hold the server's close forever.
  if (request.headers.upgrade) {
    void reply.header('connection', 'close');
    reply.raw.once('finish', () => request.raw.socket.end());
  }
  sendError(error, request, reply, this);
}

/**
 * Fastify's `clientErrorHandler`: a request Node's HTTP parser refused (bad Content-Length,
 * bad chunking, an oversized header). There is no request to reply to, only the socket.
 */
export function clientErrorHandler(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const code = (error.code ? CLIENT_ERROR_CODES[error.code] : undefined) ?? 'bad_request';
  const unfoldError = new UnfoldError(code, code === 'bad_request' ? `the HTTP request is malformed (${error.code ?? 'parse error'})` : error.message);
  this.log.warn({ code, reason: error.code }, 'malformed HTTP request');
  // As Node's own handler: no answer over one already being written on this connection.
  const answering = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
  if (!socket.writable || answering) return void socket.destroy();
  const body = JSON.stringify(unfoldError.toJSON());
  socket.end(
    `HTTP/1.1 ${unfoldError.httpStatus} ${STATUS_CODES[unfoldError.httpStatus] ?? 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
