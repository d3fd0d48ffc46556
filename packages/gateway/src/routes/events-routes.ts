import { UnfoldError } from '@unfold/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { authorizeRun } from '../auth/principal-layer.js';
import type { GatewayContext } from '../gateway-context.js';
import { parseRequest } from '../http/parse-request.js';
import { HTTP_FORMATS, HttpStreamCodec, openHttpStream } from '../streaming/http-stream-codec.js';
import { longPoll, ResyncRequired } from '../streaming/long-poll.js';
import { SubscriptionCore, type SubscriptionCoreOptions } from '../streaming/subscription-core.js';
import { parseSubscriptionRequest, type SubscriptionRequest } from '../streaming/subscription-request.js';
import type { Principal } from '../auth/principal.js';
import { runParamsSchema } from './runs-routes.js';

type EventsTransport = 'sse' | 'ndjson' | 'long-poll';

/** Picks the transport from `Accept`; a browser's `*\/*` or none at all means long-poll JSON. */
export function transportForAccept(accept: string | undefined): EventsTransport {
  const value = (accept ?? '*/*').toLowerCase();
  if (value.includes('text/event-stream')) return 'sse';
  if (value.includes('application/x-ndjson')) return 'ndjson';
  if (value.includes('application/json') || value.includes('*/*') || value.includes('application/*')) return 'long-poll';
  throw new UnfoldError('not_acceptable', 'Accept must be text/event-stream, application/x-ndjson or application/json');
}

const pollQuerySchema = z.object({
  wait: z.coerce.number().min(0).max(300).default(25),
  limit: z.coerce.number().int().min(1).max(1_000).default(1_000),
});

/** The principal, if it may follow the run, the run's key and the position asked for; shared by every route that follows one run. */
export function authorizeSubscription(request: FastifyRequest, runId: string): { principal: Principal; key: string; subscription: SubscriptionRequest } {
  return { ...authorizeRun(request, runId), subscription: parseSubscriptionRequest(request.query, request.headers['last-event-id']) };
}

/** What every streaming connection is built with. */
export function streamCoreOptions(app: FastifyInstance, context: GatewayContext): SubscriptionCoreOptions {
  const { config, store, streams } = context;
  return { store, observer: streams, log: app.log, sendBufferBytes: config.UNFOLD_SEND_BUFFER_BYTES, heartbeatMs: config.UNFOLD_HEARTBEAT_MS };
}

export function registerEventRoutes(app: FastifyInstance, context: GatewayContext): void {
  const { config, store } = context;
  const options = streamCoreOptions(app, context);

  app.get('/v1/runs/:id/events', { config: { auth: 'stream' } }, async (request, reply) => {
    const { id } = parseRequest(runParamsSchema, request.params, 'run_not_found');
    const transport = transportForAccept(request.headers.accept);
    const { principal, key, subscription } = authorizeSubscription(request, id);

    if (transport !== 'long-poll') {
      const format = HTTP_FORMATS[transport];
      // Admitted before the answer starts, so a refusal is a plain 429.
      const core = await context.connections.open(request, principal, () => new SubscriptionCore(new HttpStreamCodec(openHttpStream(reply, format.contentType, { 'x-unfold-epoch': store.events.epoch }), transport, format), options));
      core.sendControl({ event_type: 'connected', transport, epoch: store.events.epoch, run_id: id });
      core.subscribe(key, subscription, { onTerminal: 'end', onResync: 'end' });
      return reply;
    }

    const { wait, limit } = parseRequest(pollQuerySchema, request.query);
    const gone = new AbortController();
    reply.raw.once('close', () => gone.abort());
    try {
      return await longPoll({
        core: options,
        runId: key,
        subscription,
        waitMs: Math.min(wait, config.UNFOLD_LONG_POLL_MAX_WAIT_S) * 1000,
        limit,
        signal: gone.signal,
        open: (connect) => context.connections.open(request, principal, connect),
      });
    } catch (error) {
      if (error instanceof ResyncRequired) return reply.status(410).send({ code: error.code, message: error.message, resync: error.frame });
      throw error;
    }
  });
}
