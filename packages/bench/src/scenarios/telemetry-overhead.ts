import { execFileSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild, type Child } from '../child-process.js';

export interface TelemetryOverheadResult {
  /** Runs completed per second (median of the rounds), per server configuration. */
  runs_per_second: Record<TelemetryConfig, number>;
  /** Server CPU time per run (user + system, median of the rounds), in microseconds. */
  cpu_us_per_run: Record<TelemetryConfig, number>;
  /**
   * Capacity lost, in percent: the extra server CPU per run. On a saturated server that is
   * the throughput lost; the end-to-end rate above also carries the load generator's noise.
   */
  loss_percent: { metrics: number; tracing_default: number; tracing_full: number };
  spans_exported_bytes: number;
}

type TelemetryConfig = 'bare' | 'metrics' | 'tracing_default' | 'tracing_full';

/** One run, created over HTTP and read to its end over NDJSON: every traced path once. */
async function oneRun(baseUrl: string, events: number): Promise<void> {
  const created = await fetch(`${baseUrl}/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pipeline: 'burst', input: { events, size: 32 } }) });
  const { run_id } = (await created.json()) as { run_id: string };
  await (await fetch(`${baseUrl}/v1/runs/${run_id}/events`, { headers: { accept: 'application/x-ndjson' } })).text();
}

async function serverCpuUs(server: Child): Promise<number> {
  const usage = await server.send({ type: 'cpu' });
  return (usage['user'] as number) + (usage['system'] as number);
}

async function round(server: Child, runs: number, events: number, concurrency: number): Promise<{ rate: number; cpuPerRun: number }> {
  let next = 0;
  const cpuBefore = await serverCpuUs(server);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < runs) await oneRun(server.url, events);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { rate: runs / seconds, cpuPerRun: ((await serverCpuUs(server)) - cpuBefore) / runs };
}

/** Server on one core, load generator on the other: each measured without the other's noise. */
function pin(pid: number, core: number): void {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', core < 0 ? `0-${cpus().length - 1}` : String(core), String(pid)], { stdio: 'ignore' });
  } catch {
    // no taskset (or one core): measured unpinned, only noisier
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
/** How much more `value` is than `baseline`, in percent to one decimal. */
const extra = (baseline: number, value: number) => Math.round(((value - baseline) / baseline) * 1000) / 10;

/**
 * What telemetry costs: the same load on four kinds of server started here —
 * no metrics and no tracing; metrics (the default); metrics and tracing at the default
 * 10% sampling; metrics and tracing at 100% — the traced ones exporting over OTLP/HTTP to
 * a local collector. Rounds alternate between the servers so drift hits all alike.
 */
export async function telemetryOverhead(options: { rounds: number; warmupRuns: number; runsPerRound: number; eventsPerRun: number; concurrency: number }): Promise<TelemetryOverheadResult> {
  const sink = await startChild('./otlp-sink.js', {});
  pin(process.pid, 0);
  pin(sink.pid, 0);
  const base = { UNFOLD_STORE: 'sqlite', LOG_LEVEL: 'warn' };
  const env: Record<TelemetryConfig, Record<string, string>> = {
    bare: { UNFOLD_METRICS: 'off' },
    metrics: {},
    tracing_default: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url },
    tracing_full: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_TRACES_SAMPLER_ARG: '1' },
  };
  const configs = Object.keys(env) as TelemetryConfig[];
  // A fresh server process for every round: one process's luck (its heap, its core)
  // must not pass for the cost of a configuration.
  const measure = async (config: TelemetryConfig, runs: number) => {
    const server = await startChild('./server-process.js', { ...base, ...env[config], UNFOLD_DATA_DIR: await mkdtemp(join(tmpdir(), `unfold-bench-${config}-`)) });
    pin(server.pid, 1);
    try {
      // Warm-up: a fresh server's CPU per run keeps falling for thousands of runs while V8
      // optimises (1,750 → 1,100 µs for small runs), and more code (an SDK) takes longer.
      await round(server, options.warmupRuns, options.eventsPerRun, options.concurrency);
      return await round(server, runs, options.eventsPerRun, options.concurrency);
    } finally {
      await server.stop();
    }
  };
  try {
    const rounds = new Map<TelemetryConfig, Array<{ rate: number; cpuPerRun: number }>>(configs.map((config) => [config, []]));
    for (let index = 0; index < options.rounds; index++) {
      const order = index % 2 === 0 ? configs : [...configs].reverse();
      for (const config of order) rounds.get(config)?.push(await measure(config, options.runsPerRound));
    }
    const summary = (pick: (result: { rate: number; cpuPerRun: number }) => number) =>
      Object.fromEntries(configs.map((config) => [config, Math.round(median((rounds.get(config) ?? []).map(pick)))])) as Record<TelemetryConfig, number>;
    const cpu = summary((result) => result.cpuPerRun);
    return {
      runs_per_second: summary((result) => result.rate),
      cpu_us_per_run: cpu,
      loss_percent: { metrics: extra(cpu.bare, cpu.metrics), tracing_default: extra(cpu.metrics, cpu.tracing_default), tracing_full: extra(cpu.metrics, cpu.tracing_full) },
      spans_exported_bytes: (await sink.send({ type: 'stats' }))['bytes'] as number,
    };
  } finally {
    await sink.stop();
    pin(process.pid, -1);
  }
}
