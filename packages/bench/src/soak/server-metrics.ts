import { countedFetch, type SoakTally } from './soak-tally.js';

/** What the soak reads off the server's own `/metrics`. */
export interface ServerMetrics {
  events_appended: number;
  events_delivered: number;
  open_connections: number;
  rss_bytes: number;
  event_loop_lag_p99_s: number;
  slow_consumer_disconnects: number;
  runs_finished: number;
}

/** The sum over every series of each named metric in a Prometheus text scrape. */
function sums(text: string, names: readonly string[]): Map<string, number> {
  const totals = new Map(names.map((name) => [name, 0]));
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})? (\S+)/.exec(line);
    const name = match?.[1];
    if (name === undefined || !totals.has(name)) continue;
    totals.set(name, (totals.get(name) ?? 0) + Number(match?.[2]));
  }
  return totals;
}

const NAMES = {
  events_appended: 'unfold_events_appended_total',
  events_delivered: 'unfold_events_delivered_total',
  open_connections: 'unfold_open_connections',
  rss_bytes: 'process_resident_memory_bytes',
  event_loop_lag_p99_s: 'nodejs_eventloop_lag_p99_seconds',
  slow_consumer_disconnects: 'unfold_slow_consumer_disconnects_total',
  runs_finished: 'unfold_runs_total',
} as const satisfies Record<keyof ServerMetrics, string>;

export async function readServerMetrics(baseUrl: string, tally: SoakTally): Promise<ServerMetrics> {
  const text = await (await countedFetch(tally, `${baseUrl}/metrics`)).text();
  const totals = sums(text, Object.values(NAMES));
  return Object.fromEntries(Object.entries(NAMES).map(([key, name]) => [key, totals.get(name) ?? 0])) as unknown as ServerMetrics;
}
