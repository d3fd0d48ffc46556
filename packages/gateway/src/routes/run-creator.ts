import type { FastifyRequest } from 'fastify';
import type { CreateRunRequest } from '@unfold/protocol';
import type { RunRecord } from '@unfold/engine';
import { auditedRefusal } from '../auth/audit.js';
import { principalOf } from '../auth/principal-layer.js';
import type { GatewayContext } from '../gateway-context.js';
import { requestTraceContext } from '../telemetry/http-tracing.js';

/** Who creates a run for a request: the principal's tenant (stored with the run), and the request's trace context (the run span's parent). */
function runCreator(request: FastifyRequest): { tenant: string; traceContext: Readonly<Record<string, string>> | undefined } {
  return { tenant: principalOf(request).tenant, traceContext: requestTraceContext(request) };
}

/** Takes `count` runs of the caller's key's allowance a minute, all or none: `rate_limited` otherwise. */
export async function admitRuns(context: GatewayContext, request: FastifyRequest, count = 1): Promise<void> {
  const principal = principalOf(request);
  await context.limits.admitRuns(principal, count).catch(auditedRefusal(request, principal));
}

/** Creates a run for the request, already admitted (`admitRuns`), in the caller's tenant. */
export function startAdmittedRun(context: GatewayContext, request: FastifyRequest, body: CreateRunRequest & { input: Record<string, unknown> }): Promise<RunRecord> {
  return context.runs.create(body, runCreator(request));
}

/** Creates a run for the request within its key's allowance: every route that starts one run goes through here. */
export async function createRunFor(context: GatewayContext, request: FastifyRequest, body: CreateRunRequest & { input: Record<string, unknown> }): Promise<RunRecord> {
  await admitRuns(context, request);
  return startAdmittedRun(context, request, body);
}
