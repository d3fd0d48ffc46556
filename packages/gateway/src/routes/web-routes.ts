import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/**
 * The web app's static build at `/`, when there is one. Its own routes (`/runs/<id>`) are
 * answered with `index.html`, so a link to a run page works when opened directly.
 */
export async function registerWebRoutes(app: FastifyInstance, webRoot: string | undefined): Promise<void> {
  if (!webRoot || !existsSync(join(webRoot, 'index.html'))) {
    app.get('/', async (_request, reply) =>
      reply.type('text/plain').send('Unfold is running. The web app is not built: run `npm run build`. The API is at /v1 (see /v1/openapi.json).'),
    );
    return;
  }
  await app.register(fastifyStatic, { root: webRoot, wildcard: false, index: 'index.html', maxAge: '1h', immutable: false });
  app.get('/runs/*', async (_request, reply) => reply.type('text/html').sendFile('index.html', { maxAge: 0 }));
}
