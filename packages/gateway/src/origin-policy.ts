import { UnfoldError } from '@unfold/protocol';
import type { FastifyInstance } from 'fastify';
import { auditRefusal } from './auth/audit.js';

/**
 * Whether a browser origin may call this server: listed origins, any with `*`, and
 * always the server's own origin (same host), so the bundled web app works unconfigured.
 */
export function isOriginAllowed(origin: string | undefined, host: string | undefined, allowlist: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowlist.includes('*') || allowlist.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

/**
 * Refuses, 403 `forbidden`, every request a browser sends from an origin not allowed: a
 * WebSocket upgrade before it is upgraded, and any other request before it is served (CORS
 * only stops the page from reading the answer, not the request from acting). A client that
 * sends no `Origin` (not a browser) is not concerned.
 */
export function installOriginCheck(app: FastifyInstance, allowlist: readonly string[]): void {
  app.addHook('onRequest', async (request) => {
    if (isOriginAllowed(request.headers.origin, request.headers.host, allowlist)) return;
    const refusal = new UnfoldError('forbidden', 'this origin is not allowed to call this server (UNFOLD_ALLOWED_ORIGINS)');
    auditRefusal(request, refusal);
    throw refusal;
  });
}
