import { ROOT_CONTEXT, SpanStatusCode, TraceFlags, context, propagation, trace, type Context, type Span } from '@opentelemetry/api';
import type { RunRecord } from './store/store.js';

/**
 * Spans of a run through the OpenTelemetry API only: with no SDK registered every call
 * is a no-op, so a server without tracing configured pays nothing. The process that
 * registers an SDK (the gateway) decides sampling and export.
 */
const tracer = trace.getTracer('@unfold/engine');

/** The ids an event carries so a client can link to its span; none when the span is not sampled. */
export interface TraceIds {
  trace_id: string;
  span_id: string;
}

export function traceIdsOf(span: Span): TraceIds | undefined {
  const spanContext = span.spanContext();
  if ((spanContext.traceFlags & TraceFlags.SAMPLED) === 0 || !span.isRecording()) return undefined;
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

/** `run <pipeline>`, a child of the trace context the creating request carried. */
export function startRunSpan(run: RunRecord): { span: Span; context: Context } {
  const parent = run.trace_context ? propagation.extract(ROOT_CONTEXT, run.trace_context) : ROOT_CONTEXT;
  const span = tracer.startSpan(`run ${run.pipeline}`, { attributes: { 'unfold.run.id': run.run_id, 'unfold.pipeline': run.pipeline } }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

/** `tool <name>`, one per attempt, a child of the run's span. */
export function startToolSpan(parent: Context, run: RunRecord, toolName: string, attempt: number): { span: Span; context: Context } {
  const span = tracer.startSpan(
    `tool ${toolName}`,
    { attributes: { 'unfold.run.id': run.run_id, 'unfold.pipeline': run.pipeline, 'unfold.tool.name': toolName, 'unfold.tool.attempt': attempt } },
    parent,
  );
  return { span, context: trace.setSpan(parent, span) };
}

/** Ends a span with its outcome; an error is recorded as the span's exception. */
export function endSpan(span: Span, outcome: string, error?: Error): void {
  span.setAttribute('unfold.outcome', outcome);
  if (error) {
    span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  }
  span.end();
}

/** Runs `work` with `spanContext` active, so spans and logs made inside it are its children. */
export function withSpanContext<T>(spanContext: Context, work: () => T): T {
  return context.with(spanContext, work);
}
