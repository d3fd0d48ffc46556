import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startChild } from './child-process.js';
import { bareFanoutLatency, deliveryLatency } from './scenarios/delivery-latency.js';
import { firstFieldLatency } from './scenarios/first-field.js';
import { idleMemoryPerConnection } from './scenarios/idle-memory.js';
import { modelFirstTokenLatency } from './scenarios/model-first-token.js';
import { saturation } from './scenarios/saturation.js';
import { telemetryOverhead, type TelemetryOverheadResult } from './scenarios/telemetry-overhead.js';
import { emailIntakeWorkload, smallRunsWorkload } from './scenarios/telemetry-workloads.js';
import { eventCheckCost } from './scenarios/event-checks.js';
import { metricsHooksCost } from './scenarios/metrics-hooks.js';
import { webAppFigures } from './scenarios/web-app.js';
import { ocrTimePerReceipt } from './scenarios/ocr-time.js';

/**
 * `npm run bench`: figures, not assertions. The Unfold server and the bare `ws` ceiling
 * each run in their own process on this machine, in this run; the clients run here.
 */
const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000' },
    events: { type: 'string', default: '2000' },
    store: { type: 'string', default: 'sqlite' },
    json: { type: 'boolean', default: false },
    /** ocr: a folder of receipt photos to time OCR on (default: the project's rendered receipt, made photo-like). */
    'receipt-images': { type: 'string' },
    /** Comma-separated scenarios: delivery, saturation, email, memory, events, web, telemetry, ocr (default: all). */
    only: { type: 'string' },
  },
});
const clients = Number(values.clients);
const dataDir = await mkdtemp(join(tmpdir(), 'unfold-bench-'));
const unfold = await startChild('./server-process.js', {
  UNFOLD_DATA_DIR: dataDir,
  UNFOLD_STORE: values.store ?? 'sqlite',
  UNFOLD_CONCURRENCY: String(clients * 2),
  LOG_LEVEL: 'warn',
});
const bare = await startChild('./bare-ws-server.js', {});
const log = (line: string) => values.json || process.stdout.write(`${line}\n`);

const verdict = (met: boolean) => (met ? 'met' : 'NOT met');
const latencyRow = (name: string, result: Awaited<ReturnType<typeof deliveryLatency>>, target: number) =>
  `${name.padEnd(34)} p50 ${result.p50} ms  p95 ${result.p95} ms  p99 ${result.p99} ms  max ${result.max} ms  ${result.events} events, ${result.events_per_second} ev/s   target p99 < ${target} ms: ${verdict(result.p99 < target)}`;

/** Each scenario measures, then says its figures; `--only a,b` picks some. */
const scenarios: Record<string, () => Promise<{ report: Record<string, unknown>; lines: string[] }>> = {
  async delivery() {
    const manyRuns = await deliveryLatency(unfold, { clients, runs: clients, tag: 'many' });
    const fanout = await deliveryLatency(unfold, { clients, runs: 1, tag: 'fanout' });
    // The demo run's 43 events over about 1.3 s in bursts of about three, from the bare server.
    const bareFanout = await bareFanoutLatency(bare, { clients, events: 43, burst: 3, intervalMs: 90 });
    return {
      report: { many_runs: manyRuns, one_run_fanout: fanout, bare_ws_fanout: bareFanout },
      lines: [latencyRow(`${clients} subscribers, own run each`, manyRuns, 25), latencyRow(`1 run watched by ${clients}`, fanout, 50), latencyRow(`bare ws: 1 stream to ${clients}`, bareFanout, 50)],
    };
  },
  async saturation() {
    const single = await saturation(unfold, bare, { clients: 100, events: Number(values.events), size: 32, batch: false });
    const batched = await saturation(unfold, bare, { clients: 100, events: Number(values.events), size: 32, batch: true });
    return {
      report: { saturation: single, saturation_batched: batched },
      lines: [
        `saturation, 100 subscribers           unfold ${single.unfold_events_per_second} ev/s  bare ws ${single.bare_ws_events_per_second} ev/s  ratio ${single.ratio}   target ≥ 0.70: ${verdict(single.ratio >= 0.7)}`,
        `saturation, batched frames            unfold ${batched.unfold_events_per_second} ev/s  bare ws ${batched.bare_ws_events_per_second} ev/s  ratio ${batched.ratio}`,
      ],
    };
  },
  async email() {
    const firstField = await firstFieldLatency(unfold, 200);
    const firstToken = await modelFirstTokenLatency(50);
    return {
      report: { email_first_field_ms: firstField, model_first_token_ms: firstToken },
      lines: [
        `email: request → first field (rules)   p50 ${firstField.p50.toFixed(1)} ms  p99 ${firstField.p99.toFixed(1)} ms  max ${firstField.max.toFixed(1)} ms   target < 100 ms: ${verdict(firstField.p99 < 100)}`,
        `email: model first byte → first token   p50 ${firstToken.p50.toFixed(1)} ms  p99 ${firstToken.p99.toFixed(1)} ms  max ${firstToken.max.toFixed(1)} ms   target < 50 ms: ${verdict(firstToken.p99 < 50)}`,
      ],
    };
  },
  async memory() {
    const unfoldIdle = await idleMemoryPerConnection(unfold, `${unfold.url.replace(/^http/, 'ws')}/v1/ws`, clients);
    const bareIdle = await idleMemoryPerConnection(bare, bare.url, clients);
    const worst = Math.max(unfoldIdle.rss_kb, unfoldIdle.heap_kb);
    return {
      report: { idle_memory_per_connection: { unfold: unfoldIdle, bare_ws: bareIdle } },
      lines: [`idle memory per connection            unfold ${unfoldIdle.rss_kb} KB RSS, ${unfoldIdle.heap_kb} KB heap  bare ws ${bareIdle.rss_kb} KB RSS, ${bareIdle.heap_kb} KB heap   target < 20 KB: ${verdict(worst < 20)}`],
    };
  },
  async events() {
    const cost = eventCheckCost({ rounds: 6, calls: 200_000 });
    const row = (name: string, figure: { unchecked: number; checked: number }) =>
      `events, ${name.padEnd(31)} checked ${(figure.checked / 1000).toFixed(2)} µs  unchecked ${(figure.unchecked / 1000).toFixed(2)} µs  (+${((figure.checked - figure.unchecked) / 1000).toFixed(2)} µs an emit)`;
    return {
      report: { event_checks_ns: cost },
      lines: [row('extraction_token', cost.token_ns), row('custom data-total', cost.custom_ns), row('receipt_words, 80 words', cost.receipt_words_ns)],
    };
  },
  async web() {
    const web = await webAppFigures(unfold);
    const frames = (name: string, summary: typeof web.streaming_frames_ms) =>
      `web, ${name.padEnd(32)} frame p50 ${summary.p50} ms  p95 ${summary.p95} ms  p99 ${summary.p99} ms  max ${summary.max} ms  (${summary.frames} frames, ${summary.long_frames} over 50 ms)`;
    return {
      report: { web_app: web },
      lines: [
        `web, initial JavaScript                 ${web.initial_js_gzip_kb} KB gzipped   target < 250 KB: ${verdict(web.initial_js_gzip_kb < 250)}`,
        `web, first contentful paint            run page ${web.first_paint_ms.run_page} ms (runs page ${web.first_paint_ms.runs_page} ms)   target < 1000 ms: ${verdict(web.first_paint_ms.run_page < 1000)}`,
        frames('10,000 events streaming in', web.streaming_frames_ms),
        frames('scrolling the 10,000-event list', web.scrolling_frames_ms),
        `web, all 10,000 events on the page      ${web.all_events_shown_ms} ms after the run was created`,
      ],
    };
  },
  async ocr() {
    const result = await ocrTimePerReceipt({ folder: values['receipt-images'], count: 12 });
    const paddle = result.figures.find((figure) => figure.engine === 'paddle');
    const row = (figure: (typeof result.figures)[number]) =>
      `ocr, ${figure.engine.padEnd(10)} per receipt        p50 ${(figure.wall_ms.p50 / 1000).toFixed(2)} s  p95 ${(figure.wall_ms.p95 / 1000).toFixed(2)} s  max ${(figure.wall_ms.max / 1000).toFixed(2)} s  CPU p50 ${(figure.cpu_ms.p50 / 1000).toFixed(2)} s  (first, loading the model: ${(figure.first_ms / 1000).toFixed(2)} s)${figure === paddle ? `   target p50 < 1.5 s: ${verdict(figure.wall_ms.p50 < 1500)}` : ''}`;
    return {
      report: { ocr_time_per_receipt: result },
      lines: [`ocr: ${result.source}, one at a time; load average ${result.load_before.toFixed(1)} before, ${result.load_after.toFixed(1)} after`, ...result.figures.map(row)],
    };
  },
  async telemetry() {
    const rows = (result: TelemetryOverheadResult) => {
      const { bare, metrics, tracing_default, tracing_full } = result.cpu_us_per_run;
      const loss = (name: string, figure: { median: number; min: number; max: number }, target: number) =>
        `${name} ${figure.median}% (rounds ${figure.min}…${figure.max}; target < ${target}%: ${verdict(figure.median < target)})`;
      const figure = (value: { median: number; min: number; max: number }) => `${value.median}% (rounds ${value.min}…${value.max})`;
      const range = (value: { min: number; max: number }) => (value.min === value.max ? `${value.min}` : `${value.min}–${value.max}`);
      // The target for tracing is by CPU profile: ≤ 1.5 % at the default 10 % sampling, ≤ 5 % at 100 %.
      const share = (name: string, value: { min: number; max: number }, target: number) => `${name} ${range(value)}% (target ≤ ${target}%: ${verdict(value.max <= target)})`;
      return [
        `telemetry, ${result.workload.padEnd(38)} server CPU µs per run: none ${bare}  metrics ${metrics}  + tracing 10% ${tracing_default}  + tracing 100% ${tracing_full}`,
        `telemetry, ${result.workload.padEnd(38)} capacity lost: ${loss('metrics', result.loss_percent.metrics, 1)}  tracing 10% ${figure(result.loss_percent.tracing_default)}  tracing 100% ${figure(result.loss_percent.tracing_full)}`,
        `telemetry, ${result.workload.padEnd(38)} tracing's share of server CPU by profile: ${share('10%', result.profile_percent.tracing.tracing_default, 1.5)}  ${share('100%', result.profile_percent.tracing.tracing_full, 5)}  (no SDK ${range(result.profile_percent.tracing.metrics)}%)`,
      ];
    };
    const email = await telemetryOverhead(await emailIntakeWorkload(), { rounds: 5, serversPerConfig: 2 });
    // Small runs are the worst case: span work per run against little work per run.
    const small = await telemetryOverhead(smallRunsWorkload(), { rounds: 7, serversPerConfig: 2 });
    const hooks = metricsHooksCost({ rounds: 6, runsPerRound: 100_000 });
    const share = Math.round((hooks.us_per_run / small.cpu_us_per_run.bare) * 1000) / 10;
    return {
      report: { telemetry_overhead: { email_intake: email, small_runs: small, metrics_hooks_us_per_small_run: hooks.us_per_run } },
      lines: [...rows(email), ...rows(small), `telemetry, metrics' own work for a small run   ${hooks.us_per_run} µs in isolation = ${share}% of the run's ${small.cpu_us_per_run.bare} µs   target < 1%: ${verdict(share < 1)}`],
    };
  },
};

const chosen = values.only ? values.only.split(',') : Object.keys(scenarios);
try {
  log(`Unfold benchmark — ${cpus().length} cores, node ${process.version}, store ${values.store}, ${clients} clients (clients in the parent process, servers in their own)`);
  const report: Record<string, unknown> = {};
  for (const name of chosen) {
    const scenario = scenarios[name];
    if (!scenario) throw new Error(`no scenario "${name}"; there are: ${Object.keys(scenarios).join(', ')}`);
    const result = await scenario();
    Object.assign(report, result.report);
    for (const line of result.lines) log(line);
  }
  if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} finally {
  await Promise.all([unfold.stop(), bare.stop()]);
  await rm(dataDir, { recursive: true, force: true });
}
