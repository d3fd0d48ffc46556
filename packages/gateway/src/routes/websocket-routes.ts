import { CLIENT_MESSAGE_TYPES, CLOSE_CODES, UnfoldError, clientMessageSchema, type ParsedClientMessage } from '@unfold/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import type { GatewayContext } from '../gateway-context.js';
import { parseRequest } from '../http/parse-request.js';
import { WebSocketSession } from '../streaming/websocket-session.js';
import type { StreamTransport } from '../streaming/stream-observer.js';
import { authorizeSubscription } from './events-routes.js';
import { runParamsSchema } from './runs-routes.js';

const batchQuerySchema = z.object({ batch: z.enum(['0', '1', 'true', 'false']).optional() });
const seedParamsSchema = z.object({ receipt_id: runParamsSchema.shape.id });

function wantsBatch(request: FastifyRequest): boolean {
  const { batch } = batchQuerySchema.catch({}).parse(request.query);
  return batch === '1' || batch === 'true';
}

type MessageHandler = (message: ParsedClientMessage) => Promise<void> | void;

/**
 * Reads client frames: a bare text `ping` is answered `pong` (the seed's clients), JSON
 * messages are validated, and a bad frame gets an error frame while the socket stays open.
 */
function listen(socket: WebSocket, session: WebSocketSession, handle: MessageHandler): void {
  socket.on('message', (data, isBinary) => {
    const text = isBinary ? '' : data.toString();
    if (text === 'ping') return session.sendText('pong');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return session.sendControl({ event_type: 'error', code: 'invalid_json', message: 'messages are JSON objects or the text "ping"' });
    }
    const type = (parsed as { type?: unknown } | null)?.type;
    if (!CLIENT_MESSAGE_TYPES.includes(type as string)) {
      return session.sendControl({ event_type: 'error', code: 'unknown_message', message: `unknown message type ${JSON.stringify(type)}; expected one of ${CLIENT_MESSAGE_TYPES.join(', ')}` });
    }
    let message: ParsedClientMessage;
    try {
      message = parseRequest(clientMessageSchema, parsed);
    } catch (error) {
      const runId = (parsed as { run_id?: unknown }).run_id;
      return session.sendControl({ event_type: 'error', code: 'validation_failed', message: (error as Error).message, ...(typeof runId === 'string' ? { run_id: runId } : {}) });
    }
    if (message.type === 'ping') return session.sendControl({ event_type: 'pong' });
    Promise.resolve(handle(message)).catch((error: unknown) => {
      const unfoldError = UnfoldError.isInstance(error) ? error : new UnfoldError('internal_error', 'internal error');
      session.sendControl({ event_type: 'error', code: unfoldError.code, message: unfoldError.message, ...('run_id' in message ? { run_id: message.run_id } : {}) });
    });
  });
}

export function registerWebSocketRoutes(app: FastifyInstance, context: GatewayContext): void {
  const { config, store, streams } = context;
  const session = (socket: WebSocket, transport: StreamTransport, batch: boolean): WebSocketSession =>
    new WebSocketSession({ socket, store, transport, observer: streams, sendBufferBytes: config.UNFOLD_SEND_BUFFER_BYTES, batch });

  /** Rejects the socket with an error frame and a close code when the request is bad. */
  const refuse = (live: WebSocketSession, error: unknown): void => {
    const unfoldError = UnfoldError.isInstance(error) ? error : new UnfoldError('internal_error', 'internal error');
    live.sendControl({ event_type: 'error', code: unfoldError.code, message: unfoldError.message });
    const unauthorized = unfoldError.code === 'invalid_token' || unfoldError.code === 'forbidden';
    live.close(unauthorized ? CLOSE_CODES.unauthorized : CLOSE_CODES.policy_violation, unfoldError.code);
  };

  app.get('/v1/runs/:id/ws', { websocket: true }, (socket, request) => {
    const live = session(socket, 'websocket', wantsBatch(request));
    listen(socket, live, () => {
      throw new UnfoldError('unknown_message', 'a run socket follows its run; use /v1/ws to subscribe to others');
    });
    void (async () => {
      try {
        const { id } = parseRequest(runParamsSchema, request.params, 'run_not_found');
        const subscription = await authorizeSubscription(context, request, id);
        live.sendControl({ event_type: 'connected', transport: 'websocket', epoch: store.events.epoch, run_id: id });
        live.subscribe(id, subscription, { onTerminal: 'close', onResync: 'close' });
      } catch (error) {
        refuse(live, error);
      }
    })();
  });

  app.get('/v1/ws', { websocket: true }, (socket, request) => {
    const live = session(socket, 'websocket-multiplexed', wantsBatch(request));
    const ready = (async () => {
      const { token } = await authorizeSubscription(context, request);
      live.sendControl({ event_type: 'connected', transport: 'websocket', epoch: store.events.epoch });
      return token;
    })();
    ready.catch((error: unknown) => refuse(live, error));
    let unwatch: (() => void) | undefined;
    socket.once('close', () => unwatch?.());
    listen(socket, live, async (message) => {
      const token = await ready;
      if (message.type === 'unsubscribe') {
        live.unsubscribe(message.run_id);
        return;
      }
      if (message.type === 'watch_runs') {
        // A stream token is scoped to runs; the runs list is for clients that need none.
        if (token !== undefined) throw new UnfoldError('forbidden', 'a stream token does not cover the runs list');
        unwatch ??= context.feed.subscribe((frame) => live.sendControl(frame));
        return;
      }
      if (message.type === 'unwatch_runs') {
        unwatch?.();
        unwatch = undefined;
        return;
      }
      if (message.type !== 'subscribe') return;
      if (!live.has(message.run_id) && live.subscriptionCount >= config.UNFOLD_MAX_SUBSCRIPTIONS) {
        throw new UnfoldError('too_many_subscriptions', `a connection may follow at most ${config.UNFOLD_MAX_SUBSCRIPTIONS} runs at once`);
      }
      if (token !== undefined) await context.tokens.verify(token, message.run_id);
      const { after } = message;
      live.sendControl({ event_type: 'subscribed', run_id: message.run_id, after });
      live.subscribe(
        message.run_id,
        { after, epoch: message.epoch, types: message.types ? new Set(message.types) : undefined },
        { onTerminal: 'keep', onResync: 'keep' },
      );
    });
  });

  // Seed 000: connect first, then POST; `connected` comes first and `ping` gets `pong`.
  app.get('/ws/receipt/:receipt_id', { websocket: true }, (socket, request) => {
    const live = session(socket, 'websocket-seed', false);
    listen(socket, live, () => {
      throw new UnfoldError('unknown_message', 'this socket only answers "ping"');
    });
    try {
      const { receipt_id } = parseRequest(seedParamsSchema, request.params, 'run_not_found');
      live.sendControl({
        event_type: 'connected',
        receipt_id,
        message: 'Connected to receipt processing stream',
        transport: 'websocket',
        epoch: store.events.epoch,
      });
      live.subscribe(receipt_id, { after: 0 }, { onTerminal: 'keep', onResync: 'keep' });
    } catch (error) {
      refuse(live, error);
    }
  });
}
