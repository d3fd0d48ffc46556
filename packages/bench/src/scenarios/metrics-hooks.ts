import { safeHooks, type EngineHooks, type RunRecord } from '@unfold/engine';
import { UnfoldMetrics } from '@unfold/gateway';
import type { UnfoldEvent } from '@unfold/protocol';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const EVENT_TYPES = ['processing_started', 'tool_started', ...Array<string>(20).fill('extraction_token'), 'tool_completed', 'processing_completed'];

/** CPU µs per run of the calls one small run makes, median of the rounds after the first (V8 warming up). */
function perRun(hooks: EngineHooks, delivered: (event: UnfoldEvent) => void, rounds: number, runsPerRound: number): number {
  const event = { timestamp: '', event_type: 'extraction_token' } as unknown as UnfoldEvent & { timestamp: string };
  const results: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const before = process.cpuUsage();
    for (let index = 0; index < runsPerRound; index++) {
      const run = { run_id: `run-${round}-${index}`, pipeline: 'burst', created_at: new Date().toISOString() } as RunRecord;
      hooks.runStarted?.(run);
      for (const type of EVENT_TYPES) hooks.eventEmitted?.(run, type);
      event.timestamp = run.created_at;
      for (let count = 0; count < EVENT_TYPES.length; count++) delivered(event);
      hooks.toolFinished?.(run, 'emit', 'completed', 1.2);
      hooks.runFinished?.(run, 'completed', 2.3);
    }
    const used = process.cpuUsage(before);
    results.push((used.user + used.system) / runsPerRound);
  }
  return median(results.slice(1));
}

/**
 * The metrics' own work for one small run, in this process: the hooks the engine calls
 * (start, 24 events, a tool, the end) and the 24 deliveries the streaming layer reports,
 * less the same loop with nothing listening. Precise where the end-to-end rounds are not.
 */
export function metricsHooksCost(options: { rounds: number; runsPerRound: number }): { us_per_run: number } {
  const metrics = new UnfoldMetrics({ pipelines: [] });
  const withMetrics = perRun(safeHooks([metrics]), (event) => metrics.delivered(event, 'ndjson'), options.rounds, options.runsPerRound);
  const without = perRun(safeHooks([]), () => undefined, options.rounds, options.runsPerRound);
  return { us_per_run: Math.round((withMetrics - without) * 10) / 10 };
}
