import { UnfoldError, type ErrorBody } from '@unfold/protocol';
import type { FastifyError, FastifyInstance } from 'fastify';

/** Fastify's own request errors, mapped to Unfold's stable codes. */
const FASTIFY_CODES: Record<string, UnfoldError['code']> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation_failed',
  FST_ERR_VALIDATION: 'validation_failed',
};

export function toUnfoldError(error: unknown): UnfoldError {
  if (UnfoldError.isInstance(error)) return error;
  const fastifyError = error as Partial<FastifyError>;
  const mapped = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (mapped) return new UnfoldError(mapped, fastifyError.message ?? mapped);
  // JSON.parse failures surface as a 400 SyntaxError from the content-type parser.
  if (error instanceof SyntaxError && fastifyError.statusCode === 400) return new UnfoldError('invalid_json', `body is not valid JSON: ${error.message}`);
  return new UnfoldError('internal_error', 'internal error', { cause: error });
}

/** Every error answer is `{"code", "message"}`; 5xx details go to the log, not the client. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    let unfoldError = toUnfoldError(error);
    if (unfoldError.code === 'body_too_large') {
      const limit = request.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit;
      unfoldError = new UnfoldError('body_too_large', `the request body is over the limit of ${limit} bytes (UNFOLD_BODY_LIMIT_BYTES)`);
    }
    if (unfoldError.httpStatus >= 500) request.log.error({ err: error }, 'request failed');
    const body: ErrorBody = unfoldError.toJSON();
    void reply.status(unfoldError.httpStatus).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ code: 'route_not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` });
  });
}
