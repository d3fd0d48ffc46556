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
    app.get('/', { config: { auth: 'open' } }, async (_request, reply) =>
      reply.type('text/plain').send('Unfold is running. The web app is not built: run `npm run build`. The API is at /v1 (see /v1/openapi.json).'),
    );
    return;
  }
  // The app's files hold no data (the app asks the API, with a key, for that), and a browser
  // must load them before it can ask for a key: every route of this scope is open.
  await app.register(async (web) => {
    web.addHook('onRoute', (route) => {
      route.config = { ...route.config, auth: 'open' };
    });
    await web.register(fastifyStatic, { root: webRoot, wildcard: false, index: 'index.html', maxAge: '1h', immutable: false });
    web.get('/runs/*', async (_request, reply) => reply.type('text/html').sendFile('index.html', { maxAge: 0 }));
  });
}
