import { followRun } from '@unfold/engine';
import { UnfoldError, isTerminalEventType, type UnfoldEvent } from '@unfold/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { ApiKeys } from '../auth/api-keys.js';
import type { GatewayContext } from '../gateway-context.js';
import { requestTraceContext } from '../telemetry/http-tracing.js';
import { seedProcessingResult, toSeedEmailMessage, type SeedEmailMessage } from '../streaming/seed-email-events.js';

/** The original API's email fields; anything else the add-in sends is left out. */
function emailInput(data: unknown): Record<string, unknown> {
  const source = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  const input: Record<string, unknown> = {};
  for (const key of ['sender_name', 'sender_email', 'subject', 'body', 'attachments', 'raw']) if (source[key] !== undefined) input[key] = source[key];
  return input;
}

/**
 * Starts an email run and relays its events in seed 003's `{type, data}` form until the
 * run ends. Returns a function that stops relaying (the run itself goes on).
 */
async function startAndRelay(
  context: GatewayContext,
  request: FastifyRequest,
  data: unknown,
  send: (message: SeedEmailMessage) => void,
  onEnd: (terminal: UnfoldEvent) => void,
): Promise<() => void> {
  const run = await context.runs.create({ pipeline: 'email', input: emailInput(data) }, requestTraceContext(request));
  const follow = followRun(
    context.store,
    run.run_id,
    { after: 0 },
    {
      event(event) {
        const message = toSeedEmailMessage(event);
        if (message) send(message);
        if (isTerminalEventType(event.event_type)) onEnd(event);
      },
      resync() {
        send({ type: 'error', data: { error: 'the run is no longer held by the server', code: 'resync_required', correlation_id: run.run_id } });
      },
      error() {
        send({ type: 'error', data: { error: 'the event log failed', code: 'internal_error', correlation_id: run.run_id } });
      },
    },
  );
  return () => follow.stop();
}

const errorMessage = (error: unknown): SeedEmailMessage => {
  const unfoldError = UnfoldError.isInstance(error) ? error : new UnfoldError('internal_error', 'internal error');
  return { type: 'error', data: { error: unfoldError.message, code: unfoldError.code } };
};

/**
 * Seed 003's routes, with its add-in and scripts unchanged: negotiate, the WebSocket, SSE,
 * batch NDJSON, health, metrics and the non-streaming intake, all behind X-API-Key.
 */
export function registerSeedEmailRoutes(app: FastifyInstance, context: GatewayContext, keys: ApiKeys): void {
  const requireKey = async (request: FastifyRequest) => keys.check(request);

  const negotiate = async () => {
    const { token, expiresAt } = await context.tokens.issue([]);
    return {
      url: `/stream/ws/email-processing?token=${encodeURIComponent(token)}`,
      mode: 'websocket',
      transports: ['websocket', 'sse', 'batch'],
      sse_url: '/stream/sse/process-email',
      batch_url: '/stream/batch/process-email',
      expires_at: expiresAt.toISOString(),
    };
  };
  app.get('/stream/negotiate', { preHandler: requireKey }, negotiate);
  app.post('/stream/negotiate', { preHandler: requireKey }, negotiate);

  app.get('/stream/ws/email-processing', { websocket: true }, (socket: WebSocket, request) => {
    const send = (message: SeedEmailMessage) => socket.readyState === socket.OPEN && socket.send(JSON.stringify(message));
    const stops: Array<() => void> = [context.streams.opened('websocket-seed')];
    socket.on('close', () => stops.forEach((stop) => stop()));
    const authorized = (async () => {
      const token = (request.query as { token?: string }).token;
      if (token) await context.tokens.verify(token);
      else keys.check(request);
    })();
    authorized.then(
      () => send({ type: 'connection_established', data: { message: 'Connected to email processing stream' } }),
      (error: unknown) => {
        send(errorMessage(error));
        socket.close(4001, 'unauthorized');
      },
    );
    socket.on('message', (raw) => {
      void (async () => {
        await authorized;
        let message: { type?: unknown; data?: unknown };
        try {
          message = JSON.parse(raw.toString()) as typeof message;
        } catch {
          return send({ type: 'error', data: { error: 'messages are JSON', code: 'invalid_json' } });
        }
        if (message.type === 'ping') return send({ type: 'pong', data: {} });
        if (message.type !== 'process_email') return send({ type: 'error', data: { error: `unknown message type ${JSON.stringify(message.type)}`, code: 'unknown_message' } });
        stops.push(await startAndRelay(context, request, message.data, send, () => undefined));
      })().catch((error: unknown) => send(errorMessage(error)));
    });
  });

  // Input is checked before the response starts, so bad input still gets its 4xx; the
  // stream is open before the run starts, so no frame can precede the headers.
  const checkEmail = (data: unknown) => context.registry.get('email').parseInput(emailInput(data));

  app.post('/stream/sse/process-email', { preHandler: requireKey }, async (request, reply) => {
    checkEmail(request.body);
    const write = (message: SeedEmailMessage) => reply.raw.write(`event: ${message.type}\ndata: ${JSON.stringify(message)}\n\n`);
    const stops = openStream(reply, 'text/event-stream; charset=utf-8');
    stops.push(context.streams.opened('sse'));
    try {
      stops.push(await startAndRelay(context, request, request.body, write, () => reply.raw.end()));
    } catch (error) {
      write(errorMessage(error));
      reply.raw.end();
    }
    return reply;
  });

  app.post('/stream/batch/process-email', { preHandler: requireKey }, async (request, reply) => {
    const body = request.body as { emails?: unknown } | unknown[] | undefined;
    const emails = Array.isArray(body) ? body : Array.isArray((body as { emails?: unknown })?.emails) ? ((body as { emails: unknown[] }).emails) : undefined;
    if (!emails || emails.length === 0 || emails.length > 100) throw new UnfoldError('validation_failed', 'send {"emails": [...]} with 1 to 100 emails');
    // Every email is checked before any run starts, so a bad one rejects the batch whole.
    for (const email of emails) checkEmail(email);
    const stops = openStream(reply, 'application/x-ndjson; charset=utf-8');
    stops.push(context.streams.opened('ndjson'));
    let open = emails.length;
    const ended = () => {
      open--;
      if (open === 0) reply.raw.end();
    };
    for (const [index, email] of emails.entries()) {
      const write = (message: SeedEmailMessage) => reply.raw.write(`${JSON.stringify({ ...message, index })}\n`);
      try {
        stops.push(await startAndRelay(context, request, email, write, ended));
      } catch (error) {
        write(errorMessage(error));
        ended();
      }
    }
    return reply;
  });

  app.post('/intake/email', { preHandler: requireKey }, async (request) => {
    const terminal = await new Promise<UnfoldEvent>((resolve, reject) => {
      startAndRelay(context, request, request.body, () => undefined, resolve).catch(reject);
    });
    if (terminal.event_type === 'processing_completed') return seedProcessingResult(terminal);
    const failure = terminal as UnfoldEvent & { error?: string; code?: string };
    throw new UnfoldError('tool_failed', failure.error ?? 'the email could not be processed', { details: { code: failure.code } });
  });

  app.get('/stream/health', async () => ({
    status: 'healthy',
    features: { websocket: true, sse: true, batch: true, model_extractor: context.config.UNFOLD_EMAIL_EXTRACTOR === 'model' },
    connections: context.streams.snapshot().connections,
  }));

  app.get('/stream/metrics', { preHandler: requireKey }, async () => ({
    active_connections: Object.values(context.streams.snapshot().connections).reduce((sum, count) => sum + count, 0),
    runs: { active: context.runner.activeCount, queued: context.runner.queuedCount },
    streams: context.streams.snapshot(),
  }));
}

/**
 * Takes the response over for streaming: headers now, frames as they come. Returns the
 * list to put each relay's stop in; all are stopped when the client leaves (the runs go on).
 */
function openStream(reply: FastifyReply, contentType: string): Array<() => void> {
  const stops: Array<() => void> = [];
  reply.hijack();
  for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) reply.raw.setHeader(name, value);
  reply.raw.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
  reply.raw.on('close', () => stops.forEach((stop) => stop()));
  return stops;
}
