import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { createUnfoldServer, type UnfoldServer } from './unfold-server.js';

/**
 * The routes a server serves, from Fastify's own route tree (`printRoutes`): each line is a
 * path segment under its parent's, with the methods it answers.
 */
function servedRoutes(tree: string): Array<{ method: string; path: string }> {
  const routes: Array<{ method: string; path: string }> = [];
  const parents: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = (match[1] ?? '').length / 4;
    // A child's segment follows its parent's path ("/" then "v1/runs", "v1/runs" then "/:id").
    const path = `${depth === 0 ? '' : parents[depth - 1]}${match[2]}`.replace(/\/+/g, '/');
    parents[depth] = path;
    for (const method of (match[3] ?? '').split(', ').filter(Boolean)) routes.push({ method, path });
  }
  return routes;
}

let server: UnfoldServer;
beforeAll(async () => {
  server = await createUnfoldServer({ config: loadConfig({ UNFOLD_STORE: 'memory' }) });
  await server.app.ready();
});
afterAll(() => server.close());

describe('the OpenAPI document', () => {
  it('describes every route the server serves, with each method', async () => {
    const document = (await server.app.inject({ method: 'GET', url: '/v1/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
    const served = servedRoutes(server.app.printRoutes({ commonPrefix: false }))
      // HEAD answers each GET by itself; OPTIONS is CORS's preflight; `/` is the web app (or its note when not built).
      .filter(({ method, path }) => method !== 'HEAD' && method !== 'OPTIONS' && path !== '/')
      .map(({ method, path }) => `${method} ${path.replace(/:(\w+)/g, '{$1}')}`);
    expect(served.length).toBeGreaterThan(20);
    const documented = Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));
    expect(served.filter((route) => !documented.includes(route))).toEqual([]);
    expect(documented.filter((route) => !served.includes(route))).toEqual([]);
  });
});
