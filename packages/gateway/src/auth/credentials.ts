import { UnfoldError } from '@unfold/protocol';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';

/** `Bearer <key>` (the scheme in any case, RFC 7235); anything else in Authorization is a malformed header, not an anonymous request. */
const BEARER = /^Bearer +(\S+)$/i;
const MAX_CREDENTIAL_LENGTH = 4_096;

const tokenQuerySchema = z.object({
  access_token: z.string().max(MAX_CREDENTIAL_LENGTH).optional(),
  /** The name this server used first; kept as an alias. */
  token: z.string().max(MAX_CREDENTIAL_LENGTH).optional(),
});

/** Seed 003's routes took the key in the query too: its scripts and add-in send it there. */
const apiKeyQuerySchema = z.object({ api_key: z.string().max(MAX_CREDENTIAL_LENGTH).optional() });

const malformed = (message: string) => new UnfoldError('unauthorized', message);

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * The API key a request presents in `Authorization: Bearer <key>` or `X-API-Key: <key>`, or
 * with `fromQuery` also as `?api_key=<key>` (the same key wherever it is given twice), or
 * undefined. Throws `unauthorized` for a malformed credential or two different keys rather
 * than guessing which one was meant.
 */
export function readApiKey(request: FastifyRequest, fromQuery = false): string | undefined {
  const authorization = headerValue(request, 'authorization');
  const apiKeyHeader = headerValue(request, 'x-api-key');
  let key: string | undefined;
  if (authorization !== undefined) {
    key = BEARER.exec(authorization.trim())?.[1];
    if (key === undefined) throw malformed('the Authorization header is malformed: send "Authorization: Bearer <key>"');
  }
  if (apiKeyHeader !== undefined) {
    const given = apiKeyHeader.trim();
    if (given === '' || given.includes(',') || /\s/.test(given)) throw malformed('the X-API-Key header is malformed: send one key');
    if (key !== undefined && key !== given) throw malformed('Authorization and X-API-Key name different keys: send one');
    key = given;
  }
  if (fromQuery) {
    const query = apiKeyQuerySchema.safeParse(request.query ?? {});
    if (!query.success) throw malformed('the api_key query parameter is malformed: send one key');
    const given = query.data.api_key?.trim();
    if (given !== undefined && given !== '') {
      if (key !== undefined && key !== given) throw malformed('the api_key query parameter and the header name different keys: send one');
      key = given;
    }
  }
  if (key !== undefined && key.length > MAX_CREDENTIAL_LENGTH) throw malformed('the API key is not valid');
  return key;
}

/**
 * The stream token a request presents as `?access_token=` (or its alias `?token=`), for
 * clients that cannot set headers (a browser's WebSocket and EventSource). A repeated or
 * oversized one is `invalid_token`.
 */
export function readStreamToken(request: FastifyRequest): string | undefined {
  const query = tokenQuerySchema.safeParse(request.query ?? {});
  if (!query.success) throw new UnfoldError('invalid_token', 'the stream token is not valid');
  const token = query.data.access_token ?? query.data.token;
  return token === '' ? undefined : token;
}
