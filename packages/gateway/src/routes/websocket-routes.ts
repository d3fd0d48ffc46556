import { publicRunId, runKey } from '@unfold/engine';
import { CLIENT_MESSAGE_TYPES, UnfoldError, clientMessageSchema, type ParsedClientMessage } from '@unfold/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { authorizeRun, authorizeTenantWide, principalOf, type RefreshPrincipal } from '../auth/principal-layer.js';
import { actsForTenant, mayFollowRun, type Principal } from '../auth/principal.js';
import { TokenExpiry } from '../auth/token-expiry.js';
import type { GatewayContext } from '../gateway-context.js';
import { parseRequest } from '../http/parse-request.js';
import { websocketMessageGate } from '../limits/message-gate.js';
import type { StreamTransport } from '../streaming/stream-observer.js';
import { SubscriptionCore } from '../streaming/subscription-core.js';
import { WebSocketCodec } from '../streaming/websocket-codec.js';
import { authorizeSubscription, streamCoreOptions } from './events-routes.js';
import { runParamsSchema } from './runs-routes.js';

const batchQuerySchema = z.object({ batch: z.enum(['0', '1', 'true', 'false']).optional() });
const seedParamsSchema = z.object({ receipt_id: runParamsSchema.shape.id });

function wantsBatch(request: FastifyRequest): boolean {
  const { batch } = batchQuerySchema.catch({}).parse(request.query);
  return batch === '1' || batch === 'true';
}

type SocketCore = SubscriptionCore<undefined, WebSocketCodec>;
type MessageHandler = (message: ParsedClientMessage) => Promise<void> | void;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UnfoldError('invalid_json', 'messages are JSON objects or the text "ping"');
  }
}

/** Validates one client message; what is wrong with it is thrown as the code the client gets. */
function parseClientMessage(parsed: unknown): ParsedClientMessage {
  const type = (parsed as { type?: unknown } | null)?.type;
  if (!CLIENT_MESSAGE_TYPES.includes(type as string)) {
    throw new UnfoldError('unknown_message', `unknown message type ${JSON.stringify(type)}; expected one of ${CLIENT_MESSAGE_TYPES.join(', ')}`);
  }
  return parseRequest(clientMessageSchema, parsed);
}

/** The run a client message names, when it names one: its error frame carries it. */
function runIdIn(parsed: unknown): string | undefined {
  const runId = (parsed as { run_id?: unknown } | null)?.run_id;
  return typeof runId === 'string' ? runId : undefined;
}

/**
 * Reads client frames within the message limit: a bare text `ping` is answered `pong` (the
 * seed's clients), JSON messages are validated and handled. Whatever a frame does wrong, now
 * or later, the core turns into an error frame; the socket stays open and the server up.
 */
function listen(socket: WebSocket, core: SocketCore, messagesPerSecond: number, handle: MessageHandler): void {
  const admit = websocketMessageGate(messagesPerSecond);
  socket.on('message', (data, isBinary) => {
    core.guard(() => {
      if (!admit()) return;
      const text = isBinary ? '' : data.toString();
      if (text === 'ping') return core.write((codec) => codec.writeText('pong'));
      const parsed = parseJson(text);
      core.guard(() => {
        const message = parseClientMessage(parsed);
        if (message.type === 'ping') return core.sendControl({ event_type: 'pong' });
        return handle(message);
      }, runIdIn(parsed));
    });
  });
}

/** What the token a refresh brought no longer covers: `forbidden`, named like the refusal of a subscribe. */
const notCovered = (what: string) => new UnfoldError('forbidden', `the refreshed stream token does not cover ${what}`);

export function registerWebSocketRoutes(app: FastifyInstance, context: GatewayContext, refreshPrincipal: RefreshPrincipal): void {
  const { config, store } = context;
  const options = streamCoreOptions(app, context);
  const connection = (socket: WebSocket, transport: StreamTransport, batch: boolean): SocketCore => new SubscriptionCore(new WebSocketCodec(socket, transport, batch), options);

  /**
   * `{"type": "refresh"}`: the connection goes on with the new token (its expiry, its scope)
   * and is told so with `refreshed`, after `endUncovered` has ended what the token no
   * longer covers. A refused refresh changes nothing: the old token runs out as it would.
   */
  const refresh = async (request: FastifyRequest, core: SocketCore, expiry: TokenExpiry, token: string, endUncovered: (principal: Principal) => void) => {
    const principal = await refreshPrincipal(request, token);
    expiry.follow(principal);
    core.sendControl({ event_type: 'refreshed', expires_at: principal.expires_at.toISOString() });
    endUncovered(principal);
  };

  app.get('/v1/runs/:id/ws', { websocket: true, config: { auth: 'stream' } }, (socket, request) => {
    const core = connection(socket, 'websocket', wantsBatch(request));
    const expiry = new TokenExpiry(core);
    listen(socket, core, config.UNFOLD_LIMIT_WS_MESSAGES_PER_SECOND, (message) => {
      if (message.type !== 'refresh') throw new UnfoldError('unknown_message', 'a run socket follows its run; use /v1/ws to subscribe to others');
      // The socket is its run's: a token that no longer covers the run ends it.
      return refresh(request, core, expiry, message.token, (principal) => {
        const lost = core.runIds.map(publicRunId).find((runId) => !mayFollowRun(principal, runId));
        if (lost !== undefined) core.refuse(notCovered(`run "${lost}"`));
      });
    });
    core.guard(async () => {
      try {
        const { id } = parseRequest(runParamsSchema, request.params, 'run_not_found');
        const { principal, key, subscription } = authorizeSubscription(request, id);
        await context.connections.open(request, principal, () => core);
        expiry.follow(principal);
        core.sendControl({ event_type: 'connected', transport: 'websocket', epoch: store.events.epoch, run_id: id });
        core.subscribe(key, subscription, { onTerminal: 'end', onResync: 'end' });
      } catch (error) {
        core.refuse(error);
      }
    });
  });

  app.get('/v1/ws', { websocket: true, config: { auth: 'stream' } }, (socket, request) => {
    const core = connection(socket, 'websocket-multiplexed', wantsBatch(request));
    const expiry = new TokenExpiry(core);
    const ready = (async () => {
      const principal = principalOf(request);
      await context.connections.open(request, principal, () => core);
      expiry.follow(principal);
      core.sendControl({ event_type: 'connected', transport: 'websocket', epoch: store.events.epoch });
    })();
    ready.catch((error: unknown) => core.refuse(error));
    let unwatch: (() => void) | undefined;
    socket.once('close', () => unwatch?.());
    // Each subscription, and the runs feed, that a narrower token no longer covers ends with its own error frame.
    const endUncovered = (principal: Principal) => {
      for (const key of core.runIds) {
        const runId = publicRunId(key);
        if (mayFollowRun(principal, runId)) continue;
        core.unsubscribe(key);
        core.fail(notCovered(`run "${runId}"`), key);
      }
      if (unwatch && !actsForTenant(principal)) {
        unwatch();
        unwatch = undefined;
        core.fail(notCovered('the runs list'));
      }
    };
    listen(socket, core, config.UNFOLD_LIMIT_WS_MESSAGES_PER_SECOND, async (message) => {
      await ready;
      if (message.type === 'refresh') return refresh(request, core, expiry, message.token, endUncovered);
      if (message.type === 'unsubscribe') {
        core.unsubscribe(runKey(principalOf(request).tenant, message.run_id));
        return;
      }
      if (message.type === 'watch_runs') {
        const { tenant } = authorizeTenantWide(request, 'the runs list');
        unwatch ??= context.feed.subscribe(tenant, (frame) => core.guard(() => core.sendControl(frame)));
        return;
      }
      if (message.type === 'unwatch_runs') {
        unwatch?.();
        unwatch = undefined;
        return;
      }
      if (message.type !== 'subscribe') return;
      const { key } = authorizeRun(request, message.run_id);
      if (!core.has(key) && core.subscriptionCount >= config.UNFOLD_MAX_SUBSCRIPTIONS) {
        throw new UnfoldError('too_many_subscriptions', `a connection may follow at most ${config.UNFOLD_MAX_SUBSCRIPTIONS} runs at once`);
      }
      const { after } = message;
      core.sendControl({ event_type: 'subscribed', run_id: message.run_id, after });
      core.subscribe(key, { after, epoch: message.epoch, types: message.types ? new Set(message.types) : undefined }, { onTerminal: 'keep', onResync: 'keep' });
    });
  });

  // Seed 000: connect first, then POST; `connected` comes first and `ping` gets `pong`.
  app.get('/ws/receipt/:receipt_id', { websocket: true, config: { auth: 'stream' } }, (socket, request) => {
    const core = connection(socket, 'websocket-seed', false);
    listen(socket, core, config.UNFOLD_LIMIT_WS_MESSAGES_PER_SECOND, () => {
      throw new UnfoldError('unknown_message', 'this socket only answers "ping"');
    });
    core.guard(async () => {
      try {
        const { receipt_id } = parseRequest(seedParamsSchema, request.params, 'run_not_found');
        const { principal, key } = authorizeRun(request, receipt_id);
        await context.connections.open(request, principal, () => core);
        core.sendControl({ event_type: 'connected', receipt_id, message: 'Connected to receipt processing stream', transport: 'websocket', epoch: store.events.epoch });
        core.subscribe(key, { after: 0 }, { onTerminal: 'keep', onResync: 'keep' });
      } catch (error) {
        core.refuse(error);
      }
    });
  });
}
