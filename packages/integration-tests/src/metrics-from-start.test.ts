import { TRANSPORTS } from '@unfold/protocol';
import { describe, expect, it } from 'vitest';
import { groupingLabels, labelMatchers, metricNames, opsExpressions, scrapeSamples, type Sample } from './ops-queries.js';
import { getJson } from './raw-clients.js';
import { useTestServer } from './test-server.js';

/** Labels Prometheus adds to every sample it scrapes, which the server never exports. */
const TARGET_LABELS = new Set(['instance', 'job']);

const has = (samples: Sample[], name: string, labels: Record<string, string>): boolean =>
  samples.some((sample) => sample.name === name && Object.entries(labels).every(([label, value]) => sample.labels[label] === value));

describe('metrics on a server that has done nothing yet', () => {
  const server = useTestServer();

  it('has every series the dashboard and the alerts query, with the labels they group and match on', async () => {
    const samples = await scrapeSamples(server().url);
    const { dashboard, alerts } = await opsExpressions();
    const missing: string[] = [];
    for (const expr of [...dashboard, ...alerts.map((rule) => rule.expr)]) {
      const grouped = groupingLabels(expr).filter((label) => !TARGET_LABELS.has(label));
      const matchers = labelMatchers(expr);
      // `up` is Prometheus's own, for every target it scrapes.
      for (const name of metricNames(expr).filter((metric) => metric !== 'up')) {
        const matched = Object.fromEntries(Object.entries(matchers.find((matcher) => matcher.name === name)?.labels ?? {}).filter(([label]) => !TARGET_LABELS.has(label)));
        const present = samples.some((sample) => sample.name === name && grouped.every((label) => label in sample.labels) && Object.entries(matched).every(([label, value]) => sample.labels[label] === value));
        if (!present) missing.push(`${name} in ${expr}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('shows each known label set at zero: pipelines × statuses, tools × outcomes, transports', async () => {
    const samples = await scrapeSamples(server().url);
    const { body } = await getJson(`${server().url}/v1/pipelines`);
    const pipelines = body['pipelines'] as Array<{ name: string; tools: string[] }>;
    expect(pipelines.map((pipeline) => pipeline.name)).toEqual(expect.arrayContaining(['demo', 'receipt', 'email']));
    const zero = (name: string, labels: Record<string, string>) => expect(has(samples.filter((sample) => sample.value === 0), name, labels), `${name} ${JSON.stringify(labels)}`).toBe(true);
    for (const { name: pipeline, tools } of pipelines) {
      zero('unfold_events_appended_total', { pipeline });
      zero('unfold_active_runs', { pipeline });
      zero('unfold_time_to_first_event_seconds_count', { pipeline });
      for (const status of ['completed', 'failed', 'cancelled']) {
        zero('unfold_runs_total', { pipeline, status });
        zero('unfold_run_duration_seconds_bucket', { pipeline, status, le: '+Inf' });
      }
      for (const tool of tools) {
        for (const outcome of ['completed', 'failed', 'retrying']) {
          zero('unfold_tool_outcomes_total', { pipeline, tool, outcome });
          zero('unfold_tool_duration_seconds_bucket', { pipeline, tool, outcome, le: '+Inf' });
        }
        // No attempt yet: no share to show, but the series is there (NaN, not 0%).
        expect(samples.find((sample) => sample.name === 'tool_success_rate' && sample.labels['tool_name'] === tool)?.value).toBeNaN();
      }
    }
    for (const transport of [...TRANSPORTS, 'websocket-multiplexed', 'websocket-seed']) {
      for (const name of ['unfold_open_connections', 'unfold_events_delivered_total', 'unfold_slow_consumer_disconnects_total', 'unfold_stream_resumes_total', 'unfold_stream_resyncs_total']) zero(name, { transport });
      zero('unfold_delivery_latency_seconds_count', { transport });
    }
    for (const status of ['success', 'failure', 'cancelled']) zero('receipt_processing_total', { status });
    zero('active_receipt_processing', {});
    zero('unfold_queued_runs', {});
  });
});
