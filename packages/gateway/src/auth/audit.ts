import { publicRunId, tenantOfRunKey } from '@unfold/engine';
import type { UrlRefusal } from '@unfold/pipelines';
import { UnfoldError } from '@unfold/protocol';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
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

/** A URL (the fetch parsed it before refusing it) as it may be logged: without credentials, query or fragment, where signatures and tokens travel. */
function loggableUrl(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  parsed.search = '';
  parsed.hash = '';
  return parsed.href.slice(0, 2_000);
}

/**
 * The audit line of a URL a caller gave that the server refused to fetch (`url_not_allowed`),
 * at warn: who (the run's tenant and id), what (the URL given and the hop refused, which a
 * redirect may have chosen), why (the address or scheme). The caller is told none of the why.
 */
export function auditUrlRefusal(log: FastifyBaseLogger): (refusal: UrlRefusal) => void {
  return ({ url, target, reason, requester }) =>
    log.warn(
      {
        audit: 'refused',
        code: 'url_not_allowed',
        ...(requester !== undefined ? { tenant: tenantOfRunKey(requester), run_id: publicRunId(requester) } : {}),
        url: loggableUrl(url),
        target: loggableUrl(target),
        reason,
      },
      `refused to fetch a caller's URL: ${reason}`,
    );
}

/** For a promise's catch: audits a coded refusal (a limit, say) on its way out, and passes it on. */
export function auditedRefusal(request: FastifyRequest, principal?: Principal): (error: unknown) => never {
  return (error) => {
    if (UnfoldError.isInstance(error)) auditRefusal(request, error, principal);
    throw error;
  };
}
