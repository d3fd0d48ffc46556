import { ROOT_CONTEXT, SpanKind, SpanStatusCode, propagation, trace, type Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const tracer = trace.getTracer('@unfold/gateway');
const spans = new WeakMap<FastifyRequest, Span>();

/**
 * A server span per request, a child of the caller's `traceparent`. A stream (SSE,
 * NDJSON, long-poll, WebSocket) is one span from the request to the connection's close,
 * so a trace shows how long each client stayed and how it ended. Hand-written rather than
 * @opentelemetry/instrumentation-http: that patches `node:http` through a module loader
 * hook, which an ESM server would have to install before anything else is imported.
 */
export function installHttpTracing(app: FastifyInstance): void {
  // A callback hook, not an async one: an async hook puts a promise and a microtask
  // before every request's handler.
  app.addHook('onRequest', (request, reply, done) => {
    try {
      startRequestSpan(request, reply);
    } catch {
      // telemetry never fails a request
    }
    done();
  });
}

function startRequestSpan(request: FastifyRequest, reply: FastifyReply): void {
  const parent = propagation.extract(ROOT_CONTEXT, request.headers);
  const route = request.routeOptions.url ?? 'unknown route';
  const upgrade = request.headers.upgrade?.toLowerCase() === 'websocket';
  const span = tracer.startSpan(`${upgrade ? 'WS' : request.method} ${route}`, { kind: SpanKind.SERVER }, parent);
  // Kept even when not sampled: a run started by this request must follow its decision.
  spans.set(request, span);
  // An unsampled request costs an id; attributes only for the ones kept.
  if (!span.isRecording()) return;
  const query = request.url.indexOf('?');
  span.setAttributes({
    'http.request.method': request.method,
    'http.route': route,
    'url.path': query < 0 ? request.url : request.url.slice(0, query),
    'network.protocol.name': upgrade ? 'websocket' : 'http',
  });
  const userAgent = request.headers['user-agent'];
  if (userAgent) span.setAttribute('user_agent.original', userAgent);
  const end = (): void => {
    const status = reply.raw.headersSent || !upgrade ? reply.raw.statusCode : 101;
    span.setAttribute('http.response.status_code', status);
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  };
  // A WebSocket lives on the socket after the upgrade; a response ends with its own close.
  if (upgrade) request.raw.socket.once('close', end);
  else reply.raw.once('close', end);
}

/**
 * The W3C trace context of the request's span, to store as a run's parent. An unsampled
 * request hands on its decision too (flags 00), so its run is not sampled afresh: with
 * a 10% ratio, runs would otherwise be sampled at 10% + 90% × 10%.
 */
export function requestTraceContext(request: FastifyRequest): Record<string, string> | undefined {
  const span = spans.get(request);
  if (!span) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(ROOT_CONTEXT, span), carrier);
  return carrier;
}
