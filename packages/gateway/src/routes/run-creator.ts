import type { FastifyRequest } from 'fastify';
import { principalOf } from '../auth/principal-layer.js';
import { requestTraceContext } from '../telemetry/http-tracing.js';

/** Who creates a run for a request: the principal's tenant (stored with the run), and the request's trace context (the run span's parent). */
export function runCreator(request: FastifyRequest): { tenant: string; traceContext: Readonly<Record<string, string>> | undefined } {
  return { tenant: principalOf(request).tenant, traceContext: requestTraceContext(request) };
}
