import type { EngineHooks, RunRecord, TraceIds } from '@unfold/engine';
import type { UnfoldEvent } from '@unfold/protocol';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type RegistryContentType } from 'prom-client';
import type { StreamCounters, StreamTransport } from '../streaming/stream-observer.js';
import { HotHistogram, scrapedMetric } from './hot-path-metrics.js';

/** Seconds; from a fast tool (milliseconds) to a slow OCR or model call (a minute). */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** Seconds; delivery is meant to take milliseconds. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

const FIELD_EVENTS = new Set(['field_labeled', 'extraction_field']);
const NONE = new Map<StreamTransport, number>();
const NO_STREAMS = { connections: NONE, deliveries: NONE, slowConsumers: NONE, resumes: NONE, resyncs: NONE };

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

/**
 * An exemplar's labels (prom-client types them as the metric's own labels, though
 * OpenMetrics lets them be anything).
 */
type Exemplar = Record<string, string>;
/**
 * prom-client keeps exemplars out of Prometheus-text registries, so a histogram with
 * exemplars is two: a plain one for the Prometheus scrape and one with exemplars for the
 * OpenMetrics scrape, observed together. Only low-rate histograms (per run, per tool) are.
 */
class ExemplarHistogram<Label extends string> {
  private readonly plain: Histogram<Label>;
  private readonly withExemplars: Histogram<Label>;

  constructor(config: { name: string; help: string; labelNames: readonly Label[]; buckets: number[] }, prometheus: Registry<RegistryContentType>, openMetrics: Registry<RegistryContentType>) {
    this.plain = new Histogram({ ...config, registers: [prometheus] });
    this.withExemplars = new Histogram({ ...config, enableExemplars: true, registers: [openMetrics] });
  }

  observe(labels: Partial<Record<Label, string>>, value: number, exemplarLabels: Exemplar): void {
    this.plain.observe(labels, value);
    this.withExemplars.observe({ labels, value, exemplarLabels: exemplarLabels as Partial<Record<Label, string>> });
  }
}

/** The span's trace id as an exemplar label, when the span is sampled. */
const exemplarOf = (trace: TraceIds | undefined): Exemplar => (trace ? { trace_id: trace.trace_id } : {});

/**
 * Every Prometheus metric the server exports, fed by the engine's hooks; connection
 * counts are read from the streaming layer's counters when scraped. Registered twice: Prometheus text for plain scrapes and
 * OpenMetrics (which carries exemplars pointing at trace ids) when a scraper asks for it.
 * Methods never throw into their callers: prom-client only throws on misuse (a wrong
 * label name), which the test suite would catch.
 */
export class UnfoldMetrics implements EngineHooks {
  private readonly prometheus: Registry<RegistryContentType> = new Registry();
  private readonly openMetrics: Registry<RegistryContentType> = openMetricsRegistry();
  private readonly firsts = new Map<string, RunFirsts>();
  private readonly appended = new Map<string, number>();
  private readonly toolOutcomes = new Map<string, { completed: number; failed: number }>();

  private readonly registers = [this.prometheus, this.openMetrics];

  // Seed 000's names, kept for its dashboard.
  private readonly receiptProcessing = new Counter({ name: 'receipt_processing_total', help: 'Receipts processed, by outcome (success, failure, cancelled)', labelNames: ['status'], registers: this.registers });
  private readonly receiptToolDuration = new Histogram({ name: 'receipt_processing_duration_seconds', help: 'Receipt pipeline tool durations', labelNames: ['tool'], buckets: DURATION_BUCKETS, registers: this.registers });
  private readonly activeReceipts = new Gauge({ name: 'active_receipt_processing', help: 'Receipts being processed now', registers: this.registers });

  private readonly runs = new Counter({ name: 'unfold_runs_total', help: 'Runs finished, by pipeline and status', labelNames: ['pipeline', 'status'], registers: this.registers });
  private readonly runDuration = new ExemplarHistogram({ name: 'unfold_run_duration_seconds', help: 'Run durations from start to terminal event', labelNames: ['pipeline', 'status'], buckets: DURATION_BUCKETS }, this.prometheus, this.openMetrics);
  private readonly activeRuns = new Gauge({ name: 'unfold_active_runs', help: 'Runs executing now', labelNames: ['pipeline'], registers: this.registers });
  private readonly tools = new Counter({ name: 'unfold_tool_outcomes_total', help: 'Tool attempts, by outcome (completed, failed, retrying)', labelNames: ['pipeline', 'tool', 'outcome'], registers: this.registers });
  private readonly toolDuration = new ExemplarHistogram({ name: 'unfold_tool_duration_seconds', help: 'Tool attempt durations', labelNames: ['pipeline', 'tool', 'outcome'], buckets: DURATION_BUCKETS }, this.prometheus, this.openMetrics);
  private readonly timeToFirstEvent = new Histogram({ name: 'unfold_time_to_first_event_seconds', help: 'From run creation to its first event', labelNames: ['pipeline'], buckets: LATENCY_BUCKETS, registers: this.registers });
  private readonly timeToFirstField = new ExemplarHistogram({ name: 'unfold_time_to_first_field_seconds', help: 'From run creation to its first field event', labelNames: ['pipeline'], buckets: DURATION_BUCKETS }, this.prometheus, this.openMetrics);
  private readonly timeToFirstToken = new ExemplarHistogram({ name: 'unfold_time_to_first_token_seconds', help: 'From run creation to the first model token', labelNames: ['pipeline'], buckets: DURATION_BUCKETS }, this.prometheus, this.openMetrics);

  private readonly deliveryLatency = new HotHistogram('unfold_delivery_latency_seconds', 'From an event being appended to it being written to a client', 'transport', LATENCY_BUCKETS, this.registers);

  private queueDepth = (): number => 0;
  private streams: StreamCounters | undefined;

  constructor() {
    const queueDepth = () => this.queueDepth();
    scrapedMetric('counter', { name: 'unfold_events_appended_total', help: 'Events appended to run logs', labelName: 'pipeline' }, this.registers, () => this.appended);
    const counts = () => this.streams?.byTransport() ?? NO_STREAMS;
    scrapedMetric('gauge', { name: 'unfold_open_connections', help: 'Open streaming connections, by transport', labelName: 'transport' }, this.registers, () => counts().connections);
    scrapedMetric('counter', { name: 'unfold_events_delivered_total', help: 'Events written to clients, by transport', labelName: 'transport' }, this.registers, () => counts().deliveries);
    scrapedMetric('counter', { name: 'unfold_slow_consumer_disconnects_total', help: 'Clients cut off for falling too far behind', labelName: 'transport' }, this.registers, () => counts().slowConsumers);
    scrapedMetric('counter', { name: 'unfold_stream_resumes_total', help: 'Streams resumed from a position (for long-poll: every request from a position)', labelName: 'transport' }, this.registers, () => counts().resumes);
    scrapedMetric('counter', { name: 'unfold_stream_resyncs_total', help: 'Clients told to resync (position gone or epoch changed)', labelName: 'transport' }, this.registers, () => counts().resyncs);
    const toolOutcomes = this.toolOutcomes;
    new Gauge({
      name: 'tool_success_rate',
      help: 'Share of tool attempts that completed (seed 000), over the life of the process',
      labelNames: ['tool_name'],
      registers: this.registers,
      collect() {
        for (const [tool, outcome] of toolOutcomes) this.set({ tool_name: tool }, outcome.completed / Math.max(1, outcome.completed + outcome.failed));
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
    // Process metrics, event-loop lag among them (nodejs_eventloop_lag_p99_seconds …).
    for (const register of this.registers) collectDefaultMetrics({ register });
  }

  /** A scrape: Prometheus text, or OpenMetrics with exemplars when `openMetrics`. */
  async render(openMetrics: boolean): Promise<{ contentType: string; body: string }> {
    if (!openMetrics) return { contentType: this.prometheus.contentType, body: await this.prometheus.metrics() };
    // prom-client renames shared counters in place (drops `_total`) while rendering
    // OpenMetrics, which would break the next Prometheus scrape (prometheus/client_js#829).
    const counters = this.openMetrics.getMetricsAsArray().filter((metric) => metric instanceof Counter) as unknown as Array<{ name: string }>;
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
    this.activeRuns.inc({ pipeline: run.pipeline });
    if (run.pipeline === 'receipt') this.activeReceipts.inc();
  }

  runFinished(run: RunRecord, status: 'completed' | 'failed' | 'cancelled', durationMs: number, trace?: TraceIds): void {
    this.firsts.delete(run.run_id);
    this.activeRuns.dec({ pipeline: run.pipeline });
    this.runs.inc({ pipeline: run.pipeline, status });
    this.runDuration.observe({ pipeline: run.pipeline, status }, durationMs / 1000, exemplarOf(trace));
    if (run.pipeline !== 'receipt') return;
    this.activeReceipts.dec();
    this.receiptProcessing.inc({ status: status === 'completed' ? 'success' : status === 'failed' ? 'failure' : 'cancelled' });
  }

  toolFinished(run: RunRecord, toolName: string, outcome: 'completed' | 'failed' | 'retrying', durationMs: number, trace?: TraceIds): void {
    this.tools.inc({ pipeline: run.pipeline, tool: toolName, outcome });
    this.toolDuration.observe({ pipeline: run.pipeline, tool: toolName, outcome }, durationMs / 1000, exemplarOf(trace));
    if (run.pipeline === 'receipt') this.receiptToolDuration.observe({ tool: toolName }, durationMs / 1000);
    const counts = this.toolOutcomes.get(toolName) ?? { completed: 0, failed: 0 };
    if (outcome === 'completed') counts.completed++;
    else counts.failed++;
    this.toolOutcomes.set(toolName, counts);
  }

  eventEmitted(run: RunRecord, eventType: string, trace?: TraceIds): void {
    this.appended.set(run.pipeline, (this.appended.get(run.pipeline) ?? 0) + 1);
    const firsts = this.firsts.get(run.run_id);
    if (!firsts) return;
    const since = (Date.now() - firsts.createdAt) / 1000;
    if (!firsts.event) {
      firsts.event = true;
      this.timeToFirstEvent.observe({ pipeline: run.pipeline }, since);
    }
    if (!firsts.field && FIELD_EVENTS.has(eventType)) {
      firsts.field = true;
      this.timeToFirstField.observe({ pipeline: run.pipeline }, since, exemplarOf(trace));
    }
    if (!firsts.token && eventType === 'extraction_token') {
      firsts.token = true;
      this.timeToFirstToken.observe({ pipeline: run.pipeline }, since, exemplarOf(trace));
    }
  }

  /** Times a delivery, append to socket write (StreamCounters tells of each). */
  delivered(event: UnfoldEvent, transport: StreamTransport): void {
    this.deliveryLatency.observe(transport, Math.max(0, Date.now() - Date.parse(event.timestamp)) / 1000);
  }
}
