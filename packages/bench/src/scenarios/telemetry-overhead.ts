import { execFileSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild, type Child } from '../child-process.js';
import { addProfileTimes, percentOf, type ProfilePart, type ProfileTime } from '../profile-share.js';

export type TelemetryConfig = 'bare' | 'metrics' | 'tracing_default' | 'tracing_full';

/** What the load generator does for one run, against a server at `baseUrl`. */
export interface TelemetryWorkload {
  name: string;
  warmupRuns: number;
  /** Runs before each measured round, unmeasured. */
  rewarmRuns: number;
  runsPerRound: number;
  concurrency: number;
  oneRun(baseUrl: string, index: number): Promise<void>;
}

export interface TelemetryOverheadResult {
  workload: string;
  /** Server CPU time per run (user + system), median over every process and round, in microseconds. */
  cpu_us_per_run: Record<TelemetryConfig, number>;
  /**
   * Capacity lost, in percent: the extra server CPU per run, each round's figure against
   * the same round's baseline; the median of the rounds, and their lowest and highest. On
   * a saturated server the extra CPU per run is the throughput lost.
   */
  loss_percent: Record<'metrics' | 'tracing_default' | 'tracing_full', { median: number; min: number; max: number }>;
  /** Server CPU per run in each round (the mean of that round's servers), to see the spread. */
  cpu_us_per_round: Record<TelemetryConfig, number[]>;
  /** Runs completed per second while measured (median), load generator included. */
  runs_per_second: Record<TelemetryConfig, number>;
  /**
   * The share of server CPU the CPU profiles of the measured rounds put in tracing and in
   * metrics, lowest and highest over the servers of a kind (tracing on a server with
   * metrics only is what the OpenTelemetry API's no-ops cost).
   */
  profile_percent: {
    tracing: Record<'tracing_default' | 'tracing_full' | 'metrics', { min: number; max: number }>;
    metrics: Record<'metrics' | 'tracing_default', { min: number; max: number }>;
  };
  spans_exported_bytes: number;
}

interface Sample {
  rate: number;
  cpuPerRun: number;
}

async function serverCpuUs(server: Child): Promise<number> {
  const usage = await server.send({ type: 'cpu' });
  return (usage['user'] as number) + (usage['system'] as number);
}

async function round(server: Child, workload: TelemetryWorkload, runs: number): Promise<Sample> {
  let next = 0;
  const cpuBefore = await serverCpuUs(server);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workload.concurrency }, async () => {
      for (let index = next++; index < runs; index = next++) await workload.oneRun(server.url, index);
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
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
const oneDecimal = (value: number) => Math.round(value * 10) / 10;

/**
 * What telemetry costs: the same load on four kinds of server started here — no metrics
 * and no tracing; metrics (the default); metrics and tracing at the default 10% sampling;
 * metrics and tracing at 100% — the traced ones exporting over OTLP/HTTP to a local
 * collector. Two servers of each kind (one process's luck — its heap layout, its JIT
 * timing — differs from the next by a few percent), each warmed until V8 has optimised
 * it, then measured round after round in alternating order, so drift hits all alike.
 */
export async function telemetryOverhead(workload: TelemetryWorkload, options: { rounds: number; serversPerConfig: number }): Promise<TelemetryOverheadResult> {
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
  const servers = new Map<TelemetryConfig, Child[]>();
  try {
    for (const config of configs) {
      const started: Child[] = [];
      servers.set(config, started);
      for (let index = 0; index < options.serversPerConfig; index++) {
        const dataDir = await mkdtemp(join(tmpdir(), `unfold-bench-${config}-`));
        const server = await startChild('./server-process.js', { ...base, ...env[config], UNFOLD_DATA_DIR: dataDir }, { lifetimeProfile: false });
        started.push(server);
        pin(server.pid, 1);
        // A fresh server's CPU per run keeps falling for thousands of runs while V8
        // optimises (1,750 → 1,100 µs for small runs), and more code (an SDK) takes longer.
        await round(server, workload, workload.warmupRuns);
      }
    }
    // Each server is profiled over its measured rounds only, the runs whose CPU is counted:
    // not its start-up, warm-up or rewarm runs, where module loading and code gone cold
    // while it sat idle weigh differently than on a server that is kept busy. Every kind
    // of server carries the profiler alike. profiled.get(server) = one profile per round.
    const profiled = new Map<Child, ProfileTime[]>();
    const profileName = (config: TelemetryConfig, server: Child, index: number) =>
      `${workload.name.split(' ')[0]}-${config}-${(servers.get(config) ?? []).indexOf(server)}-round${index}`;
    // samples[config][round] = one sample per server
    const samples = new Map<TelemetryConfig, Sample[][]>(configs.map((config) => [config, []]));
    for (let index = 0; index < options.rounds; index++) {
      const order = index % 2 === 0 ? configs : [...configs].reverse();
      for (const config of order) {
        const measured: Sample[] = [];
        for (const server of servers.get(config) ?? []) {
          // A server that sat idle while the others were measured has lost some of its
          // optimised code (V8 flushes what goes unused across GCs): warm it again first.
          await round(server, workload, workload.rewarmRuns);
          await server.send({ type: 'profile-start' });
          measured.push(await round(server, workload, workload.runsPerRound));
          const time = (await server.send({ type: 'profile-stop', name: profileName(config, server, index) })) as unknown as ProfileTime;
          profiled.set(server, [...(profiled.get(server) ?? []), time]);
        }
        samples.get(config)?.push(measured);
      }
    }
    const shareRange = (config: TelemetryConfig, part: ProfilePart) => {
      const percents = (servers.get(config) ?? []).map((server) => percentOf(addProfileTimes(profiled.get(server) ?? []), part));
      return { min: Math.min(...percents), max: Math.max(...percents) };
    };
    const all = (config: TelemetryConfig) => (samples.get(config) ?? []).flat();
    const perRound = (config: TelemetryConfig) => (samples.get(config) ?? []).map((measured) => mean(measured.map((sample) => sample.cpuPerRun)));
    const loss = (config: TelemetryConfig, baseline: TelemetryConfig) => {
      const baselines = perRound(baseline);
      const percents = perRound(config).map((cpu, index) => ((cpu - (baselines[index] ?? cpu)) / (baselines[index] ?? cpu)) * 100);
      return { median: oneDecimal(median(percents)), min: oneDecimal(Math.min(...percents)), max: oneDecimal(Math.max(...percents)) };
    };
    const summary = (pick: (sample: Sample) => number) => Object.fromEntries(configs.map((config) => [config, Math.round(median(all(config).map(pick)))])) as Record<TelemetryConfig, number>;
    return {
      workload: workload.name,
      cpu_us_per_run: summary((sample) => sample.cpuPerRun),
      loss_percent: { metrics: loss('metrics', 'bare'), tracing_default: loss('tracing_default', 'metrics'), tracing_full: loss('tracing_full', 'metrics') },
      cpu_us_per_round: Object.fromEntries(configs.map((config) => [config, perRound(config).map(Math.round)])) as Record<TelemetryConfig, number[]>,
      runs_per_second: summary((sample) => sample.rate),
      profile_percent: {
        tracing: { tracing_default: shareRange('tracing_default', 'tracing'), tracing_full: shareRange('tracing_full', 'tracing'), metrics: shareRange('metrics', 'tracing') },
        metrics: { metrics: shareRange('metrics', 'metrics'), tracing_default: shareRange('tracing_default', 'metrics') },
      },
      spans_exported_bytes: (await sink.send({ type: 'stats' }))['bytes'] as number,
    };
  } finally {
    await Promise.all([...servers.values()].flat().map((server) => server.stop()));
    await sink.stop();
    pin(process.pid, -1);
  }
}
