import { ROOT_CONTEXT, SpanKind, SpanStatusCode, propagation, trace, type Context, type Span } from '@opentelemetry/api';
import { NOT_SAMPLED_TRACE_CONTEXT } from '@unfold/engine';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const tracer = trace.getTracer('@unfold/gateway');
/** A request that starts a trace the edge chose not to sample: it has no span at all. */
const NOT_SAMPLED = Symbol('not sampled');
/** A streaming request: no span of its own; a run it starts is sampled at the edge's ratio. */
interface StreamRequest {
  sampleRatio: number;
}
const spans = new WeakMap<FastifyRequest, Span | typeof NOT_SAMPLED | StreamRequest>();

/**
 * Routes whose response is a stream (SSE, NDJSON, long-poll) that may stay open for as
 * long as the client watches, over many runs; WebSocket upgrades are streams too.
 */
const STREAM_ROUTES = new Set(['/v1/runs/:id/events', '/stream/sse/process-email', '/stream/batch/process-email']);

const isStream = (request: FastifyRequest): boolean =>
  request.headers.upgrade?.toLowerCase() === 'websocket' || STREAM_ROUTES.has(request.routeOptions.url ?? '');

/**
 * A server span per request, a child of the caller's `traceparent`, except for streams:
 * a span that lived as long as a watching session would span many runs and tell nothing
 * a run's own spans do not, and it cost a span per connection. Hand-written rather than
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

/**
 * The caller's trace context. Most requests carry none, and the propagators (W3C trace
 * context and baggage, see tracing.ts) then find nothing: they are not asked.
 */
const callerContext = (request: FastifyRequest): Context =>
  request.headers.traceparent === undefined && request.headers.baggage === undefined ? ROOT_CONTEXT : propagation.extract(ROOT_CONTEXT, request.headers);

function startRequestSpan(request: FastifyRequest, reply: FastifyReply, sampleRatio: number): void {
  if (isStream(request)) {
    spans.set(request, { sampleRatio });
    return;
  }
  const parent = callerContext(request);
  if (!trace.getSpanContext(parent) && Math.random() >= sampleRatio) {
    spans.set(request, NOT_SAMPLED);
    return;
  }
  const route = request.routeOptions.url ?? 'unknown route';
  const span = tracer.startSpan(`${request.method} ${route}`, { kind: SpanKind.SERVER }, parent);
  // Kept even when not sampled (a caller's decision): a run started by this request must follow it.
  spans.set(request, span);
  if (!span.isRecording()) return;
  const query = request.url.indexOf('?');
  span.setAttributes({
    'http.request.method': request.method,
    'http.route': route,
    'url.path': query < 0 ? request.url : request.url.slice(0, query),
    'network.protocol.name': 'http',
  });
  const userAgent = request.headers['user-agent'];
  if (userAgent) span.setAttribute('user_agent.original', userAgent);
  reply.raw.once('close', () => {
    span.setAttribute('http.response.status_code', reply.raw.statusCode);
    if (reply.raw.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
}

/**
 * The W3C trace context of the request's span, to store as a run's parent. An unsampled
 * request hands on its decision too, so its run is not sampled afresh.
 */
export function requestTraceContext(request: FastifyRequest): Record<string, string> | undefined {
  const span = spans.get(request);
  if (!span) return undefined;
  if (span === NOT_SAMPLED) return notSampled();
  if ('sampleRatio' in span) {
    // A run started over a stream: in the caller's trace if it sent one, else in a new
    // trace of its own, sampled as a request's would be (no context: the run is the root).
    const parent = callerContext(request);
    if (trace.getSpanContext(parent)) return carrierOf(parent);
    return Math.random() < span.sampleRatio ? undefined : notSampled();
  }
  return carrierOf(trace.setSpan(ROOT_CONTEXT, span));
}

const notSampled = (): Record<string, string> => ({ ...NOT_SAMPLED_TRACE_CONTEXT });

function carrierOf(context: Context): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context, carrier);
  return carrier;
}
