import { ROOT_CONTEXT, SpanKind, SpanStatusCode, propagation, trace, type Context, type Span } from '@opentelemetry/api';
import { NOT_SAMPLED_TRACE_CONTEXT } from '@unfold/engine';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';

const tracer = trace.getTracer('@unfold/gateway');
/** A request that starts a trace the edge chose not to sample: it has no span at all. */
const NOT_SAMPLED = Symbol('not sampled');
/** A streaming request: no span of its own; a run it starts is sampled at the edge's ratio. */
interface StreamRequest {
  sampleRatio: number;
}
type RequestTrace = Span | typeof NOT_SAMPLED | StreamRequest;

declare module 'fastify' {
  interface FastifyRequest {
    /** What tracing decided for this request; set on every routed request while tracing is on. */
    unfoldTrace?: RequestTrace | null;
  }
}

/**
 * Routes whose response is a stream (SSE, NDJSON, long-poll) that may stay open for as
 * long as the client watches, over many runs; WebSocket upgrades are streams too.
 */
const STREAM_ROUTES = new Set(['/v1/runs/:id/events', '/stream/sse/process-email', '/stream/batch/process-email']);

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
 *
 * The hook is each route's own, made when the route is: it knows its route and whether
 * it streams without asking per request (`request.routeOptions` builds an object on every
 * read), and the decision lives on the request (a decorated field, not a WeakMap, whose
 * table grows with every request until a GC). A request that matches no route starts no
 * run and has no span.
 */
export function installHttpTracing(app: FastifyInstance, options: { sampleRatio: number }): void {
  app.decorateRequest('unfoldTrace', null);
  app.addHook('onRoute', (route) => {
    const tracing: RouteTracing = {
      url: route.url,
      stream: STREAM_ROUTES.has(route.url) ? 'always' : route.websocket ? 'on-upgrade' : 'never',
      sampleRatio: options.sampleRatio,
      asStream: Object.freeze({ sampleRatio: options.sampleRatio }),
    };
    // A callback hook, not an async one: an async hook puts a promise and a microtask
    // before every request's handler.
    const hook: onRequestHookHandler = (request, reply, done) => {
      try {
        request.unfoldTrace = decide(request, reply, tracing);
      } catch {
        // telemetry never fails a request
      }
      done();
    };
    route.onRequest = [hook, ...(route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest])];
  });
}

/** What a route's hook knows of its route, worked out once. */
interface RouteTracing {
  url: string;
  /** Whether its requests are streams: all, those that upgrade to a WebSocket, or none. */
  stream: 'always' | 'on-upgrade' | 'never';
  sampleRatio: number;
  /** The decision every stream request on it carries (one object for them all). */
  asStream: StreamRequest;
}

/**
 * The caller's trace context. Most requests carry none, and the propagators (W3C trace
 * context and baggage, see tracing.ts) then find nothing: they are not asked.
 */
const callerContext = (request: FastifyRequest): Context =>
  request.headers.traceparent === undefined && request.headers.baggage === undefined ? ROOT_CONTEXT : propagation.extract(ROOT_CONTEXT, request.headers);

function decide(request: FastifyRequest, reply: FastifyReply, route: RouteTracing): RequestTrace {
  if (route.stream === 'always' || (route.stream === 'on-upgrade' && request.headers.upgrade?.toLowerCase() === 'websocket')) return route.asStream;
  const parent = callerContext(request);
  if (!trace.getSpanContext(parent) && Math.random() >= route.sampleRatio) return NOT_SAMPLED;
  const span = tracer.startSpan(`${request.method} ${route.url}`, { kind: SpanKind.SERVER }, parent);
  // Kept even when not sampled (a caller's decision): a run started by this request must follow it.
  if (!span.isRecording()) return span;
  const query = request.url.indexOf('?');
  const userAgent = request.headers['user-agent'];
  // The HTTP server span's semantic conventions; `network.protocol.name` is left out, as
  // they say to when it is `http`.
  span.setAttributes({
    'http.request.method': request.method,
    'http.route': route.url,
    'url.path': query < 0 ? request.url : request.url.slice(0, query),
    ...(userAgent ? { 'user_agent.original': userAgent } : {}),
  });
  reply.raw.once('close', () => {
    span.setAttribute('http.response.status_code', reply.raw.statusCode);
    if (reply.raw.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  return span;
}

/**
 * The W3C trace context of the request's span, to store as a run's parent. An unsampled
 * request hands on its decision too, so its run is not sampled afresh.
 */
export function requestTraceContext(request: FastifyRequest): Readonly<Record<string, string>> | undefined {
  const span = request.unfoldTrace;
  if (!span) return undefined;
  if (span === NOT_SAMPLED) return NOT_SAMPLED_TRACE_CONTEXT;
  if ('sampleRatio' in span) {
    // A run started over a stream: in the caller's trace if it sent one, else in a new
    // trace of its own, sampled as a request's would be (no context: the run is the root).
    const parent = callerContext(request);
    if (trace.getSpanContext(parent)) return carrierOf(parent);
    return Math.random() < span.sampleRatio ? undefined : NOT_SAMPLED_TRACE_CONTEXT;
  }
  return carrierOf(trace.setSpan(ROOT_CONTEXT, span));
}

function carrierOf(context: Context): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context, carrier);
  return carrier;
}
