import { UnfoldError, negotiateRequestSchema, type NegotiateResponse } from '@unfold/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { principalOf } from '../auth/principal-layer.js';
import type { Principal } from '../auth/principal.js';
import type { GatewayContext } from '../gateway-context.js';
import { parseRequest } from '../http/parse-request.js';

/**
 * Who a stream token is issued to: the request's key or local principal. Negotiate routes
 * take no stream token (their access is `key`), so a token can never beget a wider one.
 */
export function tokenIssuer(request: FastifyRequest): Exclude<Principal, { kind: 'stream_token' }> {
  const principal = principalOf(request);
  if (principal.kind === 'stream_token') throw new UnfoldError('forbidden', 'a stream token cannot negotiate another');
  return principal;
}

export function registerNegotiateRoutes(app: FastifyInstance, context: GatewayContext): void {
  app.post('/v1/negotiate', async (request): Promise<NegotiateResponse> => {
    const { run_ids } = parseRequest(negotiateRequestSchema, request.body ?? {});
    const { token, expiresAt } = await context.tokens.issue(tokenIssuer(request), run_ids);
    const events = '/v1/runs/{run_id}/events';
    return {
      // Best first: a client falls back down this list when a transport cannot connect.
      transports: [
        { transport: 'websocket', url: '/v1/runs/{run_id}/ws' },
        { transport: 'sse', url: events },
        { transport: 'ndjson', url: events },
        { transport: 'long-poll', url: events },
      ],
      token,
      expires_at: expiresAt.toISOString(),
      epoch: context.store.events.epoch,
      limits: {
        max_subscriptions_per_connection: context.config.UNFOLD_MAX_SUBSCRIPTIONS,
        send_buffer_bytes: context.config.UNFOLD_SEND_BUFFER_BYTES,
      },
    };
  });
}
