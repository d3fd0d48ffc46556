import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../gateway-context.js';

export function registerHealthRoutes(app: FastifyInstance, context: GatewayContext): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (request, reply) => {
    try {
      await context.store.ping();
      return { status: 'ready', store: context.store.kind, epoch: context.store.events.epoch };
    } catch (error) {
      request.log.warn({ err: error }, 'store not reachable');
      return reply.status(503).send({ code: 'server_busy', message: `the ${context.store.kind} store is not reachable` });
    }
  });

  app.get('/v1/stats', async () => ({
    runs: { active: context.runner.activeCount, queued: context.runner.queuedCount },
    streams: context.streams.snapshot(),
    store: context.store.kind,
    uptime_s: Math.round(process.uptime()),
  }));
}
