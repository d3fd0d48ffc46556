import { ROOT_CONTEXT, SpanStatusCode, TraceFlags, isSpanContextValid, propagation, trace, type Context, type Span, type SpanContext } from '@opentelemetry/api';
import type { RunRecord } from './store/store.js';

/**
 * Spans of a run through the OpenTelemetry API only: with no SDK registered every call
 * is a no-op, so a server without tracing configured pays nothing. The process that
 * registers an SDK (the gateway) decides sampling and export. Parents are passed
 * explicitly, never through an active-context manager: AsyncLocalStorage on Node 20
 * hooks every promise and cost more than the spans themselves.
 */
const tracer = trace.getTracer('@unfold/engine');

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
  const parentSpan = trace.getSpan(parent);
  const parentContext = parentSpan?.spanContext();
  // Under a parent that was not sampled no child ever is (parent-based sampling), so the
  // parent stands in for it: an unsampled run then costs no span object at all.
  if (parentSpan && parentContext && !isSampled(parentContext) && isSpanContextValid(parentContext)) return { span: parentSpan, context: parent, ids: undefined };
  const span = tracer.startSpan(name, undefined, parent);
  if (span.isRecording()) span.setAttributes(attributes());
  return { span, context: trace.setSpan(parent, span), ids: traceIdsOf(span) };
}

/** `run <pipeline>`, a child of the trace context the creating request carried. */
export function startRunSpan(run: RunRecord): SpanHandle {
  const parent = run.trace_context ? propagation.extract(ROOT_CONTEXT, run.trace_context) : ROOT_CONTEXT;
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
