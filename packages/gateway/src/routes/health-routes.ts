import { UnfoldError } from '@unfold/protocol';
import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../gateway-context.js';

export function registerHealthRoutes(app: FastifyInstance, context: GatewayContext): void {
  // Probes and scrapers carry no key: these say nothing about any run.
  app.get('/healthz', { config: { auth: 'open' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: { auth: 'open' } }, async (request, reply) => {
    try {
      await context.store.ping();
      return { status: 'ready', store: context.store.kind, epoch: context.store.events.epoch };
    } catch (error) {
      request.log.warn({ err: error }, 'store not reachable');
      const code = UnfoldError.isInstance(error) ? error.code : 'server_busy';
      return reply.status(503).send({ code, message: `the ${context.store.kind} store is not ${code === 'storage_unavailable' ? 'writable' : 'reachable'}` });
    }
  });

  // Prometheus text by default; OpenMetrics (with exemplars linking to traces) when asked for.
  app.get('/metrics', { config: { auth: context.config.UNFOLD_METRICS_AUTH === 'keys' ? 'key' : 'open' } }, async (request, reply) => {
    const { metrics } = context;
    if (!metrics) return reply.status(404).send({ code: 'route_not_found', message: 'metrics are off (UNFOLD_METRICS=off)' });
    const { contentType, body } = await metrics.render(request.headers.accept?.includes('application/openmetrics-text') === true);
    return reply.header('content-type', contentType).send(body);
  });

  app.get('/v1/stats', async () => ({
    runs: { active: context.runner.activeCount, queued: context.runner.queuedCount },
    streams: context.streams.snapshot(),
    store: context.store.kind,
    uptime_s: Math.round(process.uptime()),
  }));
}
