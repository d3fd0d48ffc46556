import { ProxyTracerProvider, ROOT_CONTEXT, SpanStatusCode, TraceFlags, isSpanContextValid, propagation, trace, type Context, type Span, type SpanContext, type Tracer } from '@opentelemetry/api';
import { randomBytes } from 'node:crypto';
import type { RunRecord } from './store/store.js';

/**
 * Spans of a run through the OpenTelemetry API only. The process that registers an SDK
 * (the gateway) decides sampling and export. Parents are passed explicitly, never through
 * an active-context manager: AsyncLocalStorage on Node 20 hooks every promise and cost
 * more than the spans themselves.
 */
const TRACER_NAME = '@unfold/engine';
let sdkTracer: Tracer | undefined;

/**
 * The registered SDK's tracer, or none. With none every span would be a no-op, and even
 * no-ops (a span, a context, ids checked) cost a server without tracing 0.4–0.6 % of its
 * CPU on small runs: without an SDK a run makes no span calls at all. Asked per run until
 * an SDK appears (one may be registered after this module loads), then kept, as the
 * API's own proxy tracer keeps its delegate.
 */
function registeredTracer(): Tracer | undefined {
  if (sdkTracer) return sdkTracer;
  const provider = trace.getTracerProvider();
  sdkTracer = provider instanceof ProxyTracerProvider ? provider.getDelegateTracer(TRACER_NAME) : provider.getTracer(TRACER_NAME);
  return sdkTracer;
}

/** The ids an event carries so a client can link to its span; none when the span is not sampled. */
export interface TraceIds {
  trace_id: string;
  span_id: string;
}

/** A started span, the context that makes it a parent, and the ids its events carry. */
export interface SpanHandle {
  span: Span;
  context: Context;
  ids: TraceIds | undefined;
}

const isSampled = (spanContext: SpanContext): boolean => (spanContext.traceFlags & TraceFlags.SAMPLED) !== 0;

function traceIdsOf(span: Span): TraceIds | undefined {
  const spanContext = span.spanContext();
  if (!isSampled(spanContext) || !span.isRecording()) return undefined;
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

/**
 * Attributes go on after the sampling decision: most runs are not sampled, and an
 * unsampled span should cost an id and nothing more.
 */
function startSpan(name: string, parent: Context, attributes: () => Record<string, string | number>): SpanHandle {
  const tracer = registeredTracer();
  if (!tracer || parent === NOT_SAMPLED_PARENT) return NOT_SAMPLED;
  const parentSpan = trace.getSpan(parent);
  const parentContext = parentSpan?.spanContext();
  // Under a parent that was not sampled no child ever is (parent-based sampling), so the
  // parent stands in for it: an unsampled run then costs no span object at all.
  if (parentSpan && parentContext && !isSampled(parentContext) && isSpanContextValid(parentContext)) return { span: parentSpan, context: parent, ids: undefined };
  const span = tracer.startSpan(name, undefined, parent);
  if (span.isRecording()) span.setAttributes(attributes());
  return { span, context: trace.setSpan(parent, span), ids: traceIdsOf(span) };
}

/**
 * The trace context stored with a run whose request was not sampled: the decision alone.
 * A made-up `traceparent` with flags 00 says the same, but costs two random ids per
 * request and a parse per run, for a trace id that leads nowhere.
 */
export const NOT_SAMPLED_TRACE_CONTEXT: Readonly<Record<string, string>> = Object.freeze({ sampled: '0' });

/**
 * The parent of every unsampled run: a span context with flags 00 (valid ids, made once),
 * so parent-based sampling keeps every span under it, the run's own and a tool's model
 * calls, unsampled. Nothing under it is recorded, so its ids are never seen.
 */
const NOT_SAMPLED_SPAN = trace.wrapSpanContext({ traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), traceFlags: TraceFlags.NONE });
const NOT_SAMPLED_PARENT = trace.setSpan(ROOT_CONTEXT, NOT_SAMPLED_SPAN);
/**
 * Every span of an unsampled run (or of any run with no SDK): one handle made once, so
 * such a run and its tools call nothing of OpenTelemetry's; ending it is a no-op.
 */
const NOT_SAMPLED: SpanHandle = Object.freeze({ span: NOT_SAMPLED_SPAN, context: NOT_SAMPLED_PARENT, ids: undefined });

/** `run <pipeline>`, a child of the trace context the creating request carried. */
export function startRunSpan(run: RunRecord): SpanHandle {
  const stored = run.trace_context;
  const parent = stored === undefined ? ROOT_CONTEXT : stored['sampled'] === '0' ? NOT_SAMPLED_PARENT : propagation.extract(ROOT_CONTEXT, stored);
  return startSpan(`run ${run.pipeline}`, parent, () => ({ 'unfold.run.id': run.run_id, 'unfold.pipeline': run.pipeline }));
}

/** `tool <name>`, one per attempt, a child of the run's span. */
export function startToolSpan(parent: Context, run: RunRecord, toolName: string, attempt: number): SpanHandle {
  return startSpan(`tool ${toolName}`, parent, () => ({ 'unfold.run.id': run.run_id, 'unfold.pipeline': run.pipeline, 'unfold.tool.name': toolName, 'unfold.tool.attempt': attempt }));
}

/** Ends a span with its outcome; an error is recorded as the span's exception. */
export function endSpan(span: Span, outcome: string, error?: Error): void {
  if (!span.isRecording()) return;
  span.setAttribute('unfold.outcome', outcome);
  if (error) {
    span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  }
  span.end();
}
