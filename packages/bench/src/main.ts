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

try {
  log(`Unfold benchmark — ${cpus().length} cores, node ${process.version}, store ${values.store}, ${clients} clients (clients in the parent process, servers in their own)`);
  const manyRuns = await deliveryLatency(unfold, { clients, runs: clients, tag: 'many' });
  const fanout = await deliveryLatency(unfold, { clients, runs: 1, tag: 'fanout' });
  // The demo run's 43 events over about 1.3 s in bursts of about three, from the bare server.
  const bareFanout = await bareFanoutLatency(bare, { clients, events: 43, burst: 3, intervalMs: 90 });
  const saturationSingle = await saturation(unfold, bare, { clients: 100, events: Number(values.events), size: 32, batch: false });
  const saturationBatched = await saturation(unfold, bare, { clients: 100, events: Number(values.events), size: 32, batch: true });
  const firstField = await firstFieldLatency(unfold, 200);
  const firstToken = await modelFirstTokenLatency(50);
  const unfoldIdle = await idleMemoryPerConnection(unfold, `${unfold.url.replace(/^http/, 'ws')}/v1/ws`, clients);
  const bareIdle = await idleMemoryPerConnection(bare, bare.url, clients);
  const report = {
    many_runs: manyRuns,
    one_run_fanout: fanout,
    bare_ws_fanout: bareFanout,
    saturation: saturationSingle,
    saturation_batched: saturationBatched,
    email_first_field_ms: firstField,
    model_first_token_ms: firstToken,
    idle_memory_per_connection: { unfold: unfoldIdle, bare_ws: bareIdle },
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const verdict = (met: boolean) => (met ? 'met' : 'NOT met');
    const latencyRow = (name: string, result: typeof manyRuns, target: number) =>
      `${name.padEnd(34)} p50 ${result.p50} ms  p95 ${result.p95} ms  p99 ${result.p99} ms  max ${result.max} ms  ${result.events} events, ${result.events_per_second} ev/s   target p99 < ${target} ms: ${verdict(result.p99 < target)}`;
    log(latencyRow(`${clients} subscribers, own run each`, manyRuns, 25));
    log(latencyRow(`1 run watched by ${clients}`, fanout, 50));
    log(latencyRow(`bare ws: 1 stream to ${clients}`, bareFanout, 50));
    log(
      `saturation, 100 subscribers           unfold ${saturationSingle.unfold_events_per_second} ev/s  bare ws ${saturationSingle.bare_ws_events_per_second} ev/s  ratio ${saturationSingle.ratio}   target ≥ 0.70: ${verdict(saturationSingle.ratio >= 0.7)}`,
    );
    log(`saturation, batched frames            unfold ${saturationBatched.unfold_events_per_second} ev/s  bare ws ${saturationBatched.bare_ws_events_per_second} ev/s  ratio ${saturationBatched.ratio}`);
    log(
      `email: request → first field (rules)   p50 ${firstField.p50.toFixed(1)} ms  p99 ${firstField.p99.toFixed(1)} ms  max ${firstField.max.toFixed(1)} ms   target < 100 ms: ${verdict(firstField.p99 < 100)}`,
    );
    log(
      `email: model first byte → first token   p50 ${firstToken.p50.toFixed(1)} ms  p99 ${firstToken.p99.toFixed(1)} ms  max ${firstToken.max.toFixed(1)} ms   target < 50 ms: ${verdict(firstToken.p99 < 50)}`,
    );
    const worst = Math.max(unfoldIdle.rss_kb, unfoldIdle.heap_kb);
    log(
      `idle memory per connection            unfold ${unfoldIdle.rss_kb} KB RSS, ${unfoldIdle.heap_kb} KB heap  bare ws ${bareIdle.rss_kb} KB RSS, ${bareIdle.heap_kb} KB heap   target < 20 KB: ${verdict(worst < 20)}`,
    );
  }
} finally {
  await Promise.all([unfold.stop(), bare.stop()]);
  await rm(dataDir, { recursive: true, force: true });
}
