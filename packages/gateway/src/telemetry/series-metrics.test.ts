import { Registry, type RegistryContentType } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SeriesCounter, SeriesGauge, SeriesHistogram } from './series-metrics.js';

function registries() {
  const prometheus: Registry<RegistryContentType> = new Registry();
  const openMetrics: Registry<RegistryContentType> = new Registry();
  openMetrics.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  return { prometheus, openMetrics, both: [prometheus, openMetrics] };
}

describe('series metrics', () => {
  it('counts each label set apart, as prom-client renders counters', async () => {
    const { prometheus, both } = registries();
    const runs = new SeriesCounter('runs_total', 'Runs', ['pipeline', 'status'], both);
    runs.inc(['demo', 'completed']);
    runs.inc(['demo', 'completed']);
    runs.inc(['demo', 'failed'], 3);
    runs.inc(['email', 'completed']);
    const text = await prometheus.metrics();
    expect(text).toContain('# TYPE runs_total counter');
    expect(text).toContain('runs_total{pipeline="demo",status="completed"} 2');
    expect(text).toContain('runs_total{pipeline="demo",status="failed"} 3');
    expect(text).toContain('runs_total{pipeline="email",status="completed"} 1');
  });

  it('moves a gauge both ways, with or without labels', async () => {
    const { prometheus, both } = registries();
    const active = new SeriesGauge('active', 'Active', ['pipeline'], both);
    const total = new SeriesGauge('active_all', 'Active, all', [], both);
    active.add(['demo'], 1);
    active.add(['demo'], 1);
    active.add(['demo'], -1);
    total.add([], 2);
    const text = await prometheus.metrics();
    expect(text).toContain('active{pipeline="demo"} 1');
    expect(text).toMatch(/^active_all 2$/m);
  });

  it('fills cumulative buckets, sum and count, with exemplars only in OpenMetrics', async () => {
    const { prometheus, openMetrics, both } = registries();
    const latency = new SeriesHistogram({ name: 'latency_seconds', help: 'Latency', labelNames: ['transport'], buckets: [0.01, 0.1, 1] }, both);
    latency.observe(['ws'], 0.005);
    latency.observe(['ws'], 0.01); // on the bound: le is inclusive
    latency.observe(['ws'], 0.5, { trace_id: 'abc123' });
    latency.observe(['ws'], 7);
    latency.observe(['sse'], 0.05);
    const text = await prometheus.metrics();
    expect(text).toContain('latency_seconds_bucket{transport="ws",le="0.01"} 2');
    expect(text).toContain('latency_seconds_bucket{transport="ws",le="0.1"} 2');
    expect(text).toContain('latency_seconds_bucket{transport="ws",le="1"} 3');
    expect(text).toContain('latency_seconds_bucket{transport="ws",le="+Inf"} 4');
    expect(text).toContain('latency_seconds_sum{transport="ws"} 7.515');
    expect(text).toContain('latency_seconds_count{transport="ws"} 4');
    expect(text).toContain('latency_seconds_count{transport="sse"} 1');
    expect(text).not.toContain('trace_id');
    expect(await openMetrics.metrics()).toMatch(/latency_seconds_bucket\{transport="ws",le="1"\} 3 # \{trace_id="abc123"\} 0\.5 \d+/);
  });
});
