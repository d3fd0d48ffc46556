import { randomUUID } from 'node:crypto';
import { followRun, type RunRecord, type Store } from '@unfold/engine';
import { UnfoldError, type UnfoldEvent } from '@unfold/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { authorizeTenantWide, principalOf } from '../auth/principal-layer.js';
import type { GatewayContext } from '../gateway-context.js';
import { websocketMessageGate } from '../limits/message-gate.js';
import { HttpStreamCodec, openHttpStream, type HttpFrameFormat } from '../streaming/http-stream-codec.js';
import type { StreamTransport } from '../streaming/stream-observer.js';
import { SeedEmailSocketCodec, seedEmailBatch, seedEmailSse } from '../streaming/seed-compat/seed-email-codecs.js';
import { seedProcessingResult } from '../streaming/seed-compat/seed-email-events.js';
import { emailInput, parseBatchRequest, parseSeedMessage, runFailure } from '../streaming/seed-compat/seed-email-requests.js';
import { SubscriptionCore } from '../streaming/subscription-core.js';
import { streamCoreOptions } from './events-routes.js';
import { tokenIssuer } from './negotiate-routes.js';
import { admitRuns, createRunFor, startAdmittedRun } from './run-creator.js';

/** Resolves with the run's terminal event (the plain intake does not stream). */
function terminalOf(store: Store, runId: string): Promise<UnfoldEvent> {
  return new Promise((resolve, reject) => {
    followRun(store, runId, { after: 0, types: new Set() }, { event: resolve, resync: () => reject(new UnfoldError('internal_error', 'the run is no longer held by the server')), error: reject });
  });
}

/** The guarded seed routes take the key as the original did: `X-API-Key`, or `?api_key=`. */
const SEED_KEY = { config: { apiKeyInQuery: true } } as const;

/**
 * Seed 003's routes, with its add-in and scripts unchanged: negotiate, the WebSocket, SSE,
 * batch NDJSON, health, metrics and the non-streaming intake, all behind X-API-Key or
 * `?api_key=` (or the local principal) as every guarded route is; the socket also takes the
 * negotiated token.
 */
export function registerSeedEmailRoutes(app: FastifyInstance, context: GatewayContext): void {
  const options = streamCoreOptions(app, context);
  const emailRun = (data: unknown) => ({ pipeline: 'email', input: emailInput(data) });
  const createEmailRun = (request: FastifyRequest, data: unknown) => createRunFor(context, request, emailRun(data));

  /** Runs one email to its end: the original's processing result, or the run's failure as an HTTP error. */
  const processEmail = async (request: FastifyRequest, data: unknown) => {
    const run = await createEmailRun(request, data);
    const terminal = await terminalOf(context.store, run.run_id);
    if (terminal.event_type === 'processing_completed') return seedProcessingResult(terminal);
    throw runFailure(terminal);
  };

  const negotiate = async (request: FastifyRequest) => {
    const { token, expiresAt } = await context.tokens.issue(tokenIssuer(request), []);
    return {
      url: `/stream/ws/email-processing?token=${encodeURIComponent(token)}`,
      mode: 'websocket',
      transports: ['websocket', 'sse', 'batch'],
      sse_url: '/stream/sse/process-email',
      batch_url: '/stream/batch/process-email',
      expires_at: expiresAt.toISOString(),
      // What the original's negotiate also said: a session id, and which transports it offers (no Azure SignalR).
      userId: randomUUID(),
      features: { streaming: true, websocket: true, sse: true, signalr: false },
    };
  };
  app.get('/stream/negotiate', SEED_KEY, negotiate);
  app.post('/stream/negotiate', SEED_KEY, negotiate);

  app.get('/stream/ws/email-processing', { websocket: true, config: { auth: 'stream', apiKeyInQuery: true } }, (socket: WebSocket, request) => {
    const core = new SubscriptionCore(new SeedEmailSocketCodec(socket, 'websocket-seed', false), options);
    const authorized = (async () => {
      // The socket starts runs: a token scoped to runs (it could only name runs that exist) does not cover that.
      await context.connections.open(request, authorizeTenantWide(request, 'starting runs'), () => core);
    })();
    authorized.then(
      () => core.write((codec) => codec.writeMessage({ type: 'connection_established', data: { message: 'Connected to email processing stream' } })),
      (error: unknown) => core.refuse(error),
    );
    const admit = websocketMessageGate(context.config.UNFOLD_LIMIT_WS_MESSAGES_PER_SECOND);
    socket.on('message', (raw) => {
      core.guard(async () => {
        if (!admit()) return;
        await authorized;
        const message = parseSeedMessage(raw.toString());
        if (message.type === 'ping') return core.write((codec) => codec.writeMessage({ type: 'pong', data: {} }));
        const run = await createEmailRun(request, message.data);
        core.subscribe(run.run_id, { after: 0 }, { onTerminal: 'keep', onResync: 'keep' });
      });
    });
  });

  // Input is checked before the response starts, so bad input still gets its 4xx.
  const checkEmail = (data: unknown) => context.registry.get('email').parseInput(emailInput(data));

  /** Streams one email's run in a seed format; the stream is open before the run starts, so no frame can precede the headers. */
  const streamOne = async (request: FastifyRequest, reply: FastifyReply, data: unknown, transport: StreamTransport, format: HttpFrameFormat<undefined>) => {
    checkEmail(data);
    await admitRuns(context, request);
    const core = await context.connections.open(request, principalOf(request), () => new SubscriptionCore(new HttpStreamCodec(openHttpStream(reply, format.contentType), transport, format), options));
    try {
      const run = await startAdmittedRun(context, request, emailRun(data));
      core.subscribe(run.run_id, { after: 0 }, { onTerminal: 'end', onResync: 'end' });
    } catch (error) {
      core.refuse(error);
    }
    return reply;
  };

  app.post('/stream/sse/process-email', SEED_KEY, (request, reply) => streamOne(request, reply, request.body, 'sse', seedEmailSse()));

  app.post('/stream/batch/process-email', SEED_KEY, async (request, reply) => {
    const { emails, many, streamChunks } = parseBatchRequest(request.body, request.query);
    if (!streamChunks) return { status: 'success', data: await processEmail(request, emails[0]), processing_time: new Date().toISOString() };
    if (!many) return streamOne(request, reply, emails[0], 'ndjson', seedEmailBatch());
    // Every email is checked before any run starts, so a bad one rejects the batch whole.
    for (const email of emails) checkEmail(email);
    await admitRuns(context, request, emails.length);
    const format = seedEmailBatch();
    const core = await context.connections.open(request, principalOf(request), () => new SubscriptionCore<number | undefined, HttpStreamCodec<number | undefined>>(new HttpStreamCodec(openHttpStream(reply, format.contentType), 'ndjson', format), options));
    const started: Array<{ index: number; run: RunRecord }> = [];
    for (const [index, email] of emails.entries()) {
      try {
        started.push({ index, run: await startAdmittedRun(context, request, emailRun(email)) });
      } catch (error) {
        core.fail(error, undefined, index);
      }
    }
    // Followed once all have started, so the stream ends with the last run, not the first.
    for (const { index, run } of started) core.subscribe(run.run_id, { after: 0 }, { onTerminal: 'end', onResync: 'keep', tag: index });
    if (started.length === 0) core.end({ reason: 'finished' });
    return reply;
  });

  app.post('/intake/email', SEED_KEY, (request) => processEmail(request, request.body));

  const activeConnections = () => Object.values(context.streams.snapshot().connections).reduce((sum, count) => sum + count, 0);

  app.get('/stream/health', { config: { auth: 'open' } }, async () => ({
    status: 'healthy',
    timestamp: new Date().toISOString(),
    active_connections: activeConnections(),
    signalr_configured: false,
    features: { websocket: true, sse: true, batch: true, batch_streaming: true, signalr: false, model_extractor: context.config.UNFOLD_EMAIL_EXTRACTOR === 'model' },
    connections: context.streams.snapshot().connections,
  }));

  app.get('/stream/metrics', SEED_KEY, async () => ({
    active_connections: activeConnections(),
    runs: { active: context.runner.activeCount, queued: context.runner.queuedCount },
    streams: context.streams.snapshot(),
  }));
}
