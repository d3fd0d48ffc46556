import type { EngineHooks, PipelineInfo, RunRecord, TraceIds } from '@unfold/engine';
import { TRANSPORTS, type UnfoldEvent } from '@unfold/protocol';
import { Gauge, Registry, collectDefaultMetrics, type Metric, type RegistryContentType } from 'prom-client';
import type { StreamCounters, StreamTransport } from '../streaming/stream-observer.js';
import { SeriesCounter, SeriesGauge, SeriesHistogram, scrapedMetric, type ExemplarLabels } from './series-metrics.js';

/** Seconds; from a fast tool (milliseconds) to a slow OCR or model call (a minute). */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** Seconds; delivery is meant to take milliseconds. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

const FIELD_EVENTS = new Set(['field_labeled', 'extraction_field']);
const NONE = new Map<StreamTransport, number>();
const NO_STREAMS = { connections: NONE, deliveries: NONE, slowConsumers: NONE, resumes: NONE, resyncs: NONE };
const STREAM_TRANSPORTS: readonly StreamTransport[] = [...TRANSPORTS, 'websocket-multiplexed', 'websocket-seed'];
const RUN_STATUSES = ['completed', 'failed', 'cancelled'] as const;
const TOOL_OUTCOMES = ['completed', 'failed', 'retrying'] as const;
const RECEIPT_STATUSES = ['success', 'failure', 'cancelled'] as const;

interface RunFirsts {
  createdAt: number;
  event: boolean;
  field: boolean;
  token: boolean;
}

function openMetricsRegistry(): Registry<RegistryContentType> {
  const registry: Registry<RegistryContentType> = new Registry();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  return registry;
}

/** The span's trace id as an exemplar label, when the span is sampled. */
const exemplarOf = (trace: TraceIds | undefined): ExemplarLabels | undefined => (trace ? { trace_id: trace.trace_id } : undefined);

/**
 * Milliseconds since the epoch of an event's ISO timestamp. Events come in bursts stamped
 * with the same millisecond, so the last one parsed is kept: Date.parse per delivery was
 * the biggest single cost of timing deliveries.
 */
class TimestampParser {
  private lastText = '';
  private lastMs = 0;

  parse(text: string): number {
    if (text !== this.lastText) {
      this.lastText = text;
      this.lastMs = Date.parse(text);
    }
    return this.lastMs;
  }
}

/**
 * Every Prometheus metric the server exports, fed by the engine's hooks; connection
 * counts are read from the streaming layer's counters when scraped. Registered twice: Prometheus text for plain scrapes and
 * OpenMetrics (which carries exemplars pointing at trace ids) when a scraper asks for it.
 * Methods never throw into their callers: prom-client only throws on misuse (a wrong
 * label name), which the test suite would catch.
 *
 * Every series of a known label set (each pipeline × status, each pipeline's tools ×
 * outcome, each transport) exists from the start at zero: a dashboard shows 0 and an
 * alert on a rate can fire, where a series that does not exist yet is "no data".
 */
export class UnfoldMetrics implements EngineHooks {
  private readonly prometheus: Registry<RegistryContentType> = new Registry();
  private readonly openMetrics: Registry<RegistryContentType> = openMetricsRegistry();
  private readonly firsts = new Map<string, RunFirsts>();
  private readonly appended = new Map<string, number>();
  private readonly toolOutcomes = new Map<string, { completed: number; failed: number }>();

  private readonly registers = [this.prometheus, this.openMetrics];

  // Seed 000's names, kept for its dashboard.
  private readonly receiptProcessing = new SeriesCounter('receipt_processing_total', 'Receipts processed, by outcome (success, failure, cancelled)', ['status'], this.registers);
  private readonly receiptToolDuration = new SeriesHistogram({ name: 'receipt_processing_duration_seconds', help: 'Receipt pipeline tool durations', labelNames: ['tool'], buckets: DURATION_BUCKETS }, this.registers);
  private readonly activeReceipts = new SeriesGauge('active_receipt_processing', 'Receipts being processed now', [], this.registers);

  private readonly runs = new SeriesCounter('unfold_runs_total', 'Runs finished, by pipeline and status', ['pipeline', 'status'], this.registers);
  private readonly runDuration = new SeriesHistogram({ name: 'unfold_run_duration_seconds', help: 'Run durations from start to terminal event', labelNames: ['pipeline', 'status'], buckets: DURATION_BUCKETS }, this.registers);
  private readonly activeRuns = new SeriesGauge('unfold_active_runs', 'Runs executing now', ['pipeline'], this.registers);
  private readonly tools = new SeriesCounter('unfold_tool_outcomes_total', 'Tool attempts, by outcome (completed, failed, retrying)', ['pipeline', 'tool', 'outcome'], this.registers);
  private readonly toolDuration = new SeriesHistogram({ name: 'unfold_tool_duration_seconds', help: 'Tool attempt durations', labelNames: ['pipeline', 'tool', 'outcome'], buckets: DURATION_BUCKETS }, this.registers);
  private readonly timeToFirstEvent = new SeriesHistogram({ name: 'unfold_time_to_first_event_seconds', help: 'From run creation to its first event', labelNames: ['pipeline'], buckets: LATENCY_BUCKETS }, this.registers);
  private readonly timeToFirstField = new SeriesHistogram({ name: 'unfold_time_to_first_field_seconds', help: 'From run creation to its first field event', labelNames: ['pipeline'], buckets: DURATION_BUCKETS }, this.registers);
  private readonly timeToFirstToken = new SeriesHistogram({ name: 'unfold_time_to_first_token_seconds', help: 'From run creation to the first model token', labelNames: ['pipeline'], buckets: DURATION_BUCKETS }, this.registers);

  private readonly deliveryLatency = new SeriesHistogram({ name: 'unfold_delivery_latency_seconds', help: 'From an event being appended to it being written to a client', labelNames: ['transport'], buckets: LATENCY_BUCKETS }, this.registers);
  private readonly timestamps = new TimestampParser();

  private queueDepth = (): number => 0;
  private streams: StreamCounters | undefined;

  /** `pipelines`: every registered pipeline, whose series start at zero. */
  constructor(known: { pipelines: readonly PipelineInfo[] }) {
    const queueDepth = () => this.queueDepth();
    const pipelines = known.pipelines.map((pipeline) => pipeline.name);
    scrapedMetric('counter', { name: 'unfold_events_appended_total', help: 'Events appended to run logs', labelName: 'pipeline', known: pipelines }, this.registers, () => this.appended);
    const counts = () => this.streams?.byTransport() ?? NO_STREAMS;
    const transport = { labelName: 'transport', known: STREAM_TRANSPORTS };
    scrapedMetric('gauge', { name: 'unfold_open_connections', help: 'Open streaming connections, by transport', ...transport }, this.registers, () => counts().connections);
    scrapedMetric('counter', { name: 'unfold_events_delivered_total', help: 'Events written to clients, by transport', ...transport }, this.registers, () => counts().deliveries);
    scrapedMetric('counter', { name: 'unfold_slow_consumer_disconnects_total', help: 'Clients cut off for falling too far behind', ...transport }, this.registers, () => counts().slowConsumers);
    scrapedMetric('counter', { name: 'unfold_stream_resumes_total', help: 'Streams resumed from a position (for long-poll: a request from a position that does not wait, which is how a client opens it)', ...transport }, this.registers, () => counts().resumes);
    scrapedMetric('counter', { name: 'unfold_stream_resyncs_total', help: 'Clients told to resync (position gone or epoch changed)', ...transport }, this.registers, () => counts().resyncs);
    const toolOutcomes = this.toolOutcomes;
    new Gauge({
      name: 'tool_success_rate',
      help: 'Share of tool attempts that completed (seed 000), over the life of the process; NaN before any attempt',
      labelNames: ['tool_name'],
      registers: this.registers,
      collect() {
        for (const [tool, outcome] of toolOutcomes) this.set({ tool_name: tool }, outcome.completed / (outcome.completed + outcome.failed));
      },
    });
    new Gauge({
      name: 'unfold_queued_runs',
      help: 'Runs waiting for a free slot',
      registers: this.registers,
      collect() {
        this.set(queueDepth());
      },
    });
    // Process metrics, event-loop lag among them (nodejs_eventloop_lag_p99_seconds …):
    // collected once (one GC observer, one loop monitor) and shown in both registries.
    collectDefaultMetrics({ register: this.prometheus });
    for (const metric of this.prometheus.getMetricsAsArray()) this.openMetrics.registerMetric(metric as unknown as Metric);
    this.initSeries(known.pipelines);
  }

  private initSeries(pipelines: readonly PipelineInfo[]): void {
    for (const pipeline of pipelines) {
      this.activeRuns.init([pipeline.name]);
      for (const histogram of [this.timeToFirstEvent, this.timeToFirstField, this.timeToFirstToken]) histogram.init([pipeline.name]);
      for (const status of RUN_STATUSES) {
        this.runs.init([pipeline.name, status]);
        this.runDuration.init([pipeline.name, status]);
      }
      for (const tool of pipeline.tools) {
        this.toolOutcomes.set(tool, { completed: 0, failed: 0 });
        if (pipeline.name === 'receipt') this.receiptToolDuration.init([tool]);
        for (const outcome of TOOL_OUTCOMES) {
          this.tools.init([pipeline.name, tool, outcome]);
          this.toolDuration.init([pipeline.name, tool, outcome]);
        }
      }
    }
    for (const status of RECEIPT_STATUSES) this.receiptProcessing.init([status]);
    this.activeReceipts.init([]);
    for (const transport of STREAM_TRANSPORTS) this.deliveryLatency.init([transport]);
  }

  /** A scrape: Prometheus text, or OpenMetrics with exemplars when `openMetrics`. */
  async render(openMetrics: boolean): Promise<{ contentType: string; body: string }> {
    if (!openMetrics) return { contentType: this.prometheus.contentType, body: await this.prometheus.metrics() };
    // prom-client renames shared counters in place (drops `_total`) while rendering
    // OpenMetrics, which would break the next Prometheus scrape (prometheus/client_js#829).
    const counters = this.openMetrics.getMetricsAsArray().filter((metric) => (metric as unknown as { type: string }).type === 'counter') as unknown as Array<{ name: string }>;
    const names = counters.map((counter) => counter.name);
    try {
      return { contentType: this.openMetrics.contentType, body: await this.openMetrics.metrics() };
    } finally {
      counters.forEach((counter, index) => (counter.name = names[index] as string));
    }
  }

  /** Where `unfold_queued_runs` reads the number of runs waiting. */
  observeQueue(depth: () => number): void {
    this.queueDepth = depth;
  }

  /** Where the connection and delivery metrics read their counts. */
  observeStreams(streams: StreamCounters): void {
    this.streams = streams;
  }

  // EngineHooks

  runStarted(run: RunRecord): void {
    this.firsts.set(run.run_id, { createdAt: Date.parse(run.created_at), event: false, field: false, token: false });
    this.activeRuns.add([run.pipeline], 1);
    if (run.pipeline === 'receipt') this.activeReceipts.add([], 1);
  }

  runFinished(run: RunRecord, status: 'completed' | 'failed' | 'cancelled', durationMs: number, trace?: TraceIds): void {
    this.firsts.delete(run.run_id);
    this.activeRuns.add([run.pipeline], -1);
    this.runDuration.observe([run.pipeline, status], durationMs / 1000, exemplarOf(trace));
    if (run.pipeline === 'receipt') this.activeReceipts.add([], -1);
    this.countFinished(run, status);
  }

  /** Counted among finished runs; it was never active and took no time. */
  runEndedBeforeStart(run: RunRecord, status: 'failed' | 'cancelled'): void {
    this.countFinished(run, status);
  }

  private countFinished(run: RunRecord, status: 'completed' | 'failed' | 'cancelled'): void {
    this.runs.inc([run.pipeline, status]);
    if (run.pipeline === 'receipt') this.receiptProcessing.inc([status === 'completed' ? 'success' : status === 'failed' ? 'failure' : 'cancelled']);
  }

  toolFinished(run: RunRecord, toolName: string, outcome: 'completed' | 'failed' | 'retrying', durationMs: number, trace?: TraceIds): void {
    this.tools.inc([run.pipeline, toolName, outcome]);
    this.toolDuration.observe([run.pipeline, toolName, outcome], durationMs / 1000, exemplarOf(trace));
    if (run.pipeline === 'receipt') this.receiptToolDuration.observe([toolName], durationMs / 1000);
    const counts = this.toolOutcomes.get(toolName) ?? { completed: 0, failed: 0 };
    if (outcome === 'completed') counts.completed++;
    else counts.failed++;
    this.toolOutcomes.set(toolName, counts);
  }

  /** Once per event: counts it, and reads the clock only for a run's firsts. */
  eventEmitted(run: RunRecord, eventType: string, trace?: TraceIds): void {
    this.appended.set(run.pipeline, (this.appended.get(run.pipeline) ?? 0) + 1);
    const firsts = this.firsts.get(run.run_id);
    if (!firsts) return;
    const firstField = !firsts.field && FIELD_EVENTS.has(eventType);
    const firstToken = !firsts.token && eventType === 'extraction_token';
    if (firsts.event && !firstField && !firstToken) return;
    const since = (Date.now() - firsts.createdAt) / 1000;
    if (!firsts.event) {
      firsts.event = true;
      this.timeToFirstEvent.observe([run.pipeline], since);
    }
    if (firstField) {
      firsts.field = true;
      this.timeToFirstField.observe([run.pipeline], since, exemplarOf(trace));
    }
    if (firstToken) {
      firsts.token = true;
      this.timeToFirstToken.observe([run.pipeline], since, exemplarOf(trace));
    }
  }

  /** Times a delivery, append to socket write (StreamCounters tells of each). */
  delivered(event: UnfoldEvent, transport: StreamTransport): void {
    this.deliveryLatency.observe([transport], Math.max(0, Date.now() - this.timestamps.parse(event.timestamp)) / 1000);
  }
}
