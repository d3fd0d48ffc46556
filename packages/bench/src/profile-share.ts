/** The parts of the server a CPU profile's time is split into. */
export type ProfilePart = 'tracing' | 'metrics' | 'other';

/** The fields of a V8 CPU profile (`.cpuprofile`, or the inspector's `Profiler.stop`) read here. */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string }; children?: number[] }>;
  samples?: number[];
  timeDeltas?: number[];
}

/** The CPU time (idle left out) a profile spent in each part, in microseconds. */
export type ProfileTime = Record<ProfilePart, number>;

/** One part's share of the time, in percent to one decimal. */
export function percentOf(time: ProfileTime, part: ProfilePart): number {
  const busy = time.tracing + time.metrics + time.other;
  return busy === 0 ? 0 : Math.round((time[part] / busy) * 1000) / 10;
}

/** The sum of several profiles' times (one process's profiles of several rounds). */
export function addProfileTimes(times: readonly ProfileTime[]): ProfileTime {
  return times.reduce((sum, time) => ({ tracing: sum.tracing + time.tracing, metrics: sum.metrics + time.metrics, other: sum.other + time.other }), { tracing: 0, metrics: 0, other: 0 });
}

/** The part a frame's script belongs to, or undefined for Node internals and natives. */
function partOf(url: string): ProfilePart | undefined {
  if (/@opentelemetry\/|\/telemetry\/(http-tracing|tracing)\.js$|\/run-tracing\.js$/.test(url)) return 'tracing';
  if (/\/prom-client\/|\/telemetry\/(metrics|series-metrics)\.js$/.test(url)) return 'metrics';
  if (url.includes('/node_modules/') || url.includes('/packages/')) return 'other';
  return undefined;
}

/**
 * Where a server's CPU went, by part: tracing (the OpenTelemetry packages and Unfold's span
 * code), metrics (prom-client and Unfold's metrics), and everything else. Each sample goes
 * to the innermost frame that belongs to a known part, so native helpers (hex encoding,
 * say) count for whoever called them, and a request that a tracing hook hands on to
 * Fastify counts for Fastify, not for tracing. GC and V8's own work stay under "other".
 */
export function profileTime(profile: CpuProfile): ProfileTime {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const owners = new Map<number, ProfilePart>();
  const ownerOf = (id: number): ProfilePart => {
    const known = owners.get(id);
    if (known) return known;
    const parent = parents.get(id);
    const owner = partOf(nodes.get(id)?.callFrame.url ?? '') ?? (parent === undefined ? 'other' : ownerOf(parent));
    owners.set(id, owner);
    return owner;
  };
  const totals: Record<ProfilePart, number> = { tracing: 0, metrics: 0, other: 0 };
  const deltas = profile.timeDeltas ?? [];
  (profile.samples ?? []).forEach((id, index) => {
    if (nodes.get(id)?.callFrame.functionName === '(idle)') return;
    totals[ownerOf(id)] += deltas[index] ?? 0;
  });
  return totals;
}
