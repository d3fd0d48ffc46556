import { randomBytes } from 'node:crypto';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { createClient } from '@unfold/client/node';
import type { UnfoldEvent } from '@unfold/protocol';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { metricNames, opsExpressions } from './ops-queries.js';
import { getJson, openSocket, postJson, readStream } from './raw-clients.js';
import { startTestServer, type TestServer } from './test-server.js';

/** Samples of a Prometheus text scrape: `name{labels}` → value. */
async function scrape(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

/** The metric families a scrape declares (`# TYPE name kind`), histograms with their series. */
async function exportedNames(url: string): Promise<Set<string>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const names = new Set<string>();
  for (const [, name, kind] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name as string);
    if (kind === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}

const delta = (before: Map<string, number>, after: Map<string, number>, sample: string) => (after.get(sample) ?? 0) - (before.get(sample) ?? 0);

describe('telemetry', () => {
  const exporter = new InMemorySpanExporter();
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({}, { spanExporter: exporter });
  });
  afterAll(() => server.cleanup());

  const finishedSpan = (name: string, traceId: string) =>
    vi.waitFor(() => {
      const span = exporter.getFinishedSpans().find((candidate) => candidate.name === name && candidate.spanContext().traceId === traceId);
      if (!span) throw new Error(`no finished span ${name}`);
      return span;
    });

  it('traces a run under the caller’s traceparent, a span per tool, and stamps every event with its span', async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const created = await postJson(`${server.url}/v1/runs`, { pipeline: 'demo', input: { pace: 0, fail_tool: 'validate' } }, { traceparent: `00-${traceId}-${callerSpanId}-01` });
    const runId = created.body['run_id'] as string;
    const events: UnfoldEvent[] = [];
    const stream = createClient({ baseUrl: server.url }).watch(runId);
    stream.on('event', (event) => events.push(event));
    await stream.done;

    const request = await finishedSpan('POST /v1/runs', traceId);
    const run = await finishedSpan('run demo', traceId);
    expect(request.parentSpanContext?.spanId).toBe(callerSpanId);
    expect(run.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(run.attributes).toMatchObject({ 'unfold.run.id': runId, 'unfold.pipeline': 'demo', 'unfold.outcome': 'failed' });

    const tools = exporter.getFinishedSpans().filter((span: ReadableSpan) => span.spanContext().traceId === traceId && span.name.startsWith('tool '));
    expect(tools.map((span) => span.name).sort()).toEqual(['tool detect_layout', 'tool fetch_document', 'tool label_fields', 'tool read_text', 'tool validate']);
    expect(tools.every((span) => span.parentSpanContext?.spanId === run.spanContext().spanId)).toBe(true);
    const failed = tools.find((span) => span.name === 'tool validate') as ReadableSpan;
    expect(failed.attributes['unfold.outcome']).toBe('failed');
    expect(failed.status.code).toBe(2); // SpanStatusCode.ERROR
    expect(failed.events.map((event) => event.name)).toContain('exception');

    expect(events.length).toBeGreaterThan(5);
    expect(events.every((event) => event.trace_id === traceId)).toBe(true);
    // Lifecycle events carry the run's span; a tool's events and its results carry the tool's.
    const toolSpan = (name: string) => tools.find((span) => span.name === `tool ${name}`)?.spanContext().spanId;
    for (const event of events) {
      if (event.event_type.startsWith('processing_')) expect(event.span_id).toBe(run.spanContext().spanId);
      else if ('tool_name' in event) expect(event.span_id).toBe(toolSpan(event.tool_name ?? ''));
      else expect(tools.map((span) => span.spanContext().spanId)).toContain(event.span_id);
    }
    expect(events.find((event) => event.event_type === 'field_labeled')?.span_id).toBe(toolSpan('label_fields'));
  });

  it('ends the spans of a cancelled run and of the tool it stopped as cancelled, not as errors', async () => {
    const traceId = randomBytes(16).toString('hex');
    const created = await postJson(`${server.url}/v1/runs`, { pipeline: 'demo', input: { pace: 1 } }, { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` });
    const runId = created.body['run_id'] as string;
    const stream = createClient({ baseUrl: server.url }).watch(runId);
    await new Promise<void>((resolve) => stream.on('tool_started', () => resolve()));
    expect((await postJson(`${server.url}/v1/runs/${runId}/cancel`, {})).status).toBe(202);
    expect((await stream.done).event_type).toBe('processing_cancelled');
    const run = await finishedSpan('run demo', traceId);
    expect(run.attributes['unfold.outcome']).toBe('cancelled');
    const stopped = exporter.getFinishedSpans().filter((span: ReadableSpan) => span.spanContext().traceId === traceId && span.name.startsWith('tool '));
    expect(stopped.map((span) => [span.name, span.attributes['unfold.outcome'], span.status.code])).toEqual([['tool fetch_document', 'cancelled', 0]]);
  });

  it('moves the counters by exactly what one run did, over SSE', async () => {
    const before = await scrape(server.url);
    const stream = createClient({ baseUrl: server.url, transports: ['sse'] }).runAndWatch({ pipeline: 'demo', input: { pace: 0 } });
    const events: UnfoldEvent[] = [];
    stream.on('event', (event) => events.push(event));
    await stream.done;
    // The terminal event is delivered as the run ends; its metrics land a moment later.
    await vi.waitFor(async () => expect(delta(before, await scrape(server.url), 'unfold_runs_total{pipeline="demo",status="completed"}')).toBe(1));
    const after = await scrape(server.url);

    expect(delta(before, after, 'unfold_events_appended_total{pipeline="demo"}')).toBe(events.length);
    expect(delta(before, after, 'unfold_events_delivered_total{transport="sse"}')).toBe(events.length);
    expect(delta(before, after, 'unfold_delivery_latency_seconds_count{transport="sse"}')).toBe(events.length);
    for (const tool of ['fetch_document', 'read_text', 'detect_layout', 'label_fields', 'validate']) {
      expect(delta(before, after, `unfold_tool_outcomes_total{pipeline="demo",tool="${tool}",outcome="completed"}`)).toBe(1);
      expect(delta(before, after, `unfold_tool_duration_seconds_count{pipeline="demo",tool="${tool}",outcome="completed"}`)).toBe(1);
    }
    expect(delta(before, after, 'unfold_run_duration_seconds_count{pipeline="demo",status="completed"}')).toBe(1);
    expect(delta(before, after, 'unfold_time_to_first_field_seconds_count{pipeline="demo"}')).toBe(1);
    expect(after.get('unfold_active_runs{pipeline="demo"}')).toBe(0);
    expect(after.get('tool_success_rate{tool_name="fetch_document"}')).toBe(1);
    expect(after.get('tool_success_rate{tool_name="validate"}')).toBe(0.5); // the first test's run failed it
    await vi.waitFor(async () => expect((await scrape(server.url)).get('unfold_open_connections{transport="sse"}')).toBe(0));
  });

  it('counts receipts under the seed’s names', async () => {
    const before = await scrape(server.url);
    const sroie_boxes = ['10,10,200,10,200,30,10,30,CORNER CAFE', '10,60,120,60,120,80,10,80,TOTAL', '300,60,360,60,360,80,300,80,12.00'].join('\n');
    await createClient({ baseUrl: server.url }).runAndWatch({ pipeline: 'receipt', input: { sroie_boxes } }).done;
    await vi.waitFor(async () => expect(delta(before, await scrape(server.url), 'receipt_processing_total{status="success"}')).toBe(1));
    const after = await scrape(server.url);
    expect(delta(before, after, 'receipt_processing_duration_seconds_count{tool="field_labeling"}')).toBe(1);
    expect(after.get('active_receipt_processing')).toBe(0);
  });

  it('serves OpenMetrics with exemplars that point at trace ids when a scraper asks for it', async () => {
    const response = await fetch(`${server.url}/metrics`, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } });
    expect(response.headers.get('content-type')).toMatch(/application\/openmetrics-text/);
    const text = await response.text();
    expect(text).toMatch(/^unfold_run_duration_seconds_bucket\{[^}]*\} \d+ # \{trace_id="[0-9a-f]{32}"\}/m);
    expect(text.trimEnd().endsWith('# EOF')).toBe(true);
  });

  it('exports every metric the Grafana dashboard and the alert rules use', async () => {
    const exported = await exportedNames(server.url);
    const { dashboard, alerts } = await opsExpressions();
    const expressions = [...dashboard, ...alerts.map((rule) => rule.expr)];
    const used = new Set(expressions.flatMap(metricNames));
    expect(used.size).toBeGreaterThan(15);
    // `up` is Prometheus's own, for every target it scrapes.
    expect([...used].filter((name) => name !== 'up' && !exported.has(name))).toEqual([]);
    // The seed's four names are on the dashboard and exported.
    for (const name of ['receipt_processing_total', 'receipt_processing_duration_seconds_bucket', 'active_receipt_processing', 'tool_success_rate']) expect(exported.has(name)).toBe(true);
    expect(alerts.map((rule) => rule.alert)).toEqual(['UnfoldServerDown', 'UnfoldTargetMissing', 'UnfoldMetricsAbsent', 'UnfoldRunErrorRateHigh', 'UnfoldToolLatencyHigh', 'UnfoldDeliveryLatencyHigh', 'UnfoldSlowConsumerStorm', 'UnfoldEventLoopLag']);
  });

  it('follows a caller that did not sample: no spans for the run, no ids on its events', async () => {
    const traceId = randomBytes(16).toString('hex');
    const created = await postJson(`${server.url}/v1/runs`, { pipeline: 'demo', input: { pace: 0 } }, { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-00` });
    const runId = created.body['run_id'] as string;
    const events: UnfoldEvent[] = [];
    const stream = createClient({ baseUrl: server.url }).watch(runId);
    stream.on('event', (event) => events.push(event));
    await stream.done;
    // A sampled request after the run has ended: its span ends after the run's would have.
    await getJson(`${server.url}/v1/runs/${runId}`, { traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01` });
    await vi.waitFor(() => expect(exporter.getFinishedSpans().some((span) => span.name === 'GET /v1/runs/:id' && span.attributes['url.path'] === `/v1/runs/${runId}`)).toBe(true));
    // A run sampled afresh would have its own trace: look for any span of this run at all.
    expect(exporter.getFinishedSpans().filter((span) => span.attributes['unfold.run.id'] === runId || span.spanContext().traceId === traceId)).toEqual([]);
    expect(events.length).toBeGreaterThan(5);
    expect(events.some((event) => event.trace_id !== undefined || event.span_id !== undefined)).toBe(false);
  });

  it('names a request span by its route, and makes none for a request no route matches', async () => {
    const sampled = () => ({ traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01` });
    const unmatched = sampled();
    expect((await getJson(`${server.url}/no/such/route`, unmatched)).status).toBe(404);
    // A routed request after it: once its span has ended, the unmatched one would have too.
    expect((await getJson(`${server.url}/v1/runs/no-such-run`, sampled())).status).toBe(404);
    const routed = await vi.waitFor(() => {
      const span = exporter.getFinishedSpans().find((candidate) => candidate.attributes['url.path'] === '/v1/runs/no-such-run');
      if (!span) throw new Error('the routed request has no span yet');
      return span;
    });
    expect(routed.name).toBe('GET /v1/runs/:id');
    expect(routed.attributes['http.route']).toBe('/v1/runs/:id');
    expect(routed.attributes['http.response.status_code']).toBe(404);
    const unmatchedTrace = unmatched.traceparent.split('-')[1];
    expect(exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === unmatchedTrace)).toEqual([]);
  });

  it('makes no span for a stream over any transport, however long it lasts, and keeps the run’s trace', async () => {
    const traceId = randomBytes(16).toString('hex');
    const traceparent = `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
    const created = await postJson(`${server.url}/v1/runs`, { pipeline: 'demo', input: { pace: 0 } }, { traceparent });
    const runId = created.body['run_id'] as string;
    const eventsUrl = `${server.url}/v1/runs/${runId}/events`;
    const socket = openSocket(`${server.wsUrl}/v1/runs/${runId}/ws`, { headers: { traceparent } });
    await socket.waitFor((frame) => frame.event_type === 'processing_completed');
    socket.socket.close();
    await socket.closed;
    await readStream(eventsUrl, 'text/event-stream', { traceparent });
    await readStream(eventsUrl, 'application/x-ndjson', { traceparent });
    await getJson(`${eventsUrl}?after=0&wait=0`, { traceparent });
    // The multiplexed socket lives across runs: it starts one and watches it.
    const multiplexed = openSocket(`${server.wsUrl}/v1/ws`, { headers: { traceparent } });
    await multiplexed.opened;
    multiplexed.socket.close();
    await multiplexed.closed;
    // The last request's span ends after every stream above has closed.
    await getJson(`${server.url}/v1/runs/${runId}`, { traceparent });
    const spans = await vi.waitFor(() => {
      const inTrace = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
      if (!inTrace.some((span) => span.name === 'GET /v1/runs/:id')) throw new Error('the last request has no span yet');
      return inTrace;
    });
    const names = spans.map((span) => span.name);
    expect(names).toContain('POST /v1/runs');
    expect(names).toContain('run demo');
    expect(names.filter((name) => name.includes('/events') || name.startsWith('WS ') || name.endsWith('/ws'))).toEqual([]);
    expect(spans.filter((span) => span.attributes['network.protocol.name'] === 'websocket')).toEqual([]);
  });
});
