import { propagation, trace } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TracerProvider,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

export interface TracingOptions {
  serviceName: string;
  serviceVersion: string;
  /** OTLP endpoint and protocol, as OTEL_EXPORTER_OTLP_ENDPOINT / _PROTOCOL name them. */
  otlp?: { endpoint: string; protocol: 'grpc' | 'http/protobuf' };
  /** Spans go here instead, each as it ends (tests and benchmarks). */
  exporter?: SpanExporter;
}

export interface Tracing {
  /** Exports what is buffered and unregisters the SDK. */
  shutdown(): Promise<void>;
}

async function otlpExporter(otlp: NonNullable<TracingOptions['otlp']>): Promise<SpanExporter> {
  // Loaded only when configured: a server without an endpoint never touches the exporters.
  if (otlp.protocol === 'grpc') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-grpc');
    return new OTLPTraceExporter({ url: otlp.endpoint });
  }
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  return new OTLPTraceExporter({ url: `${otlp.endpoint.replace(/\/$/, '')}/v1/traces` });
}

/**
 * Registers the OpenTelemetry SDK for this process: W3C trace context and baggage,
 * parent-based sampling, and a batch OTLP exporter (or
 * the given exporter). Without either nothing is registered and every span is a no-op.
 * No context manager: Unfold passes span parents explicitly (see the engine's
 * run-tracing), and AsyncLocalStorage would tax every promise of the process on Node 20.
 */
export async function startTracing(options: TracingOptions): Promise<Tracing | undefined> {
  if (!options.exporter && !options.otlp) return undefined;
  const processor: SpanProcessor = options.exporter
    ? new SimpleSpanProcessor({ exporter: options.exporter })
    : new BatchSpanProcessor({ exporter: await otlpExporter(options.otlp as NonNullable<TracingOptions['otlp']>) });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName, [ATTR_SERVICE_VERSION]: options.serviceVersion }),
    // New traces start only at the HTTP edge, which samples them before any span exists
    // (see http-tracing); every other span follows its parent.
    sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    spanProcessors: [processor],
  });
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  trace.setGlobalTracerProvider(provider);
  return {
    async shutdown() {
      await provider.shutdown().catch(() => undefined);
      trace.disable();
      propagation.disable();
    },
  };
}
