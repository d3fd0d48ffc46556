import { ROOT_CONTEXT, SpanKind, SpanStatusCode, propagation, trace, type Span } from '@opentelemetry/api';
import { RandomIdGenerator } from '@opentelemetry/sdk-trace';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const tracer = trace.getTracer('@unfold/gateway');
/** A request that starts a trace the edge chose not to sample: it has no span at all. */
const NOT_SAMPLED = Symbol('not sampled');
const spans = new WeakMap<FastifyRequest, Span | typeof NOT_SAMPLED>();

/**
 * A server span per request, a child of the caller's `traceparent`. A stream (SSE,
 * NDJSON, long-poll, WebSocket) is one span from the request to the connection's close,
 * so a trace shows how long each client stayed and how it ended. Hand-written rather than
 * @opentelemetry/instrumentation-http: that patches `node:http` through a module loader
 * hook, which an ESM server would have to install before anything else is imported.
 *
 * Head sampling happens here, before any span exists: a request without a trace context
 * starts a new trace, kept at `sampleRatio`, and the SDK is not called at all for the
 * rest. Creating a span only to learn it is not sampled (two random ids, the sampler, a
 * non-recording span) was most of what tracing cost at the default 10%. A request with a
 * caller's `traceparent` follows the caller's decision, in the SDK.
 */
export function installHttpTracing(app: FastifyInstance, options: { sampleRatio: number }): void {
  // A callback hook, not an async one: an async hook puts a promise and a microtask
  // before every request's handler.
  app.addHook('onRequest', (request, reply, done) => {
    try {
      startRequestSpan(request, reply, options.sampleRatio);
    } catch {
      // telemetry never fails a request
    }
    done();
  });
}

function startRequestSpan(request: FastifyRequest, reply: FastifyReply, sampleRatio: number): void {
  const parent = propagation.extract(ROOT_CONTEXT, request.headers);
  if (!trace.getSpanContext(parent) && Math.random() >= sampleRatio) {
    spans.set(request, NOT_SAMPLED);
    return;
  }
  const route = request.routeOptions.url ?? 'unknown route';
  const upgrade = request.headers.upgrade?.toLowerCase() === 'websocket';
  const span = tracer.startSpan(`${upgrade ? 'WS' : request.method} ${route}`, { kind: SpanKind.SERVER }, parent);
  // Kept even when not sampled (a caller's decision): a run started by this request must follow it.
  spans.set(request, span);
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

// Ids for traces the edge did not keep, made as the SDK makes its own (a crypto call per
// id cost more than the rest of an unsampled run's tracing).
const ids = new RandomIdGenerator();

/**
 * The W3C trace context of the request's span, to store as a run's parent. An unsampled
 * request hands on its decision too (flags 00), so its run is not sampled afresh.
 */
export function requestTraceContext(request: FastifyRequest): Record<string, string> | undefined {
  const span = spans.get(request);
  if (!span) return undefined;
  if (span === NOT_SAMPLED) return { traceparent: `00-${ids.generateTraceId()}-${ids.generateSpanId()}-00` };
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(ROOT_CONTEXT, span), carrier);
  return carrier;
}
