import type { UnfoldError } from '@unfold/protocol';
import type { FastifyRequest } from 'fastify';
import type { Principal } from './principal.js';

/** Refusals already written as an audit line, so the error handler does not log them twice. */
const audited = new WeakSet<UnfoldError>();

export function isAudited(error: unknown): boolean {
  return typeof error === 'object' && error !== null && audited.has(error as UnfoldError);
}

/**
 * The audit line of a refused request or subscription, at warn: who (the principal's key id
 * and tenant when one was established, and the peer's address), what (method and route, never
 * the query, which may hold a token), why (the code). Never a key or a token.
 */
export function auditRefusal(request: FastifyRequest, error: UnfoldError, principal?: Principal, runId?: string): void {
  audited.add(error);
  request.log.warn(
    {
      audit: 'refused',
      code: error.code,
      method: request.method,
      route: request.routeOptions.url ?? request.url.split('?')[0]?.slice(0, 200),
      remote_address: request.socket.remoteAddress,
      ...(principal ? { principal: principal.kind, tenant: principal.tenant, key_id: principal.key_id } : {}),
      ...(runId !== undefined ? { run_id: runId } : {}),
    },
    `refused: ${error.message}`,
  );
}
