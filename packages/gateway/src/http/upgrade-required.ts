import { UnfoldError } from '@unfold/protocol';
import type { FastifyInstance, FastifyReply, RouteHandlerMethod } from 'fastify';

function refuseWithoutUpgrade(_request: unknown, reply: FastifyReply): never {
  void reply.header('upgrade', 'websocket');
  throw new UnfoldError('upgrade_required', 'this route is a WebSocket: connect with `Upgrade: websocket`');
}

/**
 * A plain GET on a WebSocket route answers 426 with a code and `Upgrade: websocket`, where
 * @fastify/websocket would answer an empty 404. Must be installed before the plugin: the
 * route's socket handler moves to `wsHandler`, which the plugin runs for upgrades only.
 */
export function installUpgradeRequired(app: FastifyInstance): void {
  app.addHook('onRoute', (routeOptions) => {
    if (!routeOptions.websocket) return;
    routeOptions.wsHandler = routeOptions.handler as unknown as NonNullable<typeof routeOptions.wsHandler>;
    routeOptions.websocket = false;
    routeOptions.handler = refuseWithoutUpgrade as RouteHandlerMethod;
  });
}
