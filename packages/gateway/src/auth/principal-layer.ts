import { runKey } from '@unfold/engine';
import { UnfoldError } from '@unfold/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { toUnfoldError } from '../http/error-handler.js';
import type { AccessPolicy } from './access-policy.js';
import { auditRefusal } from './audit.js';
import { readApiKey, readStreamToken } from './credentials.js';
import type { KeyRing } from './key-ring.js';
import { actsForTenant, mayFollowRun, type Principal } from './principal.js';
import type { StreamTokenPrincipal, StreamTokens } from './stream-tokens.js';

/**
 * Who may call a route: `open` (anyone: health, metrics, the web app's files), `key` (the
 * default: an API key, or the local principal where the policy allows), `stream` (that, or a
 * stream token in the query: the streaming routes a browser opens without headers).
 */
export type RouteAccess = 'open' | 'key' | 'stream';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAccess;
    /** The route also takes its API key as `?api_key=` (seed 003's routes only: a key in a URL reaches histories and proxy logs). */
    apiKeyInQuery?: boolean;
  }
  interface FastifyRequest {
    /** Set by the principal layer on every guarded route; ask `principalOf`. */
    principal: Principal | undefined;
    /** A WebSocket's refusal, kept for its handler to close the socket with a code a browser can read. */
    authRefusal: UnfoldError | undefined;
  }
}

export interface PrincipalLayerOptions {
  policy: AccessPolicy;
  keys: KeyRing;
  tokens: StreamTokens;
}

/**
 * Turns the request's credential (or its absence) into a principal, or throws the refusal.
 * A key in a header is read first (an SDK sends its key on every request, and a stream
 * token as well where a browser would need one); a stream token only where there is none.
 */
async function authenticate(request: FastifyRequest, access: Exclude<RouteAccess, 'open'>, { policy, keys, tokens }: PrincipalLayerOptions): Promise<Principal> {
  const key = policy.authenticates ? readApiKey(request, request.routeOptions.config.apiKeyInQuery === true) : undefined;
  if (key !== undefined) {
    const found = keys.find(key);
    if (found) return { kind: 'key', ...found };
    // While no key exists at all, a client on this machine is let in with or without one
    // (a seed script sends its placeholder key): there is nothing to check it against.
    if (!policy.allowsLocal(request)) throw new UnfoldError('unauthorized', 'the API key is not valid');
  }
  const token = access === 'stream' ? readStreamToken(request) : undefined;
  if (token === undefined) return policy.anonymous(request);
  return authenticateToken(request, token, { policy, keys, tokens });
}

/** The principal a stream token stands for, when it opens a connection or refreshes one. */
async function authenticateToken(request: FastifyRequest, token: string, { policy, keys, tokens }: PrincipalLayerOptions): Promise<StreamTokenPrincipal> {
  const principal = await tokens.verify(token);
  // A token is only as good as what issued it: a revoked key, or a local principal no longer let in.
  if (principal.key_id !== null && !keys.isActive(principal.key_id)) throw new UnfoldError('key_revoked', 'the API key this stream token was issued to has been revoked');
  if (principal.key_id === null && !policy.allowsLocal(request)) throw new UnfoldError('invalid_token', 'this stream token was issued without an API key; negotiate one with a key');
  return principal;
}

/**
 * Moves a live connection onto a new stream token (`{"type": "refresh"}`). Only a connection
 * opened with a token has one to refresh, and the new token must be of the same tenant and
 * key: a refresh renews, it never widens who the connection acts for. The connection's
 * scope becomes the new token's; the caller ends what it no longer covers.
 */
export type RefreshPrincipal = (request: FastifyRequest, token: string) => Promise<StreamTokenPrincipal>;

/**
 * The one place a request or a connection becomes a principal: a hook on every route, by
 * the route's `config.auth`. An HTTP request is refused here with 401; a WebSocket is
 * accepted and then closed by its route (4001/4003 with an error frame), because a browser
 * never sees the HTTP status of a refused upgrade. Returns the refresh of a live connection's
 * token, which the same checks guard.
 */
export function installPrincipalLayer(app: FastifyInstance, options: PrincipalLayerOptions): RefreshPrincipal {
  app.decorateRequest('principal', undefined);
  app.decorateRequest('authRefusal', undefined);
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.auth ?? 'key';
    // A CORS preflight carries no credentials by design; @fastify/cors answers it before this hook.
    if (access === 'open' || request.method === 'OPTIONS') return;
    try {
      request.principal = await authenticate(request, access, options);
    } catch (error) {
      const refusal = toUnfoldError(error);
      auditRefusal(request, refusal);
      if (!request.ws) throw refusal;
      request.authRefusal = refusal;
    }
  });
  return async (request, token) => {
    const current = principalOf(request);
    try {
      if (current.kind !== 'stream_token') throw new UnfoldError('forbidden', 'this connection was opened with an API key: it has no stream token to refresh');
      const renewed = await authenticateToken(request, token, options);
      if (renewed.tenant !== current.tenant || renewed.key_id !== current.key_id) throw new UnfoldError('forbidden', 'a refresh token must be issued to the key this connection was opened with');
      request.principal = renewed;
      return renewed;
    } catch (error) {
      const refusal = toUnfoldError(error);
      auditRefusal(request, refusal, current);
      throw refusal;
    }
  };
}

/** The request's principal; throws its refusal (a WebSocket's, kept for its handler). */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal) return request.principal;
  throw request.authRefusal ?? new UnfoldError('internal_error', `route ${request.routeOptions.url ?? ''} is open but asked for a principal`);
}

/**
 * The principal, if it may follow the run, and the run's key in its tenant (run-key.ts): the
 * only run of that id it can reach. Else `forbidden`, audited.
 */
export function authorizeRun(request: FastifyRequest, runId: string): { principal: Principal; key: string } {
  const principal = principalOf(request);
  if (mayFollowRun(principal, runId)) return { principal, key: runKey(principal.tenant, runId) };
  const refusal = new UnfoldError('forbidden', `the stream token does not cover run "${runId}"`);
  auditRefusal(request, refusal, principal, runId);
  throw refusal;
}

/** The principal, if it speaks for its whole tenant (not a token scoped to runs); else `forbidden`, audited. */
export function authorizeTenantWide(request: FastifyRequest, what: string): Principal {
  const principal = principalOf(request);
  if (actsForTenant(principal)) return principal;
  const refusal = new UnfoldError('forbidden', `a stream token scoped to runs does not cover ${what}`);
  auditRefusal(request, refusal, principal);
  throw refusal;
}
